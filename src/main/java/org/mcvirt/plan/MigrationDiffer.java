package org.mcvirt.plan;

import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;

/**
 * Vms that are not where the manifest puts them ({@link Migrations}): one defined on another node is moved to its
 * node, one defined on no node is registered again from mcvirt's saved copy of its definition, and one defined where
 * it belongs has a copy left on another node or a disk primary on the wrong node settled. Where a vm stands is read
 * once ({@link Placement}); the vm's own attributes are the {@link VmDiffer}'s.
 */
final class MigrationDiffer implements ResourceDiffer {
    @Override
    public Diff diff(DesiredState desired, ObservedState observed, Planner.Options options) {
        Diff.Builder diff = new Diff.Builder();
        Migrations migrations = new Migrations(desired, observed, options);
        for (Placement placement : Placement.of(desired, observed, options)) {
            VmSpec vm = placement.vm();
            NodeSpec node = placement.node().spec();
            switch (placement.kind()) {
                case STALE_COPIES -> diff.problem(PlanFinding.Code.DEFINED_TWICE, PlanFinding.Subject.vm(vm.name(),
                        node.name()), "vm " + vm.name() + " is defined on " + placement.elsewhere()
                        .stream().map(NodeObservation::node).toList() + " and the manifest puts it on " + node.name()
                        + "; undefine the stale copies by hand first");
                case MOVED -> {
                    NodeObservation source = placement.elsewhere().get(0);
                    migrations.migrate(vm, node, placement.node().observation(), source,
                            source.domain(vm.name()).orElseThrow(), diff);
                }
                case REGISTERED -> migrations.register(vm, node, diff);
                case FAILOVER -> migrations.failover(vm, node, diff);
                case RETURNING -> migrations.returning(vm, node, placement.domain(), placement.elsewhere().get(0),
                        diff);
                case FAILOVER_BLOCKED -> diff.problem(PlanFinding.Code.FAILOVER_REFUSED, PlanFinding.Subject.vm(
                        vm.name(), node.name()), "vm " + vm.name() + " is defined on no node mcvirt reads and "
                        + String.join(", ", vm.pair().stream().filter(n -> !n.equals(node.name())).toList())
                        + " of its pair is declared offline, so it is not created anew on " + node.name() + " (its"
                        + " definition and disks may be there); it can be taken over only with "
                        + Migrations.failoverNeeds(vm, node.name(), observed));
                case PRESENT -> present(migrations, placement, diff);
                case PAIR_UNREADABLE, UNMANAGED, OTHER_CLUSTER, UNTRUSTED, NEW -> {
                    // not moved: the vm or disk differ plans it or says why not
                }
            }
        }
        return diff.build();
    }

    private static void present(Migrations migrations, Placement placement, Diff.Builder diff) {
        VmSpec vm = placement.vm();
        String node = placement.node().name();
        ObservedDomain domain = placement.present();
        for (NodeObservation other : placement.elsewhere()) {
            migrations.leftover(vm, node, domain, other, other.domain(vm.name()).orElseThrow(), diff);
        }
        if (placement.elsewhere().isEmpty()) {
            migrations.singlePrimary(vm, node, domain, diff);
        }
        migrations.primaryHere(vm, node, domain, diff);
    }
}
