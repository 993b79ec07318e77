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

    @Override
    public Integer call() throws Exception {
        ObservedState observed = parent.mcvirt().observe();
        var out = spec.commandLine().getOut();
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
