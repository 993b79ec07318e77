package org.mcvirt.cli;

import java.util.concurrent.Callable;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "list", description = {"List every domain on every node: managed by mcvirt or not, and its state.",
    "Exits 1 when a node cannot be read (the others are still listed)."})
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Option(names = "--json", description = "Print JSON: one object per domain, and the"
            + " unreachable nodes.")
    boolean json;

    /** One row of the list, as --json prints it. */
    record Row(String name, String node, String state, int cpus, String memory, boolean managed) {
    }

    @Override
    public Integer call() throws Exception {
        ObservedState observed = parent.mcvirt().observe();
        var out = spec.commandLine().getOut();
        boolean reachable = observed.nodes().stream().allMatch(NodeObservation::reachable);
        if (json) {
            java.util.Map<String, Object> document = new java.util.LinkedHashMap<>();
            document.put("domains", observed.nodes().stream().flatMap(n -> n.domains().stream().map(d -> new Row(d.name(),
                    n.node(), d.runState(), d.vcpus(), org.mcvirt.model.Sizes.formatKib(d.memoryKib()), d.managed())))
                    .toList());
            document.put("unreachable", observed.nodes().stream().filter(n -> !n.reachable())
                    .map(n -> java.util.Map.of("node", n.node(), "error", n.error())).toList());
            out.println(JsonOutput.write(document));
            return reachable ? ExitCodes.OK : ExitCodes.ERROR;
        }
        out.printf("%-20s %-12s %-14s %-5s %-8s %s%n", "NAME", "NODE", "STATE", "CPUS", "MEMORY", "MANAGED");
        boolean allRead = true;
        for (NodeObservation node : observed.nodes()) {
            if (!node.reachable()) {
                out.printf("%-20s %-12s %s%n", "-", node.node(), "UNREACHABLE: " + node.error());
                allRead = false;
                continue;
            }
            for (ObservedDomain domain : node.domains()) {
                out.printf("%-20s %-12s %-14s %-5d %-8s %s%n", domain.name(), node.node(), domain.runState(),
                        domain.vcpus(), org.mcvirt.model.Sizes.formatKib(domain.memoryKib()),
                        domain.managed() ? "yes" : "no (never changed)");
            }
        }
        return allRead ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
