package org.mcvirt.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mcvirt.plan.StepKind;

/** Each step kind's time limit: the step timeout, plus the shutdown or sync timeout for the kinds that wait. */
class StepExecutionTest {
    private static final ApplyOptions OPTIONS = new ApplyOptions(false, 4, 60, Duration.ofSeconds(120),
            Duration.ofSeconds(3600), "mcvirt apply");

    @Test
    void aShutdownWaitsForTheGuestAndASyncOrLiveMigrationForItsCopy() {
        assertEquals(Duration.ofSeconds(180), StepExecution.timeout(StepKind.SHUTDOWN_DOMAIN, OPTIONS));
        assertEquals(Duration.ofSeconds(3720), StepExecution.timeout(StepKind.DRBD_INITIAL_SYNC, OPTIONS));
        assertEquals(Duration.ofSeconds(3720), StepExecution.timeout(StepKind.MIGRATE_LIVE, OPTIONS));
        assertEquals(Duration.ofSeconds(3720), StepExecution.timeout(StepKind.UPLOAD_IMAGE, OPTIONS));
        assertEquals(Duration.ofSeconds(3720), StepExecution.timeout(StepKind.CREATE_VOLUME_FROM_IMAGE, OPTIONS));
    }

    @Test
    void everyOtherKindHasTheStepTimeout() {
        Set<StepKind> waiting = EnumSet.of(StepKind.SHUTDOWN_DOMAIN, StepKind.DRBD_INITIAL_SYNC, StepKind.MIGRATE_LIVE,
                StepKind.UPLOAD_IMAGE, StepKind.CREATE_VOLUME_FROM_IMAGE, StepKind.WRITE_IMAGE);
        for (StepKind kind : EnumSet.complementOf(EnumSet.copyOf(waiting))) {
            assertEquals(Duration.ofSeconds(120), StepExecution.timeout(kind, OPTIONS), kind.name());
        }
    }

    /** A define that first hashes an ISO it attaches may take as long as a transfer; one that attaches none may not. */
    @Test
    void aDefineThatChecksAnIsoHasTheTransferTimeout() {
        org.mcvirt.plan.Step checking = new org.mcvirt.plan.Step(1, "n", "domain:n/web", java.util.List.of(), "vm.web",
                "define", new org.mcvirt.plan.StepPayload.DefineDomain("web", "X", java.util.Map.of(), false,
                java.util.Map.of("/img/iso.i.aaaaaaaaaaaa.iso", "a".repeat(64))), java.util.List.of());
        org.mcvirt.plan.Step plain = new org.mcvirt.plan.Step(1, "n", "domain:n/web", java.util.List.of(), "vm.web",
                "define", new org.mcvirt.plan.StepPayload.DefineDomain("web", "X"), java.util.List.of());
        assertEquals(Duration.ofSeconds(3720), StepExecution.timeout(checking, OPTIONS));
        assertEquals(Duration.ofSeconds(120), StepExecution.timeout(plain, OPTIONS));
    }
}
