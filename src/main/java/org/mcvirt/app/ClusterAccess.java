package org.mcvirt.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mcvirt.manifest.ManifestException;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.Secrets;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.PlanFinding;
import org.mcvirt.plan.Planner;
import org.mcvirt.render.Renderer;
import org.mcvirt.state.Journal;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedState;
import org.mcvirt.testhooks.TestHooks;

/**
 * The value every use case shares: the manifests, the template overrides and the node timeout of one run. It
 * validates the manifests, connects to their nodes, reads the cluster and plans; the use cases (the classes around it)
 * decide what to do with what it read.
 */
public final class ClusterAccess {
    private final List<Path> manifests;
    private final Optional<Path> templates;
    private final Duration nodeTimeout;
    private final Timings timings;

    public ClusterAccess(List<Path> manifests, Optional<Path> templates) {
        this(manifests, templates, Cluster.DEFAULT_NODE_TIMEOUT);
    }

    /** @param nodeTimeout how long any one node may take to connect, to be read, or to answer one command */
    public ClusterAccess(List<Path> manifests, Optional<Path> templates, Duration nodeTimeout) {
        this(manifests, templates, nodeTimeout, Timings.OFF);
    }

    /** As above, recording where the time goes in timings ({@code --timings}). */
    public ClusterAccess(List<Path> manifests, Optional<Path> templates, Duration nodeTimeout, Timings timings) {
        this.manifests = List.copyOf(manifests);
        this.templates = templates;
        this.nodeTimeout = nodeTimeout;
        this.timings = timings;
    }

    /** The same templates and node timeout with other manifests (import's, with the files it wrote). */
    ClusterAccess withManifests(List<Path> others) {
        return new ClusterAccess(others, templates, nodeTimeout, timings);
    }

    List<Path> manifests() {
        return manifests;
    }

    Duration nodeTimeout() {
        return nodeTimeout;
    }

    /** Reads and checks the manifests. Contacts no node. */
    DesiredState validate() throws McvirtException {
        try {
            return ManifestLoader.load(manifests);
        } catch (ManifestException e) {
            throw new McvirtException(McvirtException.Category.MANIFEST, e.getMessage(), e);
        }
    }

    /** Connects to the nodes of desired (an unreachable node is recorded, not fatal). */
    Cluster connect(DesiredState desired) {
        return keepingSecret(Cluster.connect(desired.cluster().name(), desired.nodes(), nodeTimeout, null, timings),
                desired).readingPermissionsOf(desired);
    }

    /**
     * The cluster with its DRBD secret kept out of every node's results from the first command on (the transports also
     * learn it from the resource files they write and read), when the reference can be read; else validation says why.
     */
    private static Cluster keepingSecret(Cluster cluster, DesiredState desired) {
        secret(desired).ifPresent(cluster.redactor()::learn);
        return cluster;
    }

    /** The cluster's DRBD secret, when DRBD is on and its reference can be read; else validation says why. */
    private static Optional<String> secret(DesiredState desired) {
        Optional<DrbdSpec.SecretRef> reference = desired.cluster().drbdIfEnabled().map(DrbdSpec::secret);
        try {
            return reference.isPresent() ? Optional.of(Secrets.resolve(reference.get())) : Optional.empty();
        } catch (Secrets.SecretException e) {
            return Optional.empty(); // the transports still redact every spelling drbd-utils uses
        }
    }

    /** The manifests as read and the cluster connected to their nodes. */
    record Connected(DesiredState desired, Cluster cluster) {
    }

    /**
     * Reads the manifests and connects to their nodes, starting each libvirt connection as soon as its node is read
     * (while the rest of the manifests is read and checked), and each node's storage read as soon as its SSH
     * connection is up: for a read-only command, which reads at once and takes no lock.
     */
    Connected validateAndConnect() throws McvirtException {
        Preconnect preconnect = new Preconnect(nodeTimeout);
        try {
            DesiredState desired;
            long started = System.nanoTime();
            try {
                desired = ManifestLoader.load(manifests, preconnect::offer);
            } catch (ManifestException e) {
                throw new McvirtException(McvirtException.Category.MANIFEST, e.getMessage(), e);
            }
            timings.since("read and check the manifests", started);
            long connecting = System.nanoTime();
            Cluster cluster = Cluster.connect(desired.cluster().name(), desired.nodes(), nodeTimeout, preconnect,
                    timings, secret(desired), desired);
            timings.since("connect to every node (in parallel)", connecting);
            return new Connected(desired, cluster); // the secret was learnt before connecting
        } finally {
            preconnect.discard();
        }
    }

    /** What a read-only command does with the manifests, the cluster as read, its plan, and the cluster itself. */
    @FunctionalInterface
    interface PlanUse<T> {
        T use(DesiredState desired, ObservedState observed, Plan plan, Cluster cluster) throws McvirtException;
    }

    /** Reads the manifests and the cluster, plans, and hands all of it to use. Never changes anything. */
    <T> T readAndPlan(Planner.Options options, PlanUse<T> use) throws McvirtException {
        Connected connected = validateAndConnect();
        try (Cluster cluster = connected.cluster().probingImagesOf(connected.desired())) {
            ObservedState observed = cluster.read();
            return use.use(connected.desired(), observed, plan(connected.desired(), observed, options), cluster);
        }
    }

    /** Plans with the templates; a broken one (most likely an override from --templates) is a TEMPLATE error. */
    Plan plan(DesiredState desired, ObservedState observed, Planner.Options options) throws McvirtException {
        long started = System.nanoTime();
        try {
            return new Planner(new Renderer(templates)).plan(desired, observed, options.withSkipMigrationNetworkCheck(
                    TestHooks.skipMigrationNetworkCheck()));
        } catch (Renderer.RenderException e) {
            throw new McvirtException(McvirtException.Category.TEMPLATE, e.getMessage(), e);
        } finally {
            timings.since("plan", started);
        }
    }

    /**
     * The last apply, if it stopped part-way (killed, crashed, or its controller lost) and is not running now, from
     * the journal tails read with the nodes' state.
     */
    static Optional<Journal.Interrupted> interruptedApply(Cluster cluster, ObservedState observed) {
        Map<String, List<Journal.Entry>> journals = new TreeMap<>();
        observed.nodes().stream().filter(NodeObservation::reachable)
                .forEach(n -> journals.put(n.node(), n.journal()));
        if (Journal.lastInterrupted(journals, null).isEmpty()) {
            return Optional.empty();
        }
        // an apply that holds the lock right now is running, not interrupted (the lock is read only in this case)
        String active = ClusterLock.status(cluster).stream()
                .filter(l -> l.holder() != null && ClusterLock.isActive(l.holder())).map(l -> l.holder().token())
                .findFirst().orElse(null);
        return Journal.lastInterrupted(journals, active);
    }

    /** The plan with a warning about an apply that stopped part-way, when it has changes that may complete it. */
    static Plan withInterruptedApply(Plan plan, Cluster cluster, ObservedState observed) {
        if (!plan.hasChanges()) {
            return plan; // whatever an interrupted apply left undone is done: nothing to complete
        }
        Optional<Journal.Interrupted> interrupted = interruptedApply(cluster, observed);
        if (interrupted.isEmpty()) {
            return plan;
        }
        return plan.withWarning(new PlanFinding(PlanFinding.Code.INTERRUPTED_APPLY,
                PlanFinding.Subject.cluster(plan.cluster()), interrupted.get().describe()));
    }
}
