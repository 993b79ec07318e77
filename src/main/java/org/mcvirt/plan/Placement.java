package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;

/**
 * Where a vm of the manifest stands against the nodes: the one reading of "is it there, elsewhere, or nowhere" that
 * the vm, replicated-disk and migration differs share, so each plans its own part of the same answer and none of them
 * decides it again. A pure function of the desired and observed state and the options.
 *
 * @param vm        the vm of the manifest
 * @param node      its node (one that was read)
 * @param domain    its domain on that node, if defined there
 * @param elsewhere the other nodes that have a managed domain of this name of this cluster
 */
record Placement(Kind kind, VmSpec vm, ResourceDiffer.ReadNode node, Optional<ObservedDomain> domain,
                 List<NodeObservation> elsewhere) {
    enum Kind {
        /** A node of its replicated disks' pair could not be read: nothing of it is planned (the disk differ says so). */
        PAIR_UNREADABLE,
        /** A domain of its name on its node that is not mcvirt's: never touched (the vm differ says so). */
        UNMANAGED,
        /** A domain of its name on its node that is another cluster's (the vm differ says so). */
        OTHER_CLUSTER,
        /**
         * A domain of its name of this cluster, on its node or another, carries a mark that is not what mcvirt writes
         * ({@link DomainMarks}): nothing of it is planned (the planner says so).
         */
        UNTRUSTED,
        /** Defined on no node of its own but on more than one other (the migration differ says so). */
        STALE_COPIES,
        /** Defined on exactly one other node: moved there by the migration differ. */
        MOVED,
        /** Defined on no node, with a saved copy of its definition to register it from (the migration differ). */
        REGISTERED,
        /**
         * Its node is back after the vm failed over to the other node of its pair (that node's failover record names
         * this one): this node's copy is stale and is discarded before anything else (the migration differ); the vm
         * stays where it runs until its disks are in sync, then moves home. elsewhere holds the survivor.
         */
        RETURNING,
        /**
         * Defined on no node that was read, a node of its pair declared offline, a saved copy of its definition on its
         * node and its disks up there: taken over on its node (the migration differ: a failover).
         */
        FAILOVER,
        /**
         * As FAILOVER, but without a saved copy on its node or with a disk not up there: nothing of it is planned (the
         * migration differ says why); never created anew, since its disks and definition are on the offline node.
         */
        FAILOVER_BLOCKED,
        /** Defined on no node: created by the vm differ, its replicated disks by the disk differ. */
        NEW,
        /** Defined on its node: updated by the vm differ; the migration differ settles copies and primaries. */
        PRESENT
    }

    Placement {
        elsewhere = List.copyOf(elsewhere);
    }

    /** The domain on its node; only for a placement that has one. */
    ObservedDomain present() {
        return domain.orElseThrow();
    }

    /** Every vm the options include, on its node when that node was read: nodes in manifest order, vms too. */
    static List<Placement> of(DesiredState desired, ObservedState observed, Planner.Options options) {
        List<Placement> placements = new ArrayList<>();
        for (ResourceDiffer.ReadNode node : ResourceDiffer.readNodes(desired, observed)) {
            for (VmSpec vm : desired.vms()) {
                if (vm.node().equals(node.name()) && options.includes(vm.name())) {
                    placements.add(of(desired, observed, node, vm));
                }
            }
        }
        return placements;
    }

    private static Placement of(DesiredState desired, ObservedState observed, ResourceDiffer.ReadNode node,
                                VmSpec vm) {
        String cluster = desired.cluster().name();
        Optional<ObservedDomain> seen = node.observation().domain(vm.name());
        if (vm.replicated() && !pairReadable(desired, vm, observed)) {
            return new Placement(Kind.PAIR_UNREADABLE, vm, node, seen, List.of());
        }
        if (seen.isPresent() && !seen.get().managed()) {
            return new Placement(Kind.UNMANAGED, vm, node, seen, List.of());
        }
        if (seen.isPresent() && !seen.get().metadata().cluster().equals(cluster)) {
            return new Placement(Kind.OTHER_CLUSTER, vm, node, seen, List.of());
        }
        Optional<NodeObservation> survivor = observed.nodes().stream().filter(o -> !o.node().equals(node.name())
                && o.reachable() && o.drbd().failover(vm.name()).filter(r -> r.from().equals(node.name())).isPresent())
                .findFirst();
        if (survivor.isPresent()) {
            return new Placement(Kind.RETURNING, vm, node, seen, List.of(survivor.get()));
        }
        List<NodeObservation> elsewhere = observed.nodes().stream().filter(o -> !o.node().equals(node.name())
                && o.domain(vm.name()).filter(d -> d.managed() && d.metadata().cluster().equals(cluster))
                .isPresent()).toList();
        if (!seen.map(d -> DomainMarks.trusted(desired, d)).orElse(true) || elsewhere.stream()
                .anyMatch(o -> !DomainMarks.trusted(desired, o.domain(vm.name()).orElseThrow()))) {
            return new Placement(Kind.UNTRUSTED, vm, node, seen, elsewhere);
        }
        if (seen.isPresent()) {
            return new Placement(Kind.PRESENT, vm, node, seen, elsewhere);
        }
        if (elsewhere.size() > 1) {
            return new Placement(Kind.STALE_COPIES, vm, node, seen, elsewhere);
        }
        if (elsewhere.size() == 1) {
            return new Placement(Kind.MOVED, vm, node, seen, elsewhere);
        }
        boolean peerOffline = vm.replicated() && Migrations.contacted(desired, vm.pair()).size() < vm.pair().size();
        if (Migrations.registrable(vm, node.name(), observed)) {
            return new Placement(peerOffline ? Kind.FAILOVER : Kind.REGISTERED, vm, node, seen, elsewhere);
        }
        if (peerOffline) {
            return new Placement(Kind.FAILOVER_BLOCKED, vm, node, seen, elsewhere);
        }
        return new Placement(Kind.NEW, vm, node, seen, elsewhere);
    }

    /** Whether every node of a vm's pair that mcvirt contacts was read. */
    static boolean pairReadable(DesiredState desired, VmSpec vm, ObservedState observed) {
        return firstUnreadable(desired, vm, observed).isEmpty();
    }

    /** The first node of the vm's pair that could not be read (not one declared offline: it is never read). */
    static Optional<String> firstUnreadable(DesiredState desired, VmSpec vm, ObservedState observed) {
        for (String member : Migrations.contacted(desired, vm.pair())) {
            Optional<NodeObservation> seen = observed.node(member);
            if (seen.isEmpty() || !seen.get().reachable()) {
                return Optional.of(member);
            }
        }
        return Optional.empty();
    }

    /** A domain of this cluster on a read node that the manifest no longer has, when the options include it. */
    record Removed(ResourceDiffer.ReadNode node, ObservedDomain domain) {
    }

    /**
     * The managed domains of this cluster that the manifest no longer has, node by node in manifest order; not those
     * whose mark cannot be used ({@link DomainMarks}: the planner says so, and nothing of them is taken down).
     */
    static List<Removed> removed(DesiredState desired, ObservedState observed, Planner.Options options) {
        List<Removed> removed = new ArrayList<>();
        for (ResourceDiffer.ReadNode node : ResourceDiffer.readNodes(desired, observed)) {
            for (ObservedDomain domain : node.observation().domains()) {
                if (domain.managed() && desired.vm(domain.name()).isEmpty() && options.includes(domain.name())
                        && domain.metadata().cluster().equals(desired.cluster().name())
                        && DomainMarks.trusted(desired, domain)) {
                    removed.add(new Removed(node, domain));
                }
            }
        }
        return removed;
    }
}
