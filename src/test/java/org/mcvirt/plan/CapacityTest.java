package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.CapacitySpec;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedState;

/**
 * N+1 capacity on hand-built states: nodes node1 and node2 (a pair) and node3; memory in MiB, totals in GiB. Every
 * finding is checked whole, numbers included.
 */
class CapacityTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private static VmSpec vm(String name, String node, long memoryMib, VmSpec.PowerState state, String peer) {
        List<VmSpec.DiskSpec> disks = List.of(new VmSpec.DiskSpec("root", 64 * MIB, peer == null ? "images" : "vg0",
                peer != null, VmSpec.DiskBus.VIRTIO));
        return new VmSpec(name, node, 1, memoryMib * MIB, state, false, false, disks, List.of(), List.of(), List.of(),
                peer == null ? List.of() : List.of(node, peer), VmSpec.Migration.OFFLINE);
    }

    private static VmSpec running(String name, String node, long memoryMib, String peer) {
        return vm(name, node, memoryMib, VmSpec.PowerState.RUNNING, peer);
    }

    private static DesiredState desired(CapacitySpec.NPlusOne mode, VmSpec... vms) {
        List<NodeSpec> nodes = List.of(DifferFixture.node("node1"), DifferFixture.node("node2"),
                DifferFixture.node("node3"));
        return new DesiredState(new ClusterSpec("c", null, new CapacitySpec(mode)), nodes, List.of(), List.of(vms));
    }

    private static DesiredState desired(VmSpec... vms) {
        return desired(CapacitySpec.NPlusOne.WARN, vms);
    }

    /** Each node with its total memory in bytes (absent from the map: not read). */
    private static ObservedState observed(Map<String, Long> totals) {
        List<NodeObservation> nodes = new ArrayList<>();
        for (String node : List.of("node1", "node2", "node3")) {
            nodes.add(new NodeObservation(node, true, null, "9.0.0", "QEMU 7.2.0", List.of(), List.of(), List.of(),
                    List.of()).withHost(null, totals.get(node), Map.of()));
        }
        return new ObservedState(nodes);
    }

    private static List<PlanFinding> findings(DesiredState desired, ObservedState observed) {
        return Capacity.findings(desired, observed, Planner.Options.all());
    }

    @Test
    void aPairThatFitsHasNoFinding() {
        // if node1 failed node2 needs 2048 + 1024 MiB = 3 GiB, exactly its total; the other way 1024 + 2048
        DesiredState desired = desired(running("web", "node1", 1024, "node2"), running("db", "node1", 1024, "node2"),
                running("app", "node2", 1024, "node1"));
        assertThat(findings(desired, observed(Map.of("node1", 3 * GIB, "node2", 3 * GIB)))).isEmpty();
    }

    @Test
    void aSurvivorThatCannotHoldTheMovingVmsIsAWarningAboutIt() {
        DesiredState desired = desired(running("web", "node1", 1024, "node2"), running("db", "node1", 1024, "node2"),
                running("app", "node2", 1024, "node1"));
        List<PlanFinding> findings = findings(desired, observed(Map.of("node1", 8 * GIB, "node2", 5 * GIB / 2)));
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(PlanFinding.Code.CAPACITY_N_PLUS_ONE);
            assertThat(f.code().warning()).isTrue();
            assertThat(f.subject()).isEqualTo(PlanFinding.Subject.node("node2"));
            assertThat(f.message()).isEqualTo("capacity: if node1 failed, node2 could not hold the running vms: they"
                    + " need 3.0 GiB (db, web from node1: 2.0 GiB; node2's own app: 1.0 GiB), node2 has 2.5 GiB in"
                    + " total; add memory or run fewer vms on the pair (cluster.capacity.nPlusOne: enforce makes this"
                    + " a plan problem)");
        });
    }

    @Test
    void withEnforceItIsAProblem() {
        DesiredState desired = desired(CapacitySpec.NPlusOne.ENFORCE, running("web", "node1", 1536, "node2"));
        List<PlanFinding> findings = findings(desired, observed(Map.of("node1", 8 * GIB, "node2", GIB)));
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(PlanFinding.Code.CAPACITY_N_PLUS_ONE_ENFORCED);
            assertThat(f.code().warning()).isFalse();
            assertThat(f.subject()).isEqualTo(PlanFinding.Subject.node("node2"));
            assertThat(f.message()).isEqualTo("capacity: if node1 failed, node2 could not hold the running vms: they"
                    + " need 1.5 GiB (web from node1: 1.5 GiB), node2 has 1.0 GiB in total; add memory or run fewer"
                    + " vms on the pair, or set cluster.capacity.nPlusOne: warn to allow it");
        });
    }

    @Test
    void bothDirectionsAreCheckedInNodeOrder() {
        DesiredState desired = desired(running("a", "node1", 2048, "node2"), running("b", "node2", 2048, "node1"));
        assertThat(findings(desired, observed(Map.of("node1", 3 * GIB, "node2", 3 * GIB))))
                .extracting(f -> f.subject().name(), PlanFinding::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("node1", "capacity: if node2 failed, node1 could not hold"
                                + " the running vms: they need 4.0 GiB (b from node2: 2.0 GiB; node1's own a: 2.0 GiB),"
                                + " node1 has 3.0 GiB in total; add memory or run fewer vms on the pair"
                                + " (cluster.capacity.nPlusOne: enforce makes this a plan problem)"),
                        org.assertj.core.groups.Tuple.tuple("node2", "capacity: if node1 failed, node2 could not hold"
                                + " the running vms: they need 4.0 GiB (a from node1: 2.0 GiB; node2's own b: 2.0 GiB),"
                                + " node2 has 3.0 GiB in total; add memory or run fewer vms on the pair"
                                + " (cluster.capacity.nPlusOne: enforce makes this a plan problem)"));
    }

    @Test
    void vmsWithoutAReplicatedDiskNeverMoveButCountOnTheirNode() {
        // node1's big vm is not replicated: node1 failing moves nothing, so node2 is not checked for it
        DesiredState onlyLocal = desired(running("big", "node1", 4096, null), running("app", "node2", 1024, null));
        assertThat(Capacity.failovers(onlyLocal)).isEmpty();
        assertThat(findings(onlyLocal, observed(Map.of("node1", GIB, "node2", GIB)))).isEmpty();
        // node2's local vm still counts as load when node1's replicated vm moves there
        DesiredState mixed = desired(running("web", "node1", 1024, "node2"), running("app", "node2", 1024, null),
                running("big", "node1", 4096, null));
        assertThat(findings(mixed, observed(Map.of("node1", 8 * GIB, "node2", 3 * GIB / 2)))).singleElement()
                .extracting(PlanFinding::message).asString().startsWith("capacity: if node1 failed, node2 could not"
                        + " hold the running vms: they need 2.0 GiB (web from node1: 1.0 GiB; node2's own app: 1.0"
                        + " GiB), node2 has 1.5 GiB in total;");
    }

    @Test
    void stoppedVmsAreIgnored() {
        DesiredState desired = desired(running("web", "node1", 1024, "node2"),
                vm("cold", "node1", 4096, VmSpec.PowerState.STOPPED, "node2"),
                vm("spare", "node2", 4096, VmSpec.PowerState.STOPPED, "node1"));
        assertThat(findings(desired, observed(Map.of("node1", 2 * GIB, "node2", 2 * GIB)))).isEmpty();
        assertThat(Capacity.failovers(desired)).singleElement().satisfies(f -> {
            assertThat(f.failed()).isEqualTo("node1");
            assertThat(f.survivor()).isEqualTo("node2");
            assertThat(f.moving()).extracting(VmSpec::name).containsExactly("web");
            assertThat(f.own()).isEmpty();
            assertThat(f.neededBytes()).isEqualTo(GIB);
        });
        // and a stopped vm alone moves nothing
        assertThat(Capacity.failovers(desired(vm("cold", "node1", 4096, VmSpec.PowerState.STOPPED, "node2"))))
                .isEmpty();
    }

    @Test
    void aSurvivorWhoseTotalMemoryWasNotReadIsNotChecked() {
        DesiredState desired = desired(CapacitySpec.NPlusOne.ENFORCE, running("web", "node1", 4096, "node2"),
                running("db", "node2", 4096, "node1"));
        // node2's total unknown: only node1 (which would need 8 GiB of its 1 GiB) is reported
        assertThat(findings(desired, observed(Map.of("node1", GIB)))).extracting(f -> f.subject().name())
                .containsExactly("node1");
        assertThat(findings(desired, observed(Map.of()))).isEmpty();
        // an unreachable node is not checked either (it is a plan problem of its own)
        ObservedState unreachable = new ObservedState(List.of(NodeObservation.unreachable("node1", "down"),
                observed(Map.of("node2", GIB)).node("node2").orElseThrow()));
        assertThat(findings(desired, unreachable)).extracting(f -> f.subject().name()).containsExactly("node2");
    }

    @Test
    void aThreeNodeClusterChecksEachPairOnItsOwn() {
        // node2 holds web's replica (from node1) and api's (from node3): each failure alone moves one of them
        DesiredState desired = desired(running("web", "node1", 1024, "node2"), running("api", "node3", 2048, "node2"),
                running("own", "node2", 512, null));
        assertThat(Capacity.failovers(desired)).extracting(Capacity.Failover::failed, Capacity.Failover::survivor,
                Capacity.Failover::neededBytes).containsExactly(
                org.assertj.core.groups.Tuple.tuple("node1", "node2", 1536 * MIB),
                org.assertj.core.groups.Tuple.tuple("node3", "node2", 2560 * MIB));
        assertThat(findings(desired, observed(Map.of("node2", 2 * GIB)))).singleElement()
                .extracting(PlanFinding::message).asString().startsWith("capacity: if node3 failed, node2 could not"
                        + " hold the running vms: they need 2.5 GiB (api from node3: 2.0 GiB; node2's own own: 512.0"
                        + " MiB), node2 has 2.0 GiB in total;");
    }

    @Test
    void sizesThatWouldReadTheSameRoundedAreExact() {
        // 1025 MiB needed of 1 GiB + 1 KiB: both read 1.0 GiB rounded
        DesiredState desired = desired(running("web", "node1", 1025, "node2"));
        assertThat(findings(desired, observed(Map.of("node2", GIB + 1024)))).singleElement()
                .extracting(PlanFinding::message).asString().startsWith("capacity: if node1 failed, node2 could not"
                        + " hold the running vms: they need 1025MiB (web from node1: 1025MiB), node2 has 1048577KiB in"
                        + " total;");
    }

    @Test
    void withTargetsOnlyFindingsThatCountATargetedVm() {
        DesiredState desired = desired(running("web", "node1", 4096, "node2"), running("app", "node2", 1024, null),
                running("other", "node3", 512, null));
        ObservedState observed = observed(Map.of("node2", GIB));
        assertThat(Capacity.findings(desired, observed, new Planner.Options(Set.of("other")))).isEmpty();
        assertThat(Capacity.findings(desired, observed, new Planner.Options(Set.of("app")))).hasSize(1);
        assertThat(Capacity.findings(desired, observed, new Planner.Options(Set.of("web")))).hasSize(1);
    }

    @Test
    void headroomIsTheWorstFailureOfAPeer() {
        DesiredState desired = desired(running("web", "node1", 1024, "node2"), running("api", "node3", 2048, "node2"),
                running("own", "node2", 512, null), vm("cold", "node2", 8192, VmSpec.PowerState.STOPPED, null));
        assertThat(Capacity.headroom(desired, observed(Map.of("node1", 4 * GIB, "node2", 2 * GIB))))
                .containsExactly(
                        new Capacity.Headroom("node1", 4 * GIB, 1024 * MIB, null, 1024 * MIB),
                        new Capacity.Headroom("node2", 2 * GIB, 512 * MIB, "node3", 2560 * MIB),
                        new Capacity.Headroom("node3", null, 2048 * MIB, null, 2048 * MIB));
        assertThat(Capacity.headroom(desired, observed(Map.of("node2", 2 * GIB))).get(1).headroomBytes())
                .isEqualTo(-512 * MIB);
        assertThat(Capacity.headroom(desired, observed(Map.of())).get(1).headroomBytes()).isNull();
    }
}
