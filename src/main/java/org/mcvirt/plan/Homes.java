package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.VmSpec;

/**
 * Where each vm of the manifest runs: a vm's {@code node} is its home, and it runs there while that node is online.
 * While its home is in maintenance or declared offline it runs on the other node of its pair, when that one is online.
 * The differs plan from the effective state this gives (a vm's node replaced by where it runs), so leaving a node for
 * maintenance is a move, coming back is a move home, and a failover is a register on the survivor.
 *
 * <p>What cannot follow: a vm with no replicated disk (or whose peer is not online either) stays on its home; in
 * maintenance a running one is refused unless --allow-downtime (then it is stopped there), on an offline node it is
 * down until the node returns (a warning). A node declared offline is said once, before anything else in the plan.
 */
record Homes(DesiredState effective, List<PlanFinding> findings) {
    Homes {
        findings = List.copyOf(findings);
    }

    static Homes of(DesiredState desired, Planner.Options options) {
        List<PlanFinding> findings = new ArrayList<>();
        for (NodeSpec node : desired.nodes()) {
            if (node.state() == NodeSpec.State.OFFLINE) {
                List<String> vms = desired.vms().stream().filter(v -> v.node().equals(node.name()))
                        .map(VmSpec::name).toList();
                findings.add(new PlanFinding(PlanFinding.Code.NODE_OFFLINE, PlanFinding.Subject.node(node.name()),
                        node.name() + " is declared offline: mcvirt will not contact it. Make sure it is powered off;"
                                + " if it still runs " + (vms.isEmpty() ? "vms" : "these vms (" + String.join(", ", vms)
                                + ")") + ", their copies diverge (split brain)."));
            }
        }
        List<VmSpec> vms = new ArrayList<>();
        for (VmSpec vm : desired.vms()) {
            vms.add(placed(desired, vm, options, findings));
        }
        return new Homes(new DesiredState(desired.cluster(), desired.nodes(), desired.networks(), vms, desired.images(), desired.isos()), findings);
    }

    private static VmSpec placed(DesiredState desired, VmSpec vm, Planner.Options options,
                                 List<PlanFinding> findings) {
        Optional<NodeSpec> home = desired.node(vm.node());
        if (home.isEmpty() || home.get().hostsItsVms()) {
            return vm;
        }
        NodeSpec.State state = home.get().state();
        Optional<String> peer = vm.replicated() ? vm.peer() : Optional.empty();
        Optional<NodeSpec> runsOn = peer.flatMap(desired::node).filter(NodeSpec::hostsItsVms);
        if (runsOn.isPresent()) {
            return vm.withPlacement(runsOn.get().name(), vm.state());
        }
        String why = vm.replicated() ? "its peer " + peer.orElse("?") + " is not online either"
                : "it has no replicated disk";
        if (state == NodeSpec.State.OFFLINE) {
            if (options.includes(vm.name()) && vm.state() == VmSpec.PowerState.RUNNING) {
                findings.add(new PlanFinding(PlanFinding.Code.VM_DOWN, PlanFinding.Subject.vm(vm.name(), vm.node()),
                        "vm " + vm.name() + " is down with its node " + vm.node() + " (declared offline) and cannot"
                                + " run elsewhere: " + why));
            }
            return vm;
        }
        if (vm.state() == VmSpec.PowerState.RUNNING && options.includes(vm.name())) {
            if (!options.allowDowntime()) {
                findings.add(new PlanFinding(PlanFinding.Code.FAILOVER_REFUSED, PlanFinding.Subject.vm(vm.name(),
                        vm.node()), "vm " + vm.name() + " cannot leave " + vm.node() + " for its maintenance ("
                        + why + "); it would be stopped there: apply with --allow-downtime to stop it"));
                return vm;
            }
            return vm.withPlacement(vm.node(), VmSpec.PowerState.STOPPED);
        }
        return vm;
    }
}
