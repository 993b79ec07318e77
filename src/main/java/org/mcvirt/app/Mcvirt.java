package org.mcvirt.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mcvirt.apply.ApplyListener;
import org.mcvirt.apply.Executor;
import org.mcvirt.apply.JournalingStepRunner;
import org.mcvirt.apply.LibvirtStepRunner;
import org.mcvirt.apply.StepRunner;
import org.mcvirt.apply.StepOutcome;
import org.mcvirt.manifest.ManifestException;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.PlanCodec;
import org.mcvirt.plan.PlanFinding;
import org.mcvirt.plan.Planner;
import org.mcvirt.render.Renderer;
import org.mcvirt.state.ObservedState;

/** The use cases the commands call. Each reads the manifests, talks to the nodes and returns values. */
public final class Mcvirt {
    private final List<Path> manifests;
    private final Optional<Path> templates;
    private final java.time.Duration nodeTimeout;

    public Mcvirt(List<Path> manifests, Optional<Path> templates) {
        this(manifests, templates, Cluster.DEFAULT_NODE_TIMEOUT);
    }

    /** @param nodeTimeout how long any one node may take to connect, to be read, or to answer one command */
    public Mcvirt(List<Path> manifests, Optional<Path> templates, java.time.Duration nodeTimeout) {
        this.manifests = List.copyOf(manifests);
        this.templates = templates;
        this.nodeTimeout = nodeTimeout;
    }

    private Cluster connect(DesiredState desired) {
        return Cluster.connect(desired.cluster().name(), desired.nodes(), nodeTimeout);
    }

    /**
     * Reads the manifests and connects to their nodes, starting each libvirt connection as soon as its node is read
     * (while the rest of the manifests is read and checked).
     */
    private Cluster validateAndConnect(DesiredState[] desired) throws McvirtException {
        Preconnect preconnect = new Preconnect(nodeTimeout);
        try {
            try {
                desired[0] = ManifestLoader.load(manifests, preconnect::offer);
            } catch (ManifestException e) {
                throw new McvirtException(McvirtException.Category.MANIFEST, e.getMessage(), e);
            }
            return Cluster.connect(desired[0].cluster().name(), desired[0].nodes(), nodeTimeout, preconnect);
        } finally {
            preconnect.discard();
        }
    }

    public DesiredState validate() throws McvirtException {
        try {
            return ManifestLoader.load(manifests);
        } catch (ManifestException e) {
            throw new McvirtException(McvirtException.Category.MANIFEST, e.getMessage(), e);
        }
    }

    /** Reads the cluster and plans. Never changes anything. */
    public Plan plan(Planner.Options options) throws McvirtException {
        return readAndPlan(options, (desired, observed, plan, cluster) -> withInterruptedApply(plan, cluster,
                observed));
    }

    /** What a read-only command does with the manifests, the cluster as read, its plan, and the cluster itself. */
    @FunctionalInterface
    interface PlanUse<T> {
        T use(DesiredState desired, ObservedState observed, Plan plan, Cluster cluster) throws McvirtException;
    }

    /** Reads the manifests and the cluster, plans, and hands all of it to use. Never changes anything. */
    <T> T readAndPlan(Planner.Options options, PlanUse<T> use) throws McvirtException {
        DesiredState[] desired = new DesiredState[1];
        try (Cluster cluster = validateAndConnect(desired)) {
            ObservedState observed = cluster.read();
            return use.use(desired[0], observed, plan(desired[0], observed, options), cluster);
        }
    }

    /**
     * The last apply, if it stopped part-way (killed, crashed, or its controller lost) and is not running now, from
     * the journal tails read with the nodes' state.
     */
    static Optional<org.mcvirt.state.Journal.Interrupted> interruptedApply(Cluster cluster, ObservedState observed) {
        Map<String, List<org.mcvirt.state.Journal.Entry>> journals = new java.util.TreeMap<>();
        observed.nodes().stream().filter(org.mcvirt.state.NodeObservation::reachable)
                .forEach(n -> journals.put(n.node(), n.journal()));
        if (org.mcvirt.state.Journal.lastInterrupted(journals, null).isEmpty()) {
            return Optional.empty();
        }
        // an apply that holds the lock right now is running, not interrupted (the lock is read only in this case)
        String active = ClusterLock.status(cluster).stream()
                .filter(l -> l.holder() != null && ClusterLock.isActive(l.holder())).map(l -> l.holder().token())
                .findFirst().orElse(null);
        return org.mcvirt.state.Journal.lastInterrupted(journals, active);
    }

    private static Plan withInterruptedApply(Plan plan, Cluster cluster, ObservedState observed) {
        if (!plan.hasChanges()) {
            return plan; // whatever an interrupted apply left undone is done: nothing to complete
        }
        Optional<org.mcvirt.state.Journal.Interrupted> interrupted = interruptedApply(cluster, observed);
        if (interrupted.isEmpty()) {
            return plan;
        }
        return plan.withWarning(new PlanFinding(PlanFinding.Code.INTERRUPTED_APPLY,
                PlanFinding.Subject.cluster(plan.cluster()), interrupted.get().describe()));
    }

    /** Plans with the templates; a broken one (most likely an override from --templates) is a TEMPLATE error. */
    private Plan plan(DesiredState desired, ObservedState observed, Planner.Options options) throws McvirtException {
        try {
            return new Planner(new Renderer(templates)).plan(desired, observed, options.withSkipMigrationNetworkCheck(
                    "1".equals(System.getenv("MCVIRT_TEST_SKIP_MIGRATION_NETWORK_CHECK"))));
        } catch (Renderer.RenderException e) {
            throw new McvirtException(McvirtException.Category.TEMPLATE, e.getMessage(), e);
        }
    }

    /** Reads every node of the manifests. Never changes anything. */
    public ObservedState observe() throws McvirtException {
        DesiredState desired = validate();
        try (Cluster cluster = connect(desired)) {
            return cluster.read();
        }
    }

    /** Every node: address, reachability, versions, VM counts, lock. Read-only. */
    public List<NodeInfo> info() throws McvirtException {
        DesiredState desired = validate();
        try (Cluster cluster = connect(desired)) {
            return Inspector.nodes(desired, cluster, cluster.read());
        }
    }

    /** One VM wherever it runs, managed or not. Read-only. */
    public VmInfo info(String vm) throws McvirtException {
        DesiredState desired = validate();
        try (Cluster cluster = connect(desired)) {
            ObservedState observed = cluster.read();
            return Inspector.vm(desired, observed, vm).orElseThrow(() -> new McvirtException(
                    McvirtException.Category.NODE, "no domain named " + vm + " on any reachable node"
                    + observed.nodes().stream().filter(n -> !n.reachable()).map(n -> " (" + n.node() + " could not be read)")
                            .reduce("", String::concat)));
        }
    }

    /**
     * Removes a node from the manifest (editing the file in place). Refuses while vms live there, in the manifest
     * or on the node, naming them; a node that cannot be read is only removed with force.
     */
    public String removeNode(String node, boolean force, String command) throws McvirtException {
        DesiredState desired = validate();
        if (desired.node(node).isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "no node named " + node + " in the manifests");
        }
        List<String> declared = desired.vms().stream().filter(v -> v.node().equals(node)).map(v -> v.name()).toList();
        if (!declared.isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "node " + node + " still has vms in the manifest: "
                    + String.join(", ", declared) + "; move them to another node (or remove them) and apply first");
        }
        try (Cluster cluster = connect(desired)) {
            ObservedState observed = cluster.read();
            var seen = observed.node(node).orElseThrow();
            if (!seen.reachable() && !force) {
                throw new McvirtException(McvirtException.Category.NODE, "node " + node + " cannot be read, so mcvirt"
                        + " cannot check that no vm or disk lives there (" + seen.error() + "); use --force to remove it"
                        + " from the manifest anyway");
            }
            List<String> living = seen.domains().stream().filter(d -> d.managed()
                    && d.metadata().cluster().equals(desired.cluster().name())).map(d -> d.name()).toList();
            if (!living.isEmpty()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vms of this cluster still live on node "
                        + node + ": " + String.join(", ", living) + " (with their disks); migrate or destroy them first");
            }
            try (ClusterLock lock = seen.reachable() ? ClusterLock.acquire(cluster, command) : null) {
                var item = org.mcvirt.manifest.ManifestEditor.findNode(manifests, node).orElseThrow(
                        () -> new McvirtException(McvirtException.Category.REFUSED, "cannot find node " + node
                                + " as a list item in the manifest files; remove it by hand"));
                org.mcvirt.manifest.ManifestEditor.removeNode(item);
                return "Removed node " + node + " from " + item.file() + " (lines " + item.firstLine() + "-"
                        + (item.endLine() - 1) + "). Networks and storage pools mcvirt made on it were left as they are.";
            }
        } catch (java.io.IOException e) {
            throw new McvirtException(McvirtException.Category.REFUSED, "cannot edit the manifest: " + e.getMessage(), e);
        }
    }

    /** What add-node needs to know; identityFile's ".pub" sibling is the key installed on the node. */
    public record NodeEnrolmentRequest(String node, String address, String user, int port, Path identityFile,
                                       Path knownHosts, String expectedFingerprint) {
    }

    /** Confirms a host key with the operator; returns false to refuse it. */
    @FunctionalInterface
    public interface HostKeyConfirmation {
        boolean confirm(String node, String endpoint, String type, String fingerprint) throws McvirtException;
    }

    /** Supplies the node's login password once. */
    @FunctionalInterface
    public interface PasswordSource {
        char[] password(String node, String endpoint, String user) throws McvirtException;
    }

    /**
     * Adds a node: shows and records its host key, logs in once with a password to install mcvirt's public key,
     * checks the node over key authentication (tools, libvirt, no colliding vms), then adds it to the manifest.
     * Returns what was done, for the operator.
     */
    public String addNode(NodeEnrolmentRequest request, HostKeyConfirmation confirmation, PasswordSource passwords)
            throws McvirtException {
        DesiredState desired = validate();
        AddNode adder = new AddNode(manifests, desired, request);
        return adder.run(confirmation, passwords);
    }

    public static Plan readPlanFile(Path file) throws McvirtException {
        try {
            return PlanCodec.fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.PLAN, "cannot read plan file " + file + ": " + e.getMessage());
        } catch (PlanCodec.InvalidPlanException e) {
            throw new McvirtException(McvirtException.Category.PLAN, "plan file " + file + " is not a valid mcvirt plan: "
                    + e.getMessage());
        }
    }

    /**
     * The plan that was applied, what happened to each of its steps (empty when it had no changes), the nodes that
     * stopped answering (with why) and the nodes where the cluster lock could not be released.
     */
    public record ApplyResult(Plan plan, List<StepOutcome> outcomes, Map<String, String> stalled,
                              List<String> lockLeftOn) {
    }

    /**
     * What apply was asked to do. stepTimeout bounds each step; a shutdown step also gets the shutdown timeout, and an
     * initial DRBD sync the sync timeout (waits by design, with progress).
     */
    public record ApplyOptions(boolean allowDestroy, int parallelism, long shutdownTimeoutSeconds,
                               java.time.Duration stepTimeout, java.time.Duration syncTimeout, String command) {
    }

    /** The LVM/DRBD operations of a node, over its command transport. */
    private static org.mcvirt.node.StoragePrimitives storage(Cluster cluster, String node)
            throws org.mcvirt.node.NodeException {
        try {
            return new org.mcvirt.node.DrbdNode(node, cluster.transport(node));
        } catch (org.mcvirt.node.ssh.SshException e) {
            throw org.mcvirt.node.NodeException.unresponsive(node, "cannot reach it for LVM and DRBD: " + e.getMessage(),
                    e);
        }
    }

    /**
     * Applies under the cluster lock: reads the cluster once, then either plans (no saved plan) or checks that the
     * saved plan is still fresh, shows the plan, refuses problems and unallowed destroys, asks, and runs the steps.
     * Planning under the lock means the plan shown is exactly what runs. Nothing changes before approval.
     *
     * <p>A saved plan is self-contained: it names its nodes, so without manifests (manifestsGiven false) apply reaches
     * the nodes from the plan alone. With manifests, they must be the ones the plan was made from.
     */
    public ApplyResult apply(Optional<Plan> saved, boolean manifestsGiven, ApplyOptions options, ApplyListener listener,
                             Interaction interaction) throws McvirtException {
        return apply(saved, manifestsGiven, options, listener, interaction, Scope.ALL);
    }

    /**
     * What an imperative command (migrate, register) plans instead of the manifests as they are: the desired state
     * with its one change, the vms it plans, and a check of the observed state under the lock before planning.
     */
    public record Scope(java.util.function.UnaryOperator<DesiredState> desired, Planner.Options options,
                        Precheck precheck, Postcheck postcheck) {
        public Scope(java.util.function.UnaryOperator<DesiredState> desired, Planner.Options options,
                     Precheck precheck) {
            this(desired, options, precheck, plan -> {
            });
        }

        /** The manifests as they are. */
        public static final Scope ALL = new Scope(d -> d, Planner.Options.all(), (d, o) -> {
        });

        /** The manifests as they are, a running vm whose node changes migrated live. */
        public static Scope live() {
            return new Scope(d -> d, new Planner.Options(java.util.Set.of(), true), (d, o) -> {
            });
        }
    }

    /** Refuses, before anything is planned, what an imperative command cannot do in the state observed. */
    @FunctionalInterface
    public interface Precheck {
        void check(DesiredState desired, ObservedState observed) throws McvirtException;
    }

    /** Refuses a plan (made under the lock, already shown) that is not what the imperative command is for. */
    @FunctionalInterface
    public interface Postcheck {
        void check(Plan plan) throws McvirtException;
    }

    /** apply with the manifests changed or narrowed as scope says (a saved plan is run as it is). */
    public ApplyResult apply(Optional<Plan> saved, boolean manifestsGiven, ApplyOptions options, ApplyListener listener,
                             Interaction interaction, Scope scope) throws McvirtException {
        DesiredState desired = null;
        String clusterName;
        List<org.mcvirt.model.NodeSpec> nodes;
        if (saved.isPresent()) {
            Plan plan = saved.get();
            if (plan.nodes().isEmpty()) {
                throw new McvirtException(McvirtException.Category.PLAN, "the saved plan names no nodes; run 'mcvirt plan"
                        + " --out' again");
            }
            if (manifestsGiven) {
                desired = validate();
                String digest = Planner.manifestDigest(desired);
                if (!desired.cluster().name().equals(plan.cluster()) || !digest.equals(plan.manifestDigest())) {
                    throw new McvirtException(McvirtException.Category.PLAN, "the manifests do not match the saved plan"
                            + " (it was made for cluster " + plan.cluster() + " from manifests "
                            + shortFingerprint(String.valueOf(plan.manifestDigest())) + "; these are cluster "
                            + desired.cluster().name() + ", " + shortFingerprint(digest) + "); nothing was changed. Run"
                            + " 'mcvirt plan --out' again, or apply the plan without -f");
                }
            }
            clusterName = plan.cluster();
            nodes = plan.nodes().stream().map(org.mcvirt.plan.PlanNode::toSpec).toList();
        } else {
            desired = validate();
            clusterName = desired.cluster().name();
            nodes = desired.nodes();
        }
        try (Cluster cluster = Cluster.connect(clusterName, nodes, nodeTimeout);
             ClusterLock lock = ClusterLock.acquire(cluster, options.command())) {
            try {
                return applyLocked(cluster, lock, desired, saved, options, listener, interaction, scope);
            } catch (McvirtException e) {
                lock.close();
                if (lock.leftOn().isEmpty()) {
                    throw e;
                }
                throw new McvirtException(e.category(), e.getMessage() + "\nThe cluster lock is left on "
                        + String.join(", ", lock.leftOn()) + ", which did not answer: once it does, check 'mcvirt lock"
                        + " status' and run 'mcvirt lock break'.", e);
            }
        }
    }

    private ApplyResult applyLocked(Cluster cluster, ClusterLock lock, DesiredState desired, Optional<Plan> saved,
                                    ApplyOptions options, ApplyListener listener, Interaction interaction, Scope scope)
            throws McvirtException {
        ObservedState observed = cluster.read();
        if (desired != null) {
            scope.precheck().check(desired, observed);
        }
        Plan plan;
        if (saved.isPresent()) {
            plan = saved.get();
            if (!observed.fingerprint().equals(plan.fingerprint())) {
                throw new McvirtException(McvirtException.Category.PLAN, "the plan is stale: the cluster changed since"
                        + " it was made (fingerprint " + shortFingerprint(plan.fingerprint()) + ", now "
                        + shortFingerprint(observed.fingerprint()) + "); run 'mcvirt plan' again");
            }
        } else {
            plan = withInterruptedApply(plan(scope.desired().apply(desired), observed, scope.options()), cluster,
                    observed);
        }
        interaction.show(plan);
        if (!plan.problems().isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "the plan has problems; nothing was changed:\n  "
                    + String.join("\n  ", plan.problemMessages()));
        }
        if (saved.isEmpty()) {
            scope.postcheck().check(plan);
        }
        Map<String, String> stateDirectories = new java.util.HashMap<>();
        cluster.nodeNames().forEach(n -> stateDirectories.put(n, cluster.spec(n).stateDirectory()));
        if (!plan.hasChanges()) {
            // nothing to do is also an apply that ended: a journal that showed one stopped part-way is settled
            if (interruptedApply(cluster, observed).isPresent()) {
                List<String> answering = cluster.nodes().keySet().stream().filter(n -> cluster.stalled(n) == null)
                        .sorted().toList();
                JournalingStepRunner journal = new JournalingStepRunner(step -> "", cluster::transport,
                        stateDirectories, lock.holder().token());
                journal.applyStarted(answering, 0, options.command());
                journal.applyFinished(answering, "no changes");
            }
            return new ApplyResult(plan, List.of(), Map.of(), List.of());
        }
        if (plan.destroys() && !options.allowDestroy()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "the plan destroys resources ("
                    + plan.summary().destroy() + " to destroy); nothing was changed. Re-run with --allow-destroy"
                    + " to allow it");
        }
        if (!interaction.approve(plan)) {
            throw new McvirtException(McvirtException.Category.REFUSED, "apply cancelled; nothing was changed");
        }
        JournalingStepRunner runner = new JournalingStepRunner(
                new LibvirtStepRunner(cluster.nodes(), node -> storage(cluster, node), options.shutdownTimeoutSeconds(),
                        options.syncTimeout(), listener), cluster::transport,
                stateDirectories, lock.holder().token());
        List<String> touched = plan.steps().stream().flatMap(s -> s.nodes().stream()).distinct().sorted()
                .toList();
        runner.applyStarted(touched, plan.steps().size(), options.command());
        Map<String, String> stalled = new java.util.concurrent.ConcurrentSkipListMap<>();
        Executor.Limits limits = new Executor.Limits(
                step -> switch (step.kind()) {
                    case SHUTDOWN_DOMAIN -> options.stepTimeout().plusSeconds(options.shutdownTimeoutSeconds());
                    case DRBD_INITIAL_SYNC, MIGRATE_LIVE -> options.stepTimeout().plus(options.syncTimeout());
                    default -> options.stepTimeout();
                },
                node -> cluster.nodes().containsKey(node) ? cluster.nodes().get(node).activity() : null,
                (node, why) -> {
                    stalled.put(node, why);
                    cluster.markStalled(node, why);
                });
        List<StepOutcome> outcomes = new Executor(runner, options.parallelism(), listener, limits).execute(plan);
        long failed = outcomes.stream().filter(o -> o.status() != StepOutcome.Status.DONE).count();
        runner.applyFinished(touched.stream().filter(n -> cluster.stalled(n) == null).toList(),
                failed == 0 ? "done" : failed + " of " + outcomes.size() + " steps not done");
        lock.close();
        return new ApplyResult(plan, outcomes, Map.copyOf(stalled), lock.leftOn());
    }

    /** What 'mcvirt migrate' was asked. */
    public record MigrateRequest(String vm, String node, boolean live, boolean waitForShutdown,
                                 java.time.Duration waitLimit, boolean startAfter) {
    }

    /** Where a vm is defined now (the first node of its cluster that has it, managed), read from observed. */
    private static Optional<org.mcvirt.state.NodeObservation> home(ObservedState observed, String cluster, String vm) {
        return observed.nodes().stream().filter(n -> n.domain(vm).filter(d -> d.managed()
                && d.metadata().cluster().equals(cluster)).isPresent()).findFirst();
    }

    private static org.mcvirt.model.VmSpec vmOf(DesiredState desired, String vm) throws McvirtException {
        return desired.vm(vm).orElseThrow(() -> new McvirtException(McvirtException.Category.REFUSED, "vm " + vm
                + " is not in the manifests; mcvirt moves only vms it manages"));
    }

    /**
     * The old MCVirt's migrate: moves a vm to the other node of its DRBD pair under the cluster lock, planned and
     * applied like any change (the plan's checks and steps), with only that vm in the plan. The manifests are not
     * changed (see {@link #manifestNodeField}).
     */
    public ApplyResult migrate(MigrateRequest request, ApplyOptions options, ApplyListener listener,
                               Interaction interaction, java.util.function.Consumer<String> progress)
            throws McvirtException {
        DesiredState desired = validate();
        org.mcvirt.model.VmSpec vm = vmOf(desired, request.vm());
        if (desired.node(request.node()).isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "node " + request.node() + " is not in the"
                    + " manifests");
        }
        if (!vm.pair().contains(request.node())) {
            throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vm.name() + " can move only between"
                    + " the nodes of its replicated disks" + (vm.pair().isEmpty() ? " (it has none)" : " ("
                    + String.join(", ", vm.pair()) + ")") + "; nothing was changed");
        }
        if (request.waitForShutdown()) {
            waitForShutdown(desired, vm.name(), request.node(), request.waitLimit(), progress);
        }
        String cluster = desired.cluster().name();
        // where the vm is when the lock is held: a vm already on the node stays as it is (nothing planned)
        java.util.concurrent.atomic.AtomicReference<Boolean> alreadyThere = new java.util.concurrent.atomic.AtomicReference<>();
        Precheck precheck = (d, observed) -> {
            Optional<org.mcvirt.state.NodeObservation> home = home(observed, cluster, vm.name());
            if (home.isPresent() && home.get().node().equals(request.node())) {
                alreadyThere.set(home.get().domain(vm.name()).orElseThrow().active());
                progress.accept("vm " + vm.name() + " is already on " + request.node() + "; nothing to move");
                return;
            }
            if (home.isEmpty()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vm.name() + " is defined on no"
                        + " node; 'mcvirt register " + vm.name() + "' puts it back; nothing was changed");
            }
            boolean running = home.get().domain(vm.name()).orElseThrow().active();
            if (running && !request.live() && !home.get().node().equals(request.node())) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vm.name() + " is running on "
                        + home.get().node() + ": shut it down first, give --wait-for-shutdown to wait until the guest"
                        + " powers itself off, or --live; nothing was changed");
            }
            if (!running && request.live()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vm.name() + " is not running, so"
                        + " it cannot migrate live; leave out --live; nothing was changed");
            }
        };
        org.mcvirt.model.VmSpec.PowerState state = request.live() || request.startAfter()
                ? org.mcvirt.model.VmSpec.PowerState.RUNNING : org.mcvirt.model.VmSpec.PowerState.STOPPED;
        Scope scope = new Scope(d -> d.withVm(vm.withPlacement(request.node(), alreadyThere.get() == null ? state
                : alreadyThere.get() ? org.mcvirt.model.VmSpec.PowerState.RUNNING
                : org.mcvirt.model.VmSpec.PowerState.STOPPED)),
                new Planner.Options(java.util.Set.of(vm.name()), request.live()), precheck);
        return apply(Optional.empty(), true, options, listener, interaction, scope);
    }

    /**
     * Waits (outside the lock: nothing changes while it waits) until the guest powers itself off, reporting every 10
     * seconds, for at most limit.
     */
    private void waitForShutdown(DesiredState desired, String vm, String target, java.time.Duration limit,
                                 java.util.function.Consumer<String> progress) throws McvirtException {
        try (Cluster cluster = connect(desired)) {
            Optional<org.mcvirt.state.NodeObservation> home = home(cluster.read(), desired.cluster().name(), vm);
            if (home.isEmpty() || home.get().node().equals(target)) {
                return; // the precheck says why, or that there is nothing to move
            }
            String node = home.get().node();
            long start = System.nanoTime();
            long nextReport = start + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (true) {
                boolean active;
                try {
                    org.mcvirt.node.LibvirtNode libvirt = cluster.nodes().get(node);
                    active = org.mcvirt.node.Deadline.run(node, "read the state of " + vm, nodeTimeout,
                            libvirt::activity, () -> libvirt.domainActive(vm));
                } catch (org.mcvirt.node.NodeException e) {
                    throw new McvirtException(McvirtException.Category.NODE, e.getMessage(), e);
                }
                if (!active) {
                    return;
                }
                long waited = System.nanoTime() - start;
                if (waited >= limit.toNanos()) {
                    throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vm + " still runs on " + node
                            + " after waiting " + limit.toSeconds() + "s for the guest to power off; nothing was"
                            + " changed");
                }
                if (System.nanoTime() >= nextReport) {
                    progress.accept("waiting for " + vm + " on " + node + " to power off: "
                            + java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(waited) + "s of " + limit.toSeconds()
                            + "s");
                    nextReport += java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new McvirtException(McvirtException.Category.REFUSED, "interrupted while waiting", e);
                }
            }
        }
    }

    /**
     * Where the manifests say which node the vm is on: for the one-line change migrate prints, or makes with
     * --update-manifest.
     */
    public Optional<org.mcvirt.manifest.ManifestEditor.ScalarAt> manifestNodeField(String vm) throws McvirtException {
        try {
            return org.mcvirt.manifest.ManifestEditor.findVmField(manifests, vm, "node");
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.MANIFEST, "cannot read the manifests: " + e.getMessage(),
                    e);
        }
    }

    /** Changes the vm's node in its manifest in place, keeping comments and everything else. */
    public void updateManifestNode(org.mcvirt.manifest.ManifestEditor.ScalarAt at, String node) throws McvirtException {
        try {
            org.mcvirt.manifest.ManifestEditor.replaceScalar(at, node);
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.MANIFEST, "cannot update the manifest: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The old MCVirt's register: puts back a vm that is defined on no node, from mcvirt's saved copy of its definition,
     * on node (default: where the manifests put it). Refused while its disks are primary on another node.
     */
    public ApplyResult register(String vmName, Optional<String> node, ApplyOptions options, ApplyListener listener,
                                Interaction interaction) throws McvirtException {
        DesiredState desired = validate();
        org.mcvirt.model.VmSpec vm = vmOf(desired, vmName);
        String target = node.orElse(vm.node());
        if (!vm.pair().contains(target)) {
            throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vmName + " can be registered only on"
                    + " a node of its replicated disks" + (vm.pair().isEmpty() ? " (it has none: register works from"
                    + " the copy mcvirt keeps of a replicated vm's definition)" : " (" + String.join(", ", vm.pair())
                    + ")") + "; nothing was changed");
        }
        String cluster = desired.cluster().name();
        Precheck precheck = (d, observed) -> {
            Optional<org.mcvirt.state.NodeObservation> home = home(observed, cluster, vmName);
            if (home.isPresent()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vmName + " is defined on "
                        + home.get().node() + "; there is nothing to register (to move it: 'mcvirt migrate --node "
                        + target + " " + vmName + "')");
            }
            for (String other : vm.pair()) {
                if (other.equals(target)) {
                    continue;
                }
                List<String> primary = vm.disks().stream().filter(org.mcvirt.model.VmSpec.DiskSpec::replicated)
                        .map(disk -> org.mcvirt.model.Names.drbdResource(vmName, disk.name()))
                        .filter(res -> observed.node(other).map(o -> o.drbd().resource(res)).filter(l -> !l.isEmpty())
                                .map(l -> "Primary".equals(l.get(0).role())).orElse(false)).toList();
                if (!primary.isEmpty()) {
                    throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vmName + "'s disks are"
                            + " primary on " + other + " (" + String.join(", ", primary) + "), so it is not registered"
                            + " on " + target + ": something on " + other + " may be using them. Register it there"
                            + " ('mcvirt register " + vmName + " --node " + other + "'), or make them secondary there"
                            + " first ('drbdadm secondary RESOURCE'); nothing was changed");
                }
            }
        };
        Scope scope = new Scope(d -> d.withVm(vm.withPlacement(target, vm.state())),
                new Planner.Options(java.util.Set.of(vmName)), precheck);
        return apply(Optional.empty(), true, options, listener, interaction, scope);
    }

    /**
     * One vm import wrote, the node it was found on, whether it already carries mcvirt's mark, and what its manifest
     * could not express.
     */
    public record ImportedFile(String vm, String node, Path file, boolean managed, int disks, int nics,
                               List<String> notes) {
        public ImportedFile {
            notes = List.copyOf(notes);
        }
    }

    /**
     * What import did: the files, a line for each domain left out, the manifests with the written files (what a plan
     * reads next), the vms checked and the unmanaged ones among them (to adopt), and what a plan for those vms shows
     * besides adopting them (empty: the manifests describe the domains as they are).
     */
    public record ImportResult(List<ImportedFile> files, List<String> skipped, List<Path> manifests,
                               List<String> checked, List<String> toAdopt, List<String> beyondAdoption) {
        public ImportResult {
            files = List.copyOf(files);
            skipped = List.copyOf(skipped);
            manifests = List.copyOf(manifests);
            checked = List.copyOf(checked);
            toAdopt = List.copyOf(toAdopt);
            beyondAdoption = List.copyOf(beyondAdoption);
        }
    }

    /**
     * mcvirt import: reads the cluster, writes one manifest per vm into directory (a file import did not write is never
     * overwritten), then plans those vms with the manifests and the written files, as if they were adopted, to check
     * that nothing but adopting them would change. Changes nothing on the nodes and takes no lock.
     */
    public ImportResult importVms(Path directory, List<String> vms) throws McvirtException {
        DesiredState desired = validate();
        ObservedState observed;
        try (Cluster cluster = connect(desired)) {
            observed = cluster.read();
        }
        Importer.Selection selection = Importer.select(desired, observed, vms);
        List<ImportedFile> files = new ArrayList<>();
        List<String> skipped = new ArrayList<>(selection.skipped());
        List<Path> all = new ArrayList<>(manifests);
        List<String> checked = new ArrayList<>(selection.inManifests());
        List<String> toAdopt = new ArrayList<>(selection.inManifests());
        try {
            if (!selection.vms().isEmpty()) {
                Files.createDirectories(directory);
            }
            for (Importer.ImportedVm vm : selection.vms()) {
                Path file = directory.resolve(vm.vm().name() + ".yaml");
                if (Files.exists(file) && !Files.readString(file).startsWith(
                        org.mcvirt.manifest.ManifestWriter.HEADER)) {
                    skipped.add(vm.vm().name() + ": " + file + " exists and was not written by mcvirt import; it was"
                            + " left as it is");
                    continue;
                }
                Files.writeString(file, org.mcvirt.manifest.ManifestWriter.vm(vm.vm(), "domain " + vm.vm().name()
                        + " on node " + vm.vm().node(), vm.notes()));
                files.add(new ImportedFile(vm.vm().name(), vm.vm().node(), file, vm.managed(), vm.vm().disks().size(),
                        vm.vm().nics().size(), vm.notes()));
                checked.add(vm.vm().name());
                if (!vm.managed()) {
                    toAdopt.add(vm.vm().name());
                }
                if (!covered(manifests, file)) {
                    all.add(file);
                }
            }
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.REFUSED, "cannot write to " + directory + ": "
                    + e.getMessage(), e);
        }
        List<String> beyond = List.of();
        if (!checked.isEmpty()) {
            DesiredState after;
            try {
                after = ManifestLoader.load(all);
            } catch (ManifestException e) {
                throw new McvirtException(McvirtException.Category.MANIFEST, "the manifests with the files import"
                        + " wrote do not load:\n" + e.getMessage(), e);
            }
            beyond = Importer.beyondAdoption(plan(after, observed, new Planner.Options(java.util.Set.copyOf(checked),
                    false, java.util.Set.copyOf(toAdopt))));
        }
        return new ImportResult(files, skipped, all, checked.stream().sorted().toList(),
                toAdopt.stream().sorted().toList(), beyond);
    }

    /** Whether the loader reads file through paths: given itself, or in a directory given (its *.yaml files). */
    private static boolean covered(List<Path> paths, Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return paths.stream().map(p -> p.toAbsolutePath().normalize())
                .anyMatch(p -> p.equals(absolute) || p.equals(absolute.getParent()) && Files.isDirectory(p));
    }

    /**
     * mcvirt import --adopt: under the cluster lock, reads the cluster again and plans the imported vms with the
     * manifests import read and wrote, their unmanaged domains as if they carried mcvirt's mark; refuses unless that
     * plan has nothing but adopting them (no problem, no other change), then adds the mark to each (a define of its
     * definition as it is, with the mark). Refused before anything is locked when import's own check found more.
     */
    public ApplyResult adopt(ImportResult imported, ApplyOptions options, ApplyListener listener,
                             Interaction interaction) throws McvirtException {
        if (!imported.beyondAdoption().isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "not adopted: a plan for "
                    + String.join(", ", imported.checked()) + " shows more than adopting them; nothing was changed:\n  "
                    + String.join("\n  ", imported.beyondAdoption()));
        }
        Planner.Options planOptions = new Planner.Options(java.util.Set.copyOf(imported.checked()), false,
                java.util.Set.copyOf(imported.toAdopt()));
        Scope scope = new Scope(d -> d, planOptions, (d, o) -> {
        }, plan -> {
            List<String> beyond = Importer.beyondAdoption(plan);
            if (!beyond.isEmpty()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "not adopted: the cluster changed since"
                        + " import read it, and a plan for " + String.join(", ", imported.checked()) + " now shows more"
                        + " than adopting them; nothing was changed:\n  " + String.join("\n  ", beyond));
            }
        });
        return new Mcvirt(imported.manifests(), templates, nodeTimeout).apply(Optional.empty(), true, options, listener,
                interaction, scope);
    }

    /**
     * DRBD online verify of the replicated disks of the named vms (every replicated disk when vms is empty), one at a
     * time under the cluster lock, each waited for with progress within limit. Each result is recorded on both nodes
     * of the pair; an out-of-sync result marks the vm (plan and apply refuse to start it).
     */
    public List<Replication.VerifyOutcome> verify(List<String> vms, java.time.Duration limit, String command,
                                                  java.util.function.Consumer<String> progress) throws McvirtException {
        DesiredState desired = validate();
        try (Cluster cluster = connect(desired); ClusterLock lock = ClusterLock.acquire(cluster, command, true)) {
            List<Replication.ReplicatedDisk> disks = Replication.disks(desired, cluster.read(), vms);
            if (disks.isEmpty()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "no vm of cluster " + desired.cluster().name()
                        + " has a replicated disk on the nodes; nothing to verify");
            }
            List<Replication.VerifyOutcome> outcomes = new ArrayList<>();
            for (Replication.ReplicatedDisk disk : disks) {
                outcomes.add(Replication.verify(cluster, disk, limit, progress));
            }
            return outcomes;
        }
    }

    /**
     * Resyncs every replicated disk of a vm from sourceNode, overwriting the other node's copy, under the cluster lock.
     * confirm is asked (with the direction) before anything changes.
     */
    public List<Replication.ReplicatedDisk> resync(String vm, String sourceNode, java.time.Duration limit,
                                                   String command, java.util.function.Predicate<String> confirm,
                                                   java.util.function.Consumer<String> progress)
            throws McvirtException {
        DesiredState desired = validate();
        try (Cluster cluster = connect(desired); ClusterLock lock = ClusterLock.acquire(cluster, command)) {
            ObservedState observed = cluster.read();
            List<Replication.ReplicatedDisk> disks = Replication.disks(desired, observed, List.of(vm));
            boolean running = observed.nodes().stream().flatMap(n -> n.domains().stream())
                    .anyMatch(d -> d.managed() && d.metadata().name().equals(vm)
                            && d.metadata().cluster().equals(desired.cluster().name()) && d.active());
            for (Replication.ReplicatedDisk disk : disks) {
                if (!disk.pair().contains(sourceNode)) {
                    throw new McvirtException(McvirtException.Category.REFUSED, "node " + sourceNode + " is not in the"
                            + " DRBD pair of vm " + vm + " (" + String.join(", ", disk.pair()) + "); nothing was changed");
                }
            }
            String peer = disks.get(0).peerOf(sourceNode);
            String question = "Resync vm " + vm + " from " + sourceNode + ": the copy on " + peer + " of "
                    + disks.stream().map(d -> d.disk() + " (" + d.resource() + ")").reduce((a, b) -> a + ", " + b)
                    .orElse("") + " is overwritten with " + sourceNode + "'s. Go on?";
            if (!confirm.test(question)) {
                throw new McvirtException(McvirtException.Category.REFUSED, "resync cancelled; nothing was changed");
            }
            for (Replication.ReplicatedDisk disk : disks) {
                Replication.resync(cluster, disk, sourceNode, running, limit, progress);
            }
            return disks;
        }
    }

    /** The lock on every node. Read-only: takes no lock. */
    public List<ClusterLock.NodeLock> lockStatus() throws McvirtException {
        try (Cluster cluster = connect(validate())) {
            return ClusterLock.status(cluster);
        }
    }

    /** Removes the lock on every node; refuses an active holder unless forced. Returns the nodes it was on. */
    public List<String> breakLock(boolean force) throws McvirtException {
        try (Cluster cluster = connect(validate())) {
            if (!force) {
                for (ClusterLock.NodeLock lock : ClusterLock.status(cluster)) {
                    if (lock.holder() != null && ClusterLock.isActive(lock.holder())) {
                        throw new McvirtException(McvirtException.Category.REFUSED, "the lock on node " + lock.node()
                                + " is held by " + ClusterLock.describe(lock.holder()) + "; " + lock.state()
                                + ". Not breaking an active lock without --force");
                    }
                }
            }
            return ClusterLock.breakLock(cluster);
        }
    }

    private static String shortFingerprint(String fingerprint) {
        return fingerprint.substring(0, Math.min(12, fingerprint.length()));
    }

    /** How apply talks to the operator: shows the plan, then asks (the CLI refuses without a terminal). */
    public interface Interaction {
        void show(Plan plan);

        boolean approve(Plan plan) throws McvirtException;
    }
}
