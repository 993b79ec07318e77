package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Views;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;

/**
 * Planning the adoption of unmanaged domains ({@code mcvirt import --adopt}): each vm to adopt whose domain on its node
 * has no mark is given, in the observed state the planner works on, the mark mcvirt would write for it (its disks
 * as the manifest places them, a replicated disk with the minor and port its resource has on the node). The plan is
 * then an ordinary one: nothing but the mark ({@link VmDiffer}) when the manifest describes the domain as it is, and
 * every difference shown otherwise. Since the mark only names what the manifest says, the domain's real disks are
 * checked against it here: a manifest disk that is not the domain's disk at that target, bus and source is a problem,
 * never a mark that claims it.
 */
final class Adoption {
    private Adoption() {
    }

    /** The observed state with the provisional marks, and why a vm cannot be adopted. */
    record Marked(ObservedState observed, List<PlanFinding> problems) {
        Marked {
            problems = List.copyOf(problems);
        }
    }

    private static PlanFinding refused(String vm, String node, String message) {
        return new PlanFinding(PlanFinding.Code.ADOPTION_REFUSED, PlanFinding.Subject.vm(vm, node), message);
    }

    static Marked mark(DesiredState desired, ObservedState observed, Planner.Options options) {
        List<PlanFinding> problems = new ArrayList<>();
        DrbdAllocation allocation = DrbdAllocation.of(desired, observed, DrbdAllocation.minorsInUse(observed),
                DrbdAllocation.portsInUse(observed));
        List<NodeObservation> nodes = new ArrayList<>();
        for (NodeObservation node : observed.nodes()) {
            List<ObservedDomain> domains = new ArrayList<>();
            for (ObservedDomain domain : node.domains()) {
                Optional<VmSpec> vm = desired.vm(domain.name()).filter(v -> options.adopts(v.name())
                        && v.node().equals(node.node()));
                if (vm.isEmpty() || domain.managed()) {
                    domains.add(domain);
                    continue;
                }
                Optional<VmMetadata> mark = mark(desired, vm.get(), domain, allocation, problems);
                domains.add(mark.map(m -> withMark(domain, m)).orElse(domain));
            }
            nodes.add(new NodeObservation(node.node(), node.reachable(), node.error(), node.libvirtVersion(),
                    node.hypervisorVersion(), domains, node.networks(), node.pools(), node.warnings(), node.lvm(),
                    node.drbd(), node.journal(), node.freeMemoryBytes(), node.totalMemoryBytes(),
                    node.savedDefinitions(), node.permissions()));
        }
        for (String name : options.adoptVms().stream().sorted().toList()) {
            Optional<VmSpec> vm = desired.vm(name);
            if (vm.isEmpty()) {
                problems.add(refused(name, null, "vm " + name + " cannot be adopted: it is not in the manifests"));
            } else if (observed.node(vm.get().node()).flatMap(n -> n.domain(name)).isEmpty()) {
                problems.add(refused(name, vm.get().node(), "vm " + name + " cannot be adopted: node " + vm.get().node()
                        + " has no domain " + name));
            }
        }
        return new Marked(new ObservedState(nodes), problems);
    }

    private static Optional<VmMetadata> mark(DesiredState desired, VmSpec vm, ObservedDomain domain,
                                             DrbdAllocation allocation, List<PlanFinding> problems) {
        String cannot = "vm " + vm.name() + " cannot be adopted: ";
        if (!domain.persistent()) {
            problems.add(refused(vm.name(), vm.node(), cannot + "domain " + vm.name() + " is transient (not defined);"
                    + " mcvirt manages defined domains"));
            return Optional.empty();
        }
        NodeSpec node = desired.node(vm.node()).orElseThrow();
        Views.DomainView view;
        try {
            view = Views.domain(desired.cluster(), node, vm, domain.uuid(), allocation.of(vm.name()), desired::iso);
        } catch (IllegalArgumentException e) {
            problems.add(refused(vm.name(), vm.node(), cannot + e.getMessage()));
            return Optional.empty();
        }
        boolean matches = true;
        for (Views.DiskView disk : view.disks()) {
            Optional<ObservedDomain.ObservedDisk> seen = domain.disks().stream()
                    .filter(d -> disk.target().equals(d.target())).findFirst();
            if (seen.isEmpty() || !disk.source().equals(seen.get().source()) || !disk.bus().equals(seen.get().bus())) {
                problems.add(refused(vm.name(), vm.node(), cannot + "the manifest's disk " + disk.name() + " is "
                        + disk.source() + " as "
                        + disk.target() + " (" + disk.bus() + ") but the domain has " + seen.map(d -> d.source() + " as "
                        + d.target() + " (" + d.bus() + ")").orElse("no disk " + disk.target())));
                matches = false;
            }
        }
        if (!matches) {
            return Optional.empty();
        }
        VmMetadata mark = new VmMetadata(desired.cluster().name(), vm.name(), vm.protect(), view.metadata().disks()
                .stream().map(d -> d.drbd() == null ? new VmMetadata.Disk(d.name(), d.storage(), d.target(), d.source())
                        : new VmMetadata.Disk(d.name(), d.storage(), d.target(), d.source(), d.drbd().resource(),
                        d.drbd().minor(), d.drbd().port())).toList(), view.metadata().pair());
        // a kept DRBD minor or port outside the cluster's ranges would make the mark one no later plan uses
        List<String> wrong = DomainMarks.problems(desired, vm.name(), mark);
        if (!wrong.isEmpty()) {
            problems.add(refused(vm.name(), vm.node(), cannot + String.join("; ", wrong)
                    + " (widen cluster.drbd's ranges to include them)"));
            return Optional.empty();
        }
        return Optional.of(mark);
    }

    private static ObservedDomain withMark(ObservedDomain domain, VmMetadata mark) {
        return new ObservedDomain(domain.name(), domain.uuid(), domain.active(), domain.runState(), domain.persistent(),
                domain.autostart(), domain.vcpus(), domain.memoryKib(), domain.liveVcpus(), domain.liveMemoryKib(),
                domain.disks(), domain.nics(), domain.vncPort(), mark, domain.definition());
    }
}
