package org.mcvirt.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.mcvirt.model.Digests;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Macs;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.state.DiskHealth;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;

/**
 * The planner: desired x observed -> changes and steps. A pure function of its inputs (no node is contacted),
 * so it is tested with hand-built observed state. It resolves derived MACs against the nodes, reports the nodes
 * that could not be read, runs one {@link ResourceDiffer} per resource kind, and composes what they find: changes
 * sorted by address, problems sorted, steps ordered by {@link StepOrder}. The differs: {@link PoolDiffer},
 * {@link NetworkDiffer}, {@link ReplicatedDiskDiffer} (LVs and DRBD resources), {@link MigrationDiffer} (moves and
 * registers), {@link VmDiffer} (the vm's own attributes) and {@link VerifyScheduleDiffer} (the scheduled verify), {@link PermissionsDiffer} (polkit rules);
 * then {@link Capacity} checks that each node of a pair could hold the other's running vms. Problems that make a
 * safe plan impossible are collected in {@link Plan#problems()} instead of being planned around.
 */
public final class Planner {
    private final List<ResourceDiffer> differs;

    /**
     * What each node's read must ask about mcvirt's permissions for this manifest (its polkit rules file, libvirtd's
     * access driver, the users and groups it names).
     */
    public static org.mcvirt.state.StorageReader.PermissionsQuery permissionsQuery(DesiredState desired) {
        return PermissionsDiffer.query(desired);
    }

    public Planner(Renderer renderer) {
        Objects.requireNonNull(renderer, "renderer");
        // One differ per resource kind, each independent of the others: StepOrder relates their steps by subject.
        // Changes of one address keep the order of this list (a move's before the vm's own update).
        this.differs = List.of(new PoolDiffer(renderer), new NetworkDiffer(renderer), new ReplicatedDiskDiffer(renderer),
                new MigrationDiffer(), new VmDiffer(renderer), new VerifyScheduleDiffer(renderer),
                new PermissionsDiffer(renderer), new ImageDiffer(renderer));
    }

    /**
     * Options that narrow a plan. live: a running vm that moves to another node migrates live even when its manifest
     * says {@code migration: offline} (plan and apply --live, migrate --live). adoptVms: vms whose existing unmanaged
     * domain (on the vm's node, named like the vm) is planned as if it carried mcvirt's mark, plus one change that adds
     * the mark ({@code mcvirt import --adopt}; see {@link Adoption}). skipMigrationNetworkCheck: for tests only, a move
     * is planned even when the target has no active network for a nic of the vm, so a live migration the target
     * refuses can be tried (false unless a caller sets it).
     */
    public record Options(Set<String> targetVms, boolean live, Set<String> adoptVms, boolean skipMigrationNetworkCheck,
                          boolean allowDowntime, Set<String> acceptStale) {
        public Options {
            targetVms = Set.copyOf(targetVms);
            adoptVms = adoptVms == null ? Set.of() : Set.copyOf(adoptVms);
            acceptStale = acceptStale == null ? Set.of() : Set.copyOf(acceptStale);
        }

        public Options(Set<String> targetVms, boolean live, Set<String> adoptVms, boolean skipMigrationNetworkCheck) {
            this(targetVms, live, adoptVms, skipMigrationNetworkCheck, false, Set.of());
        }

        public Options(Set<String> targetVms, boolean live, Set<String> adoptVms) {
            this(targetVms, live, adoptVms, false);
        }

        /** These options with the test-only skip of a migration's network check on or off. */
        public Options withSkipMigrationNetworkCheck(boolean skip) {
            return new Options(targetVms, live, adoptVms, skip, allowDowntime, acceptStale);
        }

        /**
         * These options for a node that is not online: allowDowntime lets a vm that cannot leave a node in maintenance
         * be stopped there; acceptStale names the disks ({@code VM/DISK}) whose surviving copy is taken over although it
         * was not UpToDate when the link dropped.
         */
        public Options withNodeLoss(boolean downtime, Set<String> stale) {
            return new Options(targetVms, live, adoptVms, skipMigrationNetworkCheck, downtime, stale);
        }

        public Options(Set<String> targetVms, boolean live) {
            this(targetVms, live, Set.of());
        }

        public Options(Set<String> targetVms) {
            this(targetVms, false);
        }

        boolean adopts(String vm) {
            return adoptVms.contains(vm);
        }

        public static Options all() {
            return new Options(Set.of());
        }

        boolean includes(String vm) {
            return targetVms.isEmpty() || targetVms.contains(vm);
        }

        boolean includesInfrastructure() {
            return targetVms.isEmpty();
        }
    }

    public Plan plan(DesiredState manifest, ObservedState read, Options options) {
        // a node declared offline is never planned from, even when a caller read it
        ObservedState observed = new ObservedState(read.nodes().stream().filter(n -> manifest.node(n.node())
                .map(NodeSpec::contacted).orElse(true)).toList());
        // the two digests hash megabytes at scale and depend on nothing the diff computes: they run alongside it
        CompletableFuture<String> fingerprint =
                CompletableFuture.supplyAsync(observed::fingerprint);
        List<PlanFinding> macProblems = new ArrayList<>();
        if (!options.adoptVms().isEmpty()) {
            // the fingerprint (above) is of what the nodes have; the rest plans with the domains to adopt marked
            Adoption.Marked marked = Adoption.mark(manifest, observed, options);
            macProblems.addAll(marked.problems());
            observed = marked.observed();
        }
        DesiredState withMacs = withLiveMacs(manifest, observed, macProblems);
        CompletableFuture<String> digest =
                CompletableFuture.supplyAsync(() -> manifestDigest(withMacs));
        // where each vm runs: its home, or its peer while the home is in maintenance or offline
        Homes homes = Homes.of(withMacs, options);
        // the sizes of images and ISOs given by URL, as the nodes' probes or copies tell
        DesiredState desired = ImageNeeds.resolved(homes.effective(), observed);
        macProblems.addAll(homes.findings());
        // a mark read back from a node that is not what mcvirt writes: its vm is not planned (Placement), said here once
        Diff diff = Diff.problems(macProblems).plus(unreadNodes(desired, observed))
                .plus(Diff.problems(DomainMarks.findings(desired, observed, options)));
        for (ResourceDiffer differ : differs) {
            diff = diff.plus(differ.diff(desired, observed, options));
        }
        // N+1: a warning, or a problem with cluster.capacity.nPlusOne: enforce (sorted below by the code's kind)
        diff = diff.plus(Diff.problems(Capacity.findings(desired, observed, options)));
        List<ResourceChange> changes = diff.changes().stream()
                .sorted(Comparator.comparing(ResourceChange::address)).toList();
        List<Step> steps = StepOrder.order(nodeByNode(diff.drafts(), desired));
        List<PlanFinding> warnings = new ArrayList<>(observed.nodes().stream().flatMap(n -> n.warnings().stream()
                .map(w -> new PlanFinding(PlanFinding.Code.NODE_WARNING, PlanFinding.Subject.node(n.node()), w)))
                .sorted(Comparator.comparing(PlanFinding::message)).toList());
        // a differ reports warnings (a pool kept because it holds volumes) with its problems
        diff.problems().stream().filter(f -> f.code().warning()).sorted(Comparator.comparing(PlanFinding::message))
                .forEach(warnings::add);
        // DRBD hazards no manifest change fixes: shown with the command that does
        // (not of a vm whose mark cannot be used: the fixes would name its values)
        Set<String> untrusted = new HashSet<>(DomainMarks.untrustedVms(desired, observed));
        // a node back after a failover: the plan discards its copy, so the StandAlone fix (choose a side) is not shown
        untrusted.addAll(returning(observed));
        DiskHealth.of(observed, desired.cluster().name()).stream()
                .filter(f -> options.includes(f.vm()) && !untrusted.contains(f.vm()))
                .map(f -> new PlanFinding(PlanFinding.Code.DISK_HEALTH, PlanFinding.Subject.vm(f.vm(), null), f.text()))
                .forEach(warnings::add);
        return new Plan(Plan.FORMAT_VERSION, desired.cluster().name(), fingerprint.join(), digest.join(),
                desired.nodes().stream().map(PlanNode::of).toList(), changes, steps,
                diff.problems().stream().filter(f -> !f.code().warning())
                        .sorted(Comparator.comparing(PlanFinding::message)).toList(), warnings,
                Plan.Summary.of(changes), Plan.MadeWith.of(options));
    }

    /** The vms failed over from a node that is read again: their return is planned (Migrations.returning). */
    private static Set<String> returning(ObservedState observed) {
        Set<String> vms = new HashSet<>();
        for (NodeObservation node : observed.nodes()) {
            node.drbd().failovers().stream().filter(f -> observed.node(f.from()).filter(NodeObservation::reachable)
                    .isPresent()).forEach(f -> vms.add(f.vm()));
        }
        return vms;
    }

    /** A problem for each node of the manifest that could not be read: nothing is planned on it. */
    private static Diff unreadNodes(DesiredState desired, ObservedState observed) {
        List<PlanFinding> problems = new ArrayList<>();
        for (NodeSpec node : desired.nodes()) {
            if (!node.contacted()) {
                continue; // declared offline: never read (Homes says so)
            }
            Optional<NodeObservation> seen = observed.node(node.name());
            if (seen.isEmpty() || !seen.get().reachable()) {
                String why = seen.map(NodeObservation::error).orElse("not read")
                        .replaceFirst("^node " + Pattern.quote(node.name()) + ": ", "");
                List<String> vms = desired.vms().stream().filter(v -> v.node().equals(node.name()))
                        .map(VmSpec::name).toList();
                problems.add(new PlanFinding(PlanFinding.Code.NODE_NOT_READ, PlanFinding.Subject.node(node.name()),
                        "node " + node.name() + " could not be read, so its networks, storage"
                        + (vms.isEmpty() ? "" : " and vms " + String.join(", ", vms)) + " cannot be planned: " + why));
            }
        }
        return Diff.problems(problems);
    }

    /**
     * The drafts grouped by node in the manifest's node order, each node's drafts in the order the differs gave
     * them: the order the planner produced before it was split into differs. {@link StepOrder} breaks ties in
     * (kind, subject, description) by input order, so this keeps those ties as they were.
     */
    private static List<StepDraft> nodeByNode(List<StepDraft> drafts, DesiredState desired) {
        Map<String, Integer> position = new HashMap<>();
        for (NodeSpec node : desired.nodes()) {
            position.putIfAbsent(node.name(), position.size());
        }
        return drafts.stream()
                .sorted(Comparator.comparingInt((StepDraft d) -> position.getOrDefault(d.node(), Integer.MAX_VALUE)))
                .toList();
    }

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true);

    /**
     * SHA-256 of the desired state the plan was made from: apply with -f refuses a saved plan whose manifests have
     * changed since.
     */
    public static String manifestDigest(DesiredState desired) {
        try {
            return Digests.sha256(CANONICAL.writeValueAsBytes(desired));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Derived MACs decided against the nodes ({@link Macs#assign}): a NIC of an existing vm keeps the MAC it has
     * when that is one of its derived candidates, and no NIC is given a MAC that any domain on a node has, so
     * resolving a collision never changes a live vm and never duplicates a live MAC. MACs from the manifest are
     * taken as they are.
     */
    private static DesiredState withLiveMacs(DesiredState desired, ObservedState observed,
                                             List<PlanFinding> problems) {
        Set<String> taken = new HashSet<>();
        Map<String, Set<String>> live = new HashMap<>();
        for (NodeObservation node : observed.nodes()) {
            for (ObservedDomain domain : node.domains()) {
                boolean ours = domain.managed() && domain.metadata().cluster().equals(desired.cluster().name());
                for (ObservedDomain.ObservedNic nic : domain.nics()) {
                    if (nic.mac() != null) {
                        taken.add(nic.mac());
                        if (ours) {
                            live.computeIfAbsent(domain.name(), n -> new HashSet<>()).add(nic.mac());
                        }
                    }
                }
            }
        }
        desired.vms().forEach(vm -> vm.nics().stream().filter(n -> !n.derived()).forEach(n -> taken.add(n.mac())));
        List<VmSpec> vms = Macs.assign(desired.vms(), taken, live, (vm, i) -> problems.add(new PlanFinding(
                PlanFinding.Code.MAC_ADDRESSES_TAKEN, PlanFinding.Subject.vm(vm.name(), vm.node()), "vm " + vm.name()
                + " nic " + i + ": every one of its " + Macs.CANDIDATES + " derived MAC addresses is in use on the"
                + " nodes; give it a 'mac' in the manifest")));
        return new DesiredState(desired.cluster(), desired.nodes(), desired.networks(), vms, desired.images(), desired.isos());
    }
}
