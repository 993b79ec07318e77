package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedNetwork;
import org.mcvirt.state.ObservedState;

/**
 * Networks: every manifest network on every node, as the libvirt network {@code mcvirt.CLUSTER.NAME}. Created when
 * missing, started when stopped, replaced (delete, then create) when it differs, since libvirt networks cannot be
 * changed in place; one of this cluster's networks that the manifest no longer has is deleted.
 */
final class NetworkDiffer implements ResourceDiffer {
    private final Renderer renderer;

    NetworkDiffer(Renderer renderer) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    @Override
    public Diff diff(DesiredState desired, ObservedState observed, Planner.Options options) {
        if (!options.includesInfrastructure()) {
            return Diff.EMPTY;
        }
        Diff.Builder diff = new Diff.Builder();
        for (ReadNode node : ResourceDiffer.readNodes(desired, observed)) {
            for (NetworkSpec network : desired.networks()) {
                network(desired, node, network, diff);
            }
            removed(desired, node, diff);
        }
        return diff.build();
    }

    private void network(DesiredState desired, ReadNode node, NetworkSpec network, Diff.Builder diff) {
        NodeObservation obs = node.observation();
        String name = Names.networkName(desired.cluster().name(), network.name());
        String address = "network." + network.name() + "@" + node.name();
        String subject = Subjects.network(node.name(), name);
        Views.NetworkView view = Views.network(desired.cluster(), network);
        Optional<ObservedNetwork> seen = obs.network(name);
        List<AttributeChange> wanted = List.of(
                new AttributeChange("forward", null, view.nat() ? "nat" : "bridge", Effect.LIVE),
                new AttributeChange("bridge", null, view.bridgeName(), Effect.LIVE),
                new AttributeChange("address", null, view.gateway(), Effect.LIVE),
                new AttributeChange("netmask", null, view.netmask(), Effect.LIVE),
                new AttributeChange("dhcp", null, range(view.dhcpStart(), view.dhcpEnd()), Effect.LIVE));
        Optional<ObservedNetwork> clash = obs.networks().stream()
                .filter(n -> !n.name().equals(view.name()) && n.active()
                        && (Objects.equals(n.bridge(), view.bridgeName())
                            || view.gateway() != null && Objects.equals(n.address(), view.gateway())))
                .findFirst();
        if (clash.isPresent() && (seen.isEmpty() || !seen.get().active())) {
            diff.problem(PlanFinding.Code.NETWORK_CLASH, PlanFinding.Subject.network(network.name(), node.name()),
                    "network " + network.name() + " on node " + node.name() + ": the active network "
                    + clash.get().name() + " already uses " + (Objects.equals(clash.get().bridge(), view.bridgeName())
                    ? "bridge " + view.bridgeName() : "address " + view.gateway() + " (" + network.cidr() + ")")
                    + "; choose another " + (network.nat() ? "cidr" : "bridge"));
            return;
        }
        if (seen.isEmpty()) {
            diff.change(new ResourceChange(address, ChangeKind.NETWORK, network.name(), node.name(), Action.CREATE,
                    wanted.stream().filter(a -> a.after() != null).toList(), "network does not exist"));
            diff.step(node.name(), subject, List.of(), address,
                    "create network " + name, new StepPayload.CreateNetwork(name, renderer.network(view)));
            return;
        }
        ObservedNetwork current = seen.get();
        List<AttributeChange> differences = new ArrayList<>();
        String[] before = {current.forwardMode(), current.bridge(), current.address(), current.netmask(),
            range(current.dhcpStart(), current.dhcpEnd())};
        for (int i = 0; i < wanted.size(); i++) {
            if (!Objects.equals(before[i], wanted.get(i).after())) {
                differences.add(new AttributeChange(wanted.get(i).name(), before[i], wanted.get(i).after(), Effect.LIVE));
            }
        }
        if (!differences.isEmpty()) {
            diff.change(new ResourceChange(address, ChangeKind.NETWORK, network.name(), node.name(), Action.REPLACE,
                    differences, "libvirt networks cannot be changed in place"));
            List<String> users = obs.domains().stream().filter(d -> d.nics().stream()
                    .anyMatch(n -> name.equals(n.source())) && d.active()).map(ObservedDomain::name).toList();
            if (!users.isEmpty()) {
                diff.problem(PlanFinding.Code.NETWORK_IN_USE, PlanFinding.Subject.network(network.name(), node.name()),
                        "network " + network.name() + " on node " + node.name() + " must be replaced but"
                        + " running vms use it: " + String.join(", ", users) + "; stop them first");
            }
            diff.step(node.name(), subject, List.of(), address,
                    "delete network " + name, new StepPayload.DeleteNetwork(name));
            diff.step(node.name(), subject, List.of(), address,
                    "create network " + name, new StepPayload.CreateNetwork(name, renderer.network(view)));
        } else if (!current.active()) {
            diff.change(new ResourceChange(address, ChangeKind.NETWORK, network.name(), node.name(), Action.UPDATE,
                    List.of(new AttributeChange("active", "false", "true", Effect.LIVE)), "network is stopped"));
            diff.step(node.name(), subject, List.of(), address,
                    "start network " + name, new StepPayload.StartNetwork(name));
        }
    }

    /** This cluster's networks on the node that the manifest no longer has. */
    private static void removed(DesiredState desired, ReadNode node, Diff.Builder diff) {
        NodeObservation obs = node.observation();
        for (ObservedNetwork current : obs.networks()) {
            String name = Names.manifestName(desired.cluster().name(), current.name()).orElse(null);
            if (name != null && desired.network(name).isEmpty()) {
                String address = "network." + name + "@" + node.name();
                diff.change(new ResourceChange(address, ChangeKind.NETWORK, name, node.name(), Action.DELETE,
                        List.of(new AttributeChange("forward", current.forwardMode(), null, Effect.LIVE)),
                        "network is not in the manifest"));
                List<String> users = obs.domains().stream().filter(d -> d.nics().stream()
                        .anyMatch(n -> current.name().equals(n.source()))).map(ObservedDomain::name).toList();
                users.stream().filter(u -> desired.vm(u).isPresent()).forEach(u -> diff.problem(
                        PlanFinding.Code.NETWORK_IN_USE, PlanFinding.Subject.network(name, node.name()), "network " + name
                        + " on node " + node.name() + " is to be destroyed but vm " + u + " still uses it"));
                diff.step(node.name(), Subjects.network(node.name(), current.name()), List.of(),
                        address, "delete network " + current.name(), new StepPayload.DeleteNetwork(current.name()));
            }
        }
    }

    /** A DHCP range as the plan shows it: "first-last", null when the network has none. */
    private static String range(String start, String end) {
        return start == null && end == null ? null : start + "-" + end;
    }
}
