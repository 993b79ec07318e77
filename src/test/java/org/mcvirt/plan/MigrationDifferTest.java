package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mcvirt.plan.DifferFixture.RENDERER;
import static org.mcvirt.plan.DifferFixture.domain;
import static org.mcvirt.plan.DifferFixture.vm;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedState;

class MigrationDifferTest {
    private static final MigrationDiffer DIFFER = new MigrationDiffer();

    @Test
    void aVmWithoutReplicatedDisksOnAnotherNodeCannotMove() {
        DesiredState desired = new DesiredState(DifferFixture.CLUSTER,
                List.of(DifferFixture.NODE, DifferFixture.node("m", DifferFixture.IMAGES)), List.of(),
                List.of(vm("web", 64, VmSpec.PowerState.STOPPED, false, List.of(), List.of())));
        ObservedState observed = new ObservedState(List.of(
                new NodeObservation("n", true, null, "9.0.0", "QEMU", List.of(), List.of(), List.of(), List.of()),
                new NodeObservation("m", true, null, "9.0.0", "QEMU", List.of(domain("web", false, 64, false)), List.of(),
                        List.of(), List.of())));
        Diff diff = DIFFER.diff(desired, observed, Planner.Options.all());
        assertThat(diff.drafts()).isEmpty();
        assertThat(diff.problems()).extracting(PlanFinding::message).containsExactly("vm web is on node m and the manifest puts it on n; it cannot move:"
                + " only a vm whose disks are all replicated between the two nodes can move (it has no disk)");
        assertThat(new VmDiffer(RENDERER).diff(desired, observed, Planner.Options.all()))
                .as("the vm differ leaves a vm on another node to the migration differ").isEqualTo(Diff.EMPTY);
    }

    @Test
    void theTargetsNetworkCheckIsSkippedOnlyWhenTheOptionsSaySo() {
        NetworkSpec lan = new NetworkSpec("lan", "br0", false, null);
        DesiredState desired = new DesiredState(DifferFixture.CLUSTER,
                List.of(DifferFixture.NODE, DifferFixture.node("m", DifferFixture.IMAGES)), List.of(lan),
                List.of(vm("web", 64, VmSpec.PowerState.STOPPED, false, List.of(),
                        List.of(new VmSpec.NicSpec("lan", "52:54:00:00:00:01")))));
        ObservedState observed = new ObservedState(List.of(
                new NodeObservation("n", true, null, "9.0.0", "QEMU", List.of(), List.of(), List.of(), List.of()),
                new NodeObservation("m", true, null, "9.0.0", "QEMU", List.of(domain("web", false, 64, false)), List.of(),
                        List.of(), List.of())));
        Planner.Options onlyWeb = new Planner.Options(java.util.Set.of("web"));
        assertThat(onlyWeb.skipMigrationNetworkCheck()).isFalse();
        assertThat(DIFFER.diff(desired, observed, onlyWeb).problems())
                .anyMatch(p -> p.message().contains("node n has no active network mcvirt.c.lan for its nic 52:54:00:00:00:01"));
        assertThat(DIFFER.diff(desired, observed, onlyWeb.withSkipMigrationNetworkCheck(true)).problems())
                .noneMatch(p -> p.message().contains("no active network"));
    }

    private static org.mcvirt.state.ObservedDomain transientRunning(org.mcvirt.state.ObservedDomain d) {
        return new org.mcvirt.state.ObservedDomain(d.name(), d.uuid(), true, "running", false, false, d.vcpus(),
                d.memoryKib(), d.liveVcpus(), d.liveMemoryKib(), d.disks(), d.nics(), d.vncPort(), d.metadata(),
                d.definition());
    }

    /** web runs on n as a transient domain and is defined, not running, on m (stale: m's copy). */
    private static ObservedState transientOnNDefinedOnM(org.mcvirt.state.ObservedDomain stale) {
        return new ObservedState(List.of(
                new NodeObservation("n", true, null, "9.0.0", "QEMU", List.of(transientRunning(stale)), List.of(),
                        List.of(), List.of()),
                new NodeObservation("m", true, null, "9.0.0", "QEMU", List.of(stale), List.of(), List.of(), List.of())));
    }

    private static DesiredState webOn(String node) {
        return new DesiredState(DifferFixture.CLUSTER, List.of(DifferFixture.node("n", DifferFixture.IMAGES),
                DifferFixture.node("m", DifferFixture.IMAGES)), List.of(),
                List.of(new VmSpec("web", node, 1, 64L << 20, VmSpec.PowerState.RUNNING, false, false, List.of(), List.of(),
                        List.of(), List.of())));
    }

    /**
     * A live move to n whose definition was not made persistent there: it runs on n as a transient domain and is still
     * defined on m. Defined on n first (m's definition), then undefined on m: never defined on no node.
     */
    @Test
    void aTransientVmAfterALiveMoveIsDefinedHereBeforeTheOtherNodesDefinitionGoes() {
        var stale = domain("web", false, 64, false);
        ObservedState observed = transientOnNDefinedOnM(stale);
        Diff diff = DIFFER.diff(webOn("n"), observed, Planner.Options.all());
        assertThat(diff.problems()).isEmpty();
        assertThat(diff.drafts()).extracting(StepDraft::node, StepDraft::description).containsExactly(
                org.assertj.core.groups.Tuple.tuple("n", "define domain web on n (it runs there as a transient domain;"
                        + " its definition from m)"),
                org.assertj.core.groups.Tuple.tuple("m", "undefine domain web on m (checked first: n has it, UUID "
                        + stale.uuid() + ")"));
        assertThat(diff.drafts().get(0).payload()).isEqualTo(new StepPayload.DefineDomain("web", stale.definition(),
                Migrations.copies(webOn("n"), List.of("m", "n"))));
        assertThat(diff.drafts().get(1).uses()).contains(diff.drafts().get(0).subject());
    }

    /** The same state while the manifest still puts the vm on m: refused, saying how to finish the move. */
    @Test
    void aTransientVmOnTheOtherNodeIsRefusedSayingToPutItThere() {
        var stale = domain("web", false, 64, false);
        ObservedState observed = transientOnNDefinedOnM(stale);
        Diff diff = DIFFER.diff(webOn("m"), observed, Planner.Options.all());
        assertThat(diff.drafts()).isEmpty();
        assertThat(diff.problems()).extracting(PlanFinding::message).containsExactly("vm web runs on n as a transient"
                + " domain (a live move there finished without its definition being made persistent) and is defined,"
                + " not running, on m; put it on n in the manifest (node: n) and plan again: mcvirt defines it there"
                + " and undefines it on m");
    }
}
