package org.mcvirt.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.mcvirt.state.DiskHealth;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;
import picocli.CommandLine.Command;
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
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Option(names = "--json", description = "Print JSON: one object per domain, and the"
            + " unreachable nodes.")
    boolean json;

    /** One row of the list, as --json prints it. */
    record Row(String name, String node, String state, int cpus, String memory, boolean managed, String disks) {
    }

    /**
     * The health of a domain's replicated disks: "-" without any, "ok", "syncing", or the kinds of finding
     * ({@link DiskHealth.Kind#label()}), a verify mark first as "MARKED".
     */
    static String disks(ObservedDomain domain, java.util.function.Function<String, java.util.Map<String,
            List<DiskHealth.Finding>>> byCluster) {
        if (domain.metadata() == null || domain.metadata().disks().stream().noneMatch(d -> d.resource() != null)) {
            return "-";
        }
        List<DiskHealth.Finding> findings = byCluster.apply(domain.metadata().cluster())
                .getOrDefault(domain.name(), List.of());
        if (findings.isEmpty()) {
            return "ok";
        }
        if (findings.stream().allMatch(DiskHealth.Finding::expected)) {
            return "syncing";
        }
        List<String> kinds = new java.util.ArrayList<>();
        if (findings.stream().anyMatch(f -> f.kind() == DiskHealth.Kind.VERIFY_MARK)) {
            kinds.add("MARKED");
        }
        findings.stream().filter(f -> !f.expected() && f.kind() != DiskHealth.Kind.VERIFY_MARK)
                .map(f -> f.kind().label()).distinct().forEach(kinds::add);
        return String.join(",", kinds);
    }

    @Override
    public Integer call() throws Exception {
        ObservedState observed = parent.mcvirt().observe();
        java.util.Map<String, java.util.Map<String, List<DiskHealth.Finding>>> health = new java.util.HashMap<>();
        java.util.function.Function<String, java.util.Map<String, List<DiskHealth.Finding>>> byCluster =
                cluster -> health.computeIfAbsent(cluster, c -> DiskHealth.byVm(observed, c));
        var out = spec.commandLine().getOut();
        boolean reachable = observed.nodes().stream().allMatch(NodeObservation::reachable);
        if (json) {
            java.util.Map<String, Object> document = new java.util.LinkedHashMap<>();
            document.put("domains", observed.nodes().stream().flatMap(n -> n.domains().stream().map(d -> new Row(d.name(),
                    n.node(), d.runState(), d.vcpus(), org.mcvirt.model.Sizes.formatKib(d.memoryKib()), d.managed(),
                    disks(d, byCluster))))
                    .toList());
            document.put("unreachable", observed.nodes().stream().filter(n -> !n.reachable())
                    .map(n -> java.util.Map.of("node", n.node(), "error", n.error())).toList());
            out.println(JsonOutput.write(document));
            return reachable ? ExitCodes.OK : ExitCodes.ERROR;
        }
        out.printf("%-20s %-12s %-14s %-5s %-8s %-8s %s%n", "NAME", "NODE", "STATE", "CPUS", "MEMORY", "DISKS",
                "MANAGED");
        boolean allRead = true;
        for (NodeObservation node : observed.nodes()) {
            if (!node.reachable()) {
                out.printf("%-20s %-12s %s%n", "-", node.node(), "UNREACHABLE: " + node.error());
                allRead = false;
                continue;
            }
            for (ObservedDomain domain : node.domains()) {
                out.printf("%-20s %-12s %-14s %-5d %-8s %-8s %s%n", domain.name(), node.node(), domain.runState(),
                        domain.vcpus(), org.mcvirt.model.Sizes.formatKib(domain.memoryKib()), disks(domain, byCluster),
                        domain.managed() ? "yes" : "no (never changed)");
            }
        }
        return allRead ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
