package org.mcvirt.app;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Sizes;
import org.mcvirt.state.DiskHealth;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;

/** The read-only commands: validate, observe, info (per node and per vm) and list. None takes the lock. */
public final class ClusterViews {
    private final ClusterAccess access;

    public ClusterViews(ClusterAccess access) {
        this.access = access;
    }

    /** Reads and checks the manifests. Contacts no node. */
    public DesiredState validate() throws McvirtException {
        return access.validate();
    }

    /** Reads every node of the manifests. Never changes anything. */
    public Observation observe() throws McvirtException {
        ObservedState observed = read();
        return new Observation(observed, observed.nodes().stream().allMatch(NodeObservation::reachable));
    }

    private ObservedState read() throws McvirtException {
        DesiredState desired = access.validate();
        try (Cluster cluster = access.connect(desired)) {
            return cluster.read();
        }
    }

    /** What is said of a node the manifest declares offline, instead of what was read. */
    static final String OFFLINE = "declared offline in the manifest: not contacted";

    /** The manifest's state of a node ("online" for one it does not have). */
    static String stateOf(DesiredState desired, String node) {
        return desired.node(node).map(n -> n.state().word()).orElse("online");
    }

    /** Every node: address, reachability, versions, VM counts, memory headroom, lock. Read-only. */
    public List<NodeInfo> info() throws McvirtException {
        DesiredState desired = access.validate();
        try (Cluster cluster = access.connect(desired)) {
            return Inspector.nodes(desired, cluster, cluster.read());
        }
    }

    /** One VM wherever it runs, managed or not. Read-only. */
    public VmInfo info(String vm) throws McvirtException {
        DesiredState desired = access.validate();
        try (Cluster cluster = access.connect(desired)) {
            ObservedState observed = cluster.read();
            return Inspector.vm(desired, observed, vm).orElseThrow(() -> new McvirtException(
                    McvirtException.Category.NODE, "no domain named " + vm + " on any reachable node"
                    + observed.nodes().stream().filter(n -> !n.reachable()).map(n -> " (" + n.node() + " could not be read)")
                            .reduce("", String::concat)));
        }
    }

    /** Every domain on every node, managed by mcvirt or not, node by node in the order read. Read-only. */
    public List<NodeDomains> list() throws McvirtException {
        DesiredState desired = access.validate();
        ObservedState observed;
        try (Cluster cluster = access.connect(desired)) {
            observed = cluster.read();
        }
        Map<String, Map<String, List<DiskHealth.Finding>>> health = new HashMap<>();
        Function<String, Map<String, List<DiskHealth.Finding>>> byCluster =
                cluster -> health.computeIfAbsent(cluster, c -> DiskHealth.byVm(observed, c));
        List<NodeDomains> nodes = new ArrayList<>();
        for (NodeObservation node : observed.nodes()) {
            List<DomainRow> rows = node.domains().stream().map(d -> new DomainRow(d.name(), node.node(), d.runState(),
                    d.vcpus(), Sizes.formatKib(d.memoryKib()), d.managed(), disks(d, byCluster))).toList();
            nodes.add(new NodeDomains(node.node(), node.reachable(), node.error(), rows, stateOf(desired,
                    node.node())));
        }
        desired.nodes().stream().filter(n -> !n.contacted()).forEach(n -> nodes.add(new NodeDomains(n.name(), false,
                OFFLINE, List.of(), n.state().word())));
        nodes.sort(java.util.Comparator.comparing(NodeDomains::node));
        return nodes;
    }

    /**
     * The health of a domain's replicated disks: "-" without any, "ok", "syncing", or the kinds of finding
     * ({@link DiskHealth.Kind#label()}), a verify mark first as "MARKED".
     */
    static String disks(ObservedDomain domain, Function<String, Map<String, List<DiskHealth.Finding>>> byCluster) {
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
        List<String> kinds = new ArrayList<>();
        if (findings.stream().anyMatch(f -> f.kind() == DiskHealth.Kind.VERIFY_MARK)) {
            kinds.add("MARKED");
        }
        findings.stream().filter(f -> !f.expected() && f.kind() != DiskHealth.Kind.VERIFY_MARK)
                .map(f -> f.kind().label()).distinct().forEach(kinds::add);
        return String.join(",", kinds);
    }
}
