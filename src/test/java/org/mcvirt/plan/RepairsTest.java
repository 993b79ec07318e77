package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;

/**
 * The repairs mcvirt reconcile applies (issue 16 item 6): an explicit allow-list of step kinds, each under its
 * condition; everything else is beyond repairs. Plans from the golden cases, and single steps of the manifest of
 * reboot-home-node (files1, running, on node1; its pair node1 and node2).
 */
class RepairsTest {
    private static final Path ROOT = Path.of("src/test/resources/testdata/plan");
    private static final Set<StepKind> ALLOWED = EnumSet.of(StepKind.DRBD_UP, StepKind.DRBD_PROMOTE,
            StepKind.START_DOMAIN, StepKind.DRBD_DEMOTE);

    private static DesiredState desired(String folder) throws Exception {
        return ManifestLoader.load(List.of(ROOT.resolve(folder).resolve("manifest.yaml")));
    }

    private static Repairs.Verdict verdict(String folder) throws Exception {
        return Repairs.of(desired(folder), PlanGoldenTest.plan(ROOT.resolve(folder)));
    }

    private static boolean repair(String node, StepPayload payload) throws Exception {
        return Repairs.isRepair(desired("reboot-home-node"), new Step(1, node, "subject", List.of(), "vm.files1", "d",
                payload, List.of()));
    }

    @Test
    void aRebootedNodesPlanIsAllRepairs() throws Exception {
        Repairs.Verdict home = verdict("reboot-home-node");
        assertThat(home.onlyRepairs()).isTrue();
        assertThat(home.repairs()).map(Repairs::describe).containsExactly("bring up mcvirt_files1_root on node1",
                "make mcvirt_files1_root primary on node1", "start files1 on node1");
        assertThat(verdict("reboot-peer-node").repairs()).map(Repairs::describe)
                .containsExactly("bring up mcvirt_files1_root on node2");
        assertThat(verdict("migrate-undone-both-secondary").onlyRepairs()).as("promote and start on the home").isTrue();
    }

    @Test
    void endingTwoPrimariesOnThePeerIsARepair() throws Exception {
        Repairs.Verdict killed = verdict("migrate-live-killed");
        assertThat(killed.onlyRepairs()).isTrue();
        assertThat(killed.repairs()).map(Repairs::describe)
                .containsExactly("make mcvirt_files1_root secondary on node2 (two primaries)");
    }

    @Test
    void eachAllowedKindIsARepairOnlyUnderItsCondition() throws Exception {
        assertThat(repair("node1", new StepPayload.DrbdUp("mcvirt_files1_root"))).isTrue();
        assertThat(repair("node2", new StepPayload.DrbdUp("mcvirt_files1_root"))).isTrue();
        assertThat(repair("node1", new StepPayload.DrbdPromote("mcvirt_files1_root", 300))).isTrue();
        assertThat(repair("node2", new StepPayload.DrbdPromote("mcvirt_files1_root", 300))).as("not the vm's node")
                .isFalse();
        assertThat(repair("node1", new StepPayload.DrbdPromote("mcvirt_files1_root", 300, true))).as("forced")
                .isFalse();
        assertThat(repair("node1", new StepPayload.StartDomain("files1"))).isTrue();
        assertThat(repair("node2", new StepPayload.StartDomain("files1"))).as("not the vm's node").isFalse();
        assertThat(repair("node2", new StepPayload.DrbdDemote("mcvirt_files1_root", 300, true))).isTrue();
        assertThat(repair("node2", new StepPayload.DrbdDemote("mcvirt_files1_root", 300, false)))
                .as("a demote that is part of a move, not the end of two primaries").isFalse();
        assertThat(repair("node1", new StepPayload.DrbdDemote("mcvirt_files1_root", 300, true)))
                .as("the vm's own node").isFalse();
        Step unknownVm = new Step(1, "node1", "s", List.of(), "vm.other", "d", new StepPayload.StartDomain("other"),
                List.of());
        assertThat(Repairs.isRepair(desired("reboot-home-node"), unknownVm)).isFalse();
    }

    @Test
    void aVmWhoseManifestSaysStoppedIsNotStartedByReconcileEvenWithAutostart() throws Exception {
        DesiredState stopped = desired("reboot-home-node");
        stopped = stopped.withVm(stopped.vm("files1").orElseThrow().withPlacement("node1",
                org.mcvirt.model.VmSpec.PowerState.STOPPED));
        assertThat(Repairs.isRepair(stopped, new Step(1, "node1", "s", List.of(), "vm.files1", "d",
                new StepPayload.StartDomain("files1"), List.of()))).isFalse();
    }

    @Test
    void everyOtherKindIsBeyondRepairs() throws Exception {
        for (StepKind kind : StepKind.values()) {
            if (ALLOWED.contains(kind)) {
                continue;
            }
            assertThat(repair("node1", SamplePayloads.of(kind))).as(kind.name()).isFalse();
        }
        assertThat(repair("node1", new StepPayload.SetAutostart("files1", true))).as("autostart is no repair")
                .isFalse();
    }

    @Test
    void aMixedPlanIsBeyondRepairsAndNamesTheOtherKinds() throws Exception {
        Repairs.Verdict failover = verdict("failover");
        assertThat(failover.onlyRepairs()).isFalse();
        assertThat(failover.repairs()).extracting(Step::kind).containsExactly(StepKind.DRBD_PROMOTE,
                StepKind.START_DOMAIN);
        assertThat(failover.beyondKinds()).containsExactly(StepKind.RECORD_FAILOVER, StepKind.REGISTER_DOMAIN);
        Repairs.Verdict move = verdict("migrate-offline-both-primary");
        assertThat(move.onlyRepairs()).isFalse();
        assertThat(move.beyondKinds()).contains(StepKind.SHUTDOWN_DOMAIN, StepKind.DEFINE_DOMAIN,
                StepKind.UNDEFINE_MIGRATED);
        assertThat(move.repairs()).extracting(Step::kind).doesNotContain(StepKind.DRBD_DEMOTE);
        assertThat(verdict("replicated-create").onlyRepairs()).isFalse();
        assertThat(verdict("no-changes").onlyRepairs()).isTrue();
    }
}
