package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;

/**
 * Replicated disks: the DRBD resource, minor and port of each ({@link DrbdAllocation}) and its two replicas, an LV
 * and a DRBD resource on each node of the vm's pair ({@link Replicas}). A new disk of a new or defined vm is created
 * on both nodes; a kept one is grown (never shrunk); one the manifest no longer has, or every one of a vm it no longer
 * has, is taken down and removed on both nodes. A vm whose pair could not be read is not planned at all. The vm's
 * definition that uses the disks is the {@link VmDiffer}'s; where a vm stands is read once ({@link Placement}).
 */
final class ReplicatedDiskDiffer implements ResourceDiffer {
    private final Renderer renderer;

    ReplicatedDiskDiffer(Renderer renderer) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    /** The replicas of a plan: the allocation of every replicated disk, with the nodes' DRBD resources in use. */
    static Replicas replicas(DesiredState desired, ObservedState observed, Renderer renderer) {
        DrbdAllocation allocation = DrbdAllocation.of(desired, observed, DrbdAllocation.minorsInUse(observed),
                DrbdAllocation.portsInUse(observed));
        return new Replicas(desired, observed, allocation, renderer);
    }

    @Override
    public Diff diff(DesiredState desired, ObservedState observed, Planner.Options options) {
        Diff.Builder diff = new Diff.Builder();
        Replicas replicas = replicas(desired, observed, renderer);
        replicas.allocation().problems().forEach(diff::problem);
        for (Placement placement : Placement.of(desired, observed, options)) {
            VmSpec vm = placement.vm();
            String address = "vm." + vm.name();
            switch (placement.kind()) {
                case PAIR_UNREADABLE -> Placement.firstUnreadable(desired, vm, observed).ifPresent(member -> diff.problem(
                        PlanFinding.Code.PAIR_NOT_READ, PlanFinding.Subject.vm(vm.name(), vm.node()), "vm "
                        + vm.name() + " has replicated disks on node " + member + ", which could not be read, so the"
                        + " vm cannot be planned"));
                case NEW -> vm.disks().stream().filter(VmSpec.DiskSpec::replicated)
                        .forEach(disk -> replicas.create(vm, disk, address, diff));
                case PRESENT -> present(desired, placement, replicas, address, diff);
                case UNMANAGED, OTHER_CLUSTER, UNTRUSTED, STALE_COPIES, MOVED, REGISTERED, FAILOVER, FAILOVER_BLOCKED,
                     RETURNING -> {
                    // nothing of its disks changes here: the vm or migration differ says why or moves it
                }
            }
        }
        for (Placement.Removed removed : Placement.removed(desired, observed, options)) {
            if (removed.domain().metadata().protect()) {
                continue; // the vm differ refuses it
            }
            for (VmMetadata.Disk disk : removed.domain().metadata().disks()) {
                if (disk.replicated()) {
                    replicas.delete(removed.domain(), disk, removed.node().spec(), "vm." + removed.domain().name(),
                            diff);
                }
            }
        }
        return diff.build();
    }

    /** A defined vm: its new replicated disks created, its kept ones sized, its removed ones taken down. */
    private static void present(DesiredState desired, Placement placement, Replicas replicas, String address,
                                Diff.Builder diff) {
        VmSpec vm = placement.vm();
        ObservedDomain domain = placement.present();
        Views.DomainView view = Views.domain(desired.cluster(), placement.node().spec(), vm, domain.uuid(),
                replicas.allocation().of(vm.name()), desired::iso);
        List<AttributeChange> comingUp = new ArrayList<>();
        List<AttributeChange> handlers = new ArrayList<>();
        for (VmDisks.Match match : VmDisks.match(vm, domain, view)) {
            if (!match.disk().replicated()) {
                continue;
            }
            switch (match.status()) {
                case NEW -> replicas.create(vm, match.disk(), address, diff);
                case KEPT -> {
                    comingUp.addAll(replicas.bringUp(domain, match.existing(), placement.node().spec(),
                            address + ".up", diff));
                    replicas.resizeOf(vm, match.disk(), match.existing(), domain)
                            .ifPresent(resize -> replicas.resize(resize, domain, address, diff));
                    handlers.addAll(replicas.resourceFiles(vm, match.disk(), match.existing(), domain,
                            address + ".handlers", diff));
                }
                case MOVED, CONVERTED -> {
                    // refused by the vm differ
                }
            }
        }
        if (!comingUp.isEmpty()) {
            diff.change(new ResourceChange(address + ".up", ChangeKind.VM, vm.name(), vm.node(), Action.UPDATE,
                    comingUp, "its DRBD resources are not up on every node of its pair (a node rebooted, or lost"
                    + " power): they are brought up from their resource files and metadata and connect to the peer"));
        }
        if (!handlers.isEmpty()) {
            diff.change(new ResourceChange(address + ".handlers", ChangeKind.VM, vm.name(), vm.node(), Action.UPDATE,
                    handlers, "the resource files of its replicated disks get mcvirt's DRBD handlers (a split brain or"
                    + " a verify finding is logged to the node's journal" + (desired.cluster().notifyCommand()
                    .isPresent() ? " and cluster.notify's command runs" : "") + "); the resources are not touched"));
        }
        if (VmDisks.keepsRemovedDisks(vm, domain)) {
            return;
        }
        for (VmMetadata.Disk removed : VmDisks.removed(vm, domain)) {
            if (removed.replicated()) {
                replicas.delete(domain, removed, placement.node().spec(), address, diff);
            }
        }
    }
}
