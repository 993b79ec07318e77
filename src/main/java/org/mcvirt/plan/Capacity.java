package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;
import org.mcvirt.model.CapacitySpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedState;

/**
 * N+1 capacity: whether, if one node of a pair failed, the other could hold the vms that should run. A pure function
 * of the manifest and the nodes' total memory as read (MemTotal), no node is contacted.
 *
 * <p>The load is the manifest's: the memory of every vm whose {@code state} is running. A vm with a replicated disk
 * moves to the other node of its pair when its home node fails; a vm without one never moves and only counts on its
 * own node. So if node X failed, node Y would need the memory of its own running vms plus that of the running vms of
 * X that are replicated on Y ({@link Failover}); when that is more than Y's total memory the plan gets a
 * {@link PlanFinding.Code#CAPACITY_N_PLUS_ONE} warning, or with {@code cluster.capacity.nPlusOne: enforce} a
 * {@link PlanFinding.Code#CAPACITY_N_PLUS_ONE_ENFORCED} problem, about node Y. Not counted: the host's own use,
 * qemu's overhead per vm, domains that are not the manifest's vms. A survivor whose total memory was not read (a
 * node that could not be read, which is a plan problem of its own) is not checked: nothing is said about it.
 */
public final class Capacity {
    private Capacity() {
    }

    /**
     * What node {@code survivor} would have to run if node {@code failed} failed: the running vms of failed that are
     * replicated on survivor (moving) and survivor's own running vms (own), each sorted by name.
     */
    public record Failover(String failed, String survivor, List<VmSpec> moving, List<VmSpec> own) {
        public Failover {
            Objects.requireNonNull(failed, "failed");
            Objects.requireNonNull(survivor, "survivor");
            moving = moving.stream().sorted(Comparator.comparing(VmSpec::name)).toList();
            own = own.stream().sorted(Comparator.comparing(VmSpec::name)).toList();
        }

        public long movingBytes() {
            return memory(moving);
        }

        public long ownBytes() {
            return memory(own);
        }

        public long neededBytes() {
            return movingBytes() + ownBytes();
        }
    }

    /**
     * One node's memory for {@code info}: its total (null when not read), what its own running vms need, and the most
     * it would need if one of its pair peers failed (ifFailed names that peer, null when no peer's failure moves a
     * running vm to it; then needed is its own vms' memory).
     */
    public record Headroom(String node, Long totalBytes, long runningBytes, String ifFailed, long neededBytes) {
        public Headroom {
            Objects.requireNonNull(node, "node");
        }

        /** Total minus needed (negative when it would not fit), or null when the total was not read. */
        public Long headroomBytes() {
            return totalBytes == null ? null : totalBytes - neededBytes;
        }
    }

    /**
     * Every failure that moves a running vm: for each node X and each other node Y that has a replica of a running
     * vm of X, what Y would have to run. Sorted by survivor, then failed node.
     */
    public static List<Failover> failovers(DesiredState desired) {
        List<Failover> failovers = new ArrayList<>();
        List<VmSpec> running = running(desired);
        for (NodeSpec failed : desired.nodes()) {
            for (NodeSpec survivor : desired.nodes()) {
                if (failed.name().equals(survivor.name())) {
                    continue;
                }
                List<VmSpec> moving = running.stream().filter(vm -> vm.node().equals(failed.name())
                        && peer(vm).filter(survivor.name()::equals).isPresent()).toList();
                if (!moving.isEmpty()) {
                    failovers.add(new Failover(failed.name(), survivor.name(), moving, ownOf(running, survivor.name())));
                }
            }
        }
        failovers.sort(Comparator.comparing(Failover::survivor).thenComparing(Failover::failed));
        return failovers;
    }

    /** Each node of the manifest with its memory headroom (the worst of its peers' failures), in name order. */
    public static List<Headroom> headroom(DesiredState desired, ObservedState observed) {
        List<VmSpec> running = running(desired);
        List<Failover> failovers = failovers(desired);
        List<Headroom> result = new ArrayList<>();
        for (NodeSpec node : desired.nodes()) {
            long own = memory(ownOf(running, node.name()));
            Optional<Failover> worst = failovers.stream().filter(f -> f.survivor().equals(node.name()))
                    .max(Comparator.comparingLong(Failover::neededBytes)
                            .thenComparing(Failover::failed, Comparator.reverseOrder()));
            result.add(new Headroom(node.name(), totalMemory(observed, node.name()), own,
                    worst.map(Failover::failed).orElse(null), worst.map(Failover::neededBytes).orElse(own)));
        }
        return result;
    }

    /**
     * The plan's findings: one per failure whose survivor's total memory was read and is less than it would need, a
     * warning or (enforce) a problem about the survivor. With --target only those that count a targeted vm.
     */
    static List<PlanFinding> findings(DesiredState desired, ObservedState observed, Planner.Options options) {
        boolean enforce = desired.cluster().capacity().nPlusOne() == CapacitySpec.NPlusOne.ENFORCE;
        List<PlanFinding> findings = new ArrayList<>();
        for (Failover failover : failovers(desired)) {
            Long total = totalMemory(observed, failover.survivor());
            if (total == null || failover.neededBytes() <= total) {
                continue;
            }
            if (!options.includesInfrastructure() && failover.moving().stream().noneMatch(v -> options.includes(v.name()))
                    && failover.own().stream().noneMatch(v -> options.includes(v.name()))) {
                continue;
            }
            findings.add(new PlanFinding(enforce ? PlanFinding.Code.CAPACITY_N_PLUS_ONE_ENFORCED
                    : PlanFinding.Code.CAPACITY_N_PLUS_ONE, PlanFinding.Subject.node(failover.survivor()),
                    message(failover, total, enforce)));
        }
        return findings;
    }

    /**
     * "capacity: if node1 failed, node2 could not hold the running vms: they need 3.0 GiB (db, web from node1: 2.0
     * GiB; node2's own app: 1.0 GiB), node2 has 2.5 GiB in total; ...". Sizes are approximate unless need and total
     * would then read the same, when all are exact.
     */
    static String message(Failover failover, long total, boolean enforce) {
        LongFunction<String> size = Sizes.approximate(failover.neededBytes()).equals(Sizes.approximate(total))
                ? Sizes::format : Sizes::approximate;
        String failed = failover.failed();
        String survivor = failover.survivor();
        return "capacity: if " + failed + " failed, " + survivor + " could not hold the running vms: they need "
                + size.apply(failover.neededBytes()) + " (" + names(failover.moving()) + " from " + failed + ": "
                + size.apply(failover.movingBytes())
                + (failover.own().isEmpty() ? "" : "; " + survivor + "'s own " + names(failover.own()) + ": "
                        + size.apply(failover.ownBytes()))
                + "), " + survivor + " has " + size.apply(total) + " in total; "
                + (enforce ? "add memory or run fewer vms on the pair, or set cluster.capacity.nPlusOne: warn to allow it"
                        : "add memory or run fewer vms on the pair (cluster.capacity.nPlusOne: enforce makes this a"
                        + " plan problem)");
    }

    private static String names(List<VmSpec> vms) {
        return String.join(", ", vms.stream().map(VmSpec::name).toList());
    }

    private static List<VmSpec> running(DesiredState desired) {
        return desired.vms().stream().filter(vm -> vm.state() == VmSpec.PowerState.RUNNING).toList();
    }

    private static List<VmSpec> ownOf(List<VmSpec> running, String node) {
        return running.stream().filter(vm -> vm.node().equals(node)).toList();
    }

    /** The node a vm moves to when its home fails: the other node of its pair, if it has a replicated disk. */
    private static Optional<String> peer(VmSpec vm) {
        return vm.replicated() ? vm.peer() : Optional.empty();
    }

    private static Long totalMemory(ObservedState observed, String node) {
        return observed.node(node).filter(NodeObservation::reachable).map(NodeObservation::totalMemoryBytes)
                .orElse(null);
    }

    private static long memory(List<VmSpec> vms) {
        return vms.stream().mapToLong(VmSpec::memoryBytes).sum();
    }
}
