package org.mcvirt.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mcvirt.app.ClusterViews;
import org.mcvirt.app.DomainRow;
import org.mcvirt.app.NodeDomains;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "list", description = {"List every domain on every node: managed by mcvirt or not, and its state.",
    "DISKS marks the vms whose replicated disks need attention (disconnected, degraded, out of sync, marked by a"
            + " verify); 'mcvirt info VM' says what and how to fix it.",
    "Exits 1 when a node cannot be read (the others are still listed).",
    "",
    "Example:",
    "  mcvirt list --json | jq '.domains[] | select(.disks != \"ok\" and .disks != \"-\")'"})
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON: one object per domain, and the"
            + " unreachable nodes.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<NodeDomains> nodes = new ClusterViews(parent.access()).list();
        var out = spec.commandLine().getOut();
        boolean reachable = nodes.stream().noneMatch(NodeDomains::failed);
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("domains", nodes.stream().flatMap(n -> n.domains().stream()).toList());
            document.put("unreachable", nodes.stream().filter(NodeDomains::failed)
                    .map(n -> Map.of("node", n.node(), "error", n.error())).toList());
            document.put("nodeStates", nodes.stream().collect(java.util.stream.Collectors.toMap(NodeDomains::node,
                    NodeDomains::state, (a, b) -> a, java.util.TreeMap::new)));
            out.println(JsonOutput.write(document));
            return reachable ? ExitCodes.OK : ExitCodes.ERROR;
        }
        out.printf("%-20s %-12s %-14s %-5s %-8s %-8s %s%n", "NAME", "NODE", "STATE", "CPUS", "MEMORY", "DISKS",
                "MANAGED");
        boolean allRead = true;
        for (NodeDomains node : nodes) {
            if (!node.reachable()) {
                out.printf("%-20s %-12s %s%n", "-", node.node(), node.failed() ? "UNREACHABLE: " + node.error()
                        : node.state().toUpperCase(java.util.Locale.ROOT) + ": " + node.error());
                allRead = allRead && !node.failed();
                continue;
            }
            for (DomainRow domain : node.domains()) {
                out.printf("%-20s %-12s %-14s %-5d %-8s %-8s %s%n", domain.name(), domain.node(), domain.state(),
                        domain.cpus(), domain.memory(), domain.disks(),
                        domain.managed() ? "yes" : "no (never changed)");
            }
        }
        return allRead ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
