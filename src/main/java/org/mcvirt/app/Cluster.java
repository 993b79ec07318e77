package org.mcvirt.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.node.Deadline;
import org.mcvirt.node.EventLoop;
import org.mcvirt.node.LibvirtNode;
import org.mcvirt.node.NodeConfig;
import org.mcvirt.node.NodeException;
import org.mcvirt.node.ssh.LocalTransport;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.RedactingTransport;
import org.mcvirt.node.ssh.Redactor;
import org.mcvirt.node.ssh.SshException;
import org.mcvirt.node.ssh.SshTarget;
import org.mcvirt.node.ssh.SshTransport;
import org.mcvirt.plan.ImageNeeds;
import org.mcvirt.plan.Planner;
import org.mcvirt.node.ImageNode;
import org.mcvirt.node.ImagePrimitives;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.StateReader;
import org.mcvirt.state.StorageReader;

/**
 * Connections to the cluster's nodes for one command: opened and read in parallel, closed together. Every
 * interaction has a deadline (the node timeout): a node that cannot be reached, or stops answering part-way, is
 * recorded as unreachable or stalled and the others are still read. Once a node has stalled nothing more is sent to
 * it in this command, and closing never waits for it.
 */
public final class Cluster implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long close() waits for all connections to close before leaving them to the process exit. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofSeconds(30);

    private final String clusterName;
    private final Duration nodeTimeout;
    private final Map<String, LibvirtNode> connected = new LinkedHashMap<>();
    private final Map<String, String> unreachable = new LinkedHashMap<>();
    private final Map<String, NodeSpec> specs = new LinkedHashMap<>();
    private final Map<String, NodeTransport> transports = new ConcurrentHashMap<>();
    private final Map<String, String> stalled = new ConcurrentHashMap<>();
    /** Storage reads a read-only command started as soon as each node's SSH connection was up. */
    private final Map<String, StorageRead> earlyStorage = new ConcurrentHashMap<>();
    /** The DRBD secrets of this command, kept out of every node's results. */
    private final Redactor redactor = new Redactor();
    private Timings timings = Timings.OFF;
    /** What each node's storage read asks about mcvirt's permissions (by default: only whether they are left there). */
    private volatile StorageReader.PermissionsQuery permissionsQuery;
    /**
     * The manifest whose images and ISOs given by http(s) URL each node is asked about after the read, where it is to
     * download them (null: none asked; {@link #probingImagesOf}).
     */
    private volatile DesiredState imagesOf;

    private Cluster(String clusterName, Duration nodeTimeout) {
        this.clusterName = clusterName;
        this.nodeTimeout = nodeTimeout;
        this.permissionsQuery = new StorageReader.PermissionsQuery(NodeConfig.polkitRulesPath(clusterName),
                NodeConfig.LIBVIRTD_CONF, false, List.of());
    }

    /** Reads what desired's permissions need (its users and groups, libvirtd's access driver) at the next read. */
    Cluster readingPermissionsOf(DesiredState desired) {
        this.permissionsQuery = Planner.permissionsQuery(desired);
        return this;
    }

    /**
     * Asks, after each read, the nodes that are to download an image or ISO of desired given by URL about it (a
     * command that plans: plan, drift, apply and those built on it; other commands never make a node fetch anything).
     */
    Cluster probingImagesOf(DesiredState desired) {
        this.imagesOf = desired;
        return this;
    }

    /** Connects to every node in parallel, each within the node timeout. */
    public static Cluster connect(String clusterName, List<NodeSpec> nodes, Duration nodeTimeout) {
        return connect(clusterName, nodes, nodeTimeout, null);
    }

    /**
     * As {@link #connect(String, List, Duration)}, taking the libvirt connections preconnect already opened. A node
     * the manifest declares offline is left out: never contacted, not read, not locked.
     */
    static Cluster connect(String clusterName, List<NodeSpec> allNodes, Duration nodeTimeout, Preconnect preconnect) {
        return connect(clusterName, allNodes, nodeTimeout, preconnect, Timings.OFF);
    }

    /** As {@link #connect(String, List, Duration, Preconnect)}, recording each node's connect and read in timings. */
    static Cluster connect(String clusterName, List<NodeSpec> allNodes, Duration nodeTimeout, Preconnect preconnect,
                           Timings timings) {
        return connect(clusterName, allNodes, nodeTimeout, preconnect, timings, null);
    }

    /**
     * As {@link #connect(String, List, Duration, Preconnect, Timings)}. With early (for a read-only command, which
     * reads at once and holds no lock), each node's LVM, DRBD and records read starts as soon as its SSH connection is
     * up, beside its libvirt connection; {@link #read()} takes it. early is the command's DRBD secret when it has one
     * (empty otherwise), learnt before any command runs, so no result carries it.
     */
    static Cluster connect(String clusterName, List<NodeSpec> allNodes, Duration nodeTimeout, Preconnect preconnect,
                           Timings timings, Optional<String> early) {
        return connect(clusterName, allNodes, nodeTimeout, preconnect, timings, early, null);
    }

    /** As above, with what desired's permissions need read by the early storage reads too (null: nothing). */
    static Cluster connect(String clusterName, List<NodeSpec> allNodes, Duration nodeTimeout, Preconnect preconnect,
                           Timings timings, Optional<String> early, DesiredState permissionsOf) {
        List<NodeSpec> nodes = allNodes.stream().filter(NodeSpec::contacted).toList();
        Cluster cluster = new Cluster(clusterName, nodeTimeout);
        if (permissionsOf != null) {
            cluster.readingPermissionsOf(permissionsOf);
        }
        cluster.timings = timings;
        if (early != null) {
            early.ifPresent(cluster.redactor::learn);
        }
        nodes.forEach(n -> cluster.specs.put(n.name(), n));
        List<Object> results = onEachNode(nodes.stream().map(NodeSpec::name).toList(), node -> {
            NodeSpec spec = cluster.specs.get(node);
            return Deadline.run(node, "connect", nodeTimeout, () -> null, () -> {
                try {
                    long started = System.nanoTime();
                    if (!spec.local()) {
                        // SSH first: an unknown or changed host key is reported with its fingerprint
                        cluster.transport(node);
                        timings.since(node + ": connect ssh", started);
                    }
                    if (early != null) {
                        cluster.earlyStorage.put(node, cluster.startStorageRead(node, ", started once connected"));
                    }
                    long libvirtStarted = System.nanoTime();
                    LibvirtNode taken = preconnect == null ? null : preconnect.take(spec, nodeTimeout);
                    LibvirtNode opened = taken != null ? taken : LibvirtNode.open(node, spec.libvirtUri(),
                            nodeTimeout);
                    timings.since(node + (taken != null ? ": libvirt connection (opened while the manifests were"
                            + " read), waited for" : ": connect libvirt"), libvirtStarted);
                    return opened;
                } catch (SshException e) {
                    String prefix = "node " + node + " (" + e.endpoint() + "): ";
                    String detail = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length())
                            : e.getMessage();
                    throw new NodeException(node, "ssh to " + e.endpoint() + ": " + detail, e);
                }
            });
        });
        for (int i = 0; i < nodes.size(); i++) {
            String node = nodes.get(i).name();
            if (results.get(i) instanceof LibvirtNode libvirt) {
                cluster.connected.put(node, libvirt);
            } else {
                NodeException failure = (NodeException) results.get(i);
                cluster.unreachable.put(node, failure.getMessage());
                if (failure.unresponsive()) {
                    cluster.stalled.put(node, failure.getMessage());
                }
            }
        }
        return cluster;
    }

    public Map<String, LibvirtNode> nodes() {
        return Map.copyOf(connected);
    }

    public Duration nodeTimeout() {
        return nodeTimeout;
    }

    /** Reads every connected node in parallel, each within the node timeout. */
    public ObservedState read() {
        TestPause.at("after-connect");
        long started = System.nanoTime();
        List<NodeObservation> observations = new ArrayList<>();
        unreachable.forEach((node, error) -> observations.add(NodeObservation.unreachable(node, error)));
        List<String> names = connected.keySet().stream().filter(n -> !stalled.containsKey(n)).toList();
        stalled.keySet().stream().filter(connected::containsKey)
                .forEach(n -> observations.add(NodeObservation.unreachable(n, stalled.get(n))));
        List<Object> results = onEachNode(names, node -> {
            LibvirtNode libvirt = connected.get(node);
            // the SSH read runs beside the libvirt read (two connections, each waiting on the node); a read-only
            // command started it as soon as the node's SSH connection was up
            StorageRead early = earlyStorage.remove(node);
            StorageRead storageRead = early != null ? early : startStorageRead(node, "");
            return Deadline.run(node, "reading the node", nodeTimeout, () -> {
                String call = libvirt.activity();
                return call != null ? call : storageRead.progress().activity();
            }, () -> {
                long libvirtStarted = System.nanoTime();
                NodeObservation seen = StateReader.read(libvirt, clusterName);
                timings.since(node + ": read libvirt", libvirtStarted);
                StorageReader.Result storage = storageResult(storageRead.result());
                return seen.withStorage(storage.lvm(), storage.drbd(), storage.journal())
                        .withPermissions(storage.permissions())
                        .withHost(storage.availableMemoryBytes(), storage.totalMemoryBytes(),
                                storage.savedDefinitions());
            });
        });
        for (int i = 0; i < names.size(); i++) {
            if (results.get(i) instanceof NodeObservation observation) {
                observations.add(observation);
            } else {
                NodeException failure = (NodeException) results.get(i);
                if (failure.unresponsive()) {
                    markStalled(names.get(i), failure.getMessage());
                }
                observations.add(NodeObservation.unreachable(names.get(i), failure.getMessage()));
            }
        }
        timings.since("read every node (in parallel)", started);
        return withProbes(new ObservedState(observations));
    }

    /**
     * The state with each node's answers about the http(s) URLs it is to download (ImageNeeds.toDownload): the first
     * bytes (a qcow2's header) and the length, or why it cannot get them; asked on those nodes in parallel, each within
     * the node timeout, and only when the manifest has such a file a node lacks.
     */
    private ObservedState withProbes(ObservedState observed) {
        DesiredState desired = imagesOf;
        if (desired == null) {
            return observed;
        }
        Map<String, List<String>> urls = ImageNeeds.toDownload(desired, observed);
        if (urls.isEmpty()) {
            return observed;
        }
        long started = System.nanoTime();
        List<String> names = List.copyOf(urls.keySet());
        // curl's own limits per URL (10 s to connect, 20 s in all) on top of the node timeout
        List<Object> answers = onEachNode(names, node -> Deadline.run(node, "asking for image URLs",
                nodeTimeout.plusSeconds(25L * urls.get(node).size()), () -> null, () -> {
                    ImageNode images = new ImageNode(node, transport(node));
                    Map<String, ImagePrimitives.Probe> probes = new TreeMap<>();
                    for (String url : urls.get(node)) {
                        probes.put(url, images.probe(url));
                    }
                    return probes;
                }));
        List<NodeObservation> nodes = new ArrayList<>();
        for (NodeObservation node : observed.nodes()) {
            int at = names.indexOf(node.node());
            if (at < 0) {
                nodes.add(node);
            } else if (answers.get(at) instanceof Map<?, ?> probes) {
                @SuppressWarnings("unchecked")
                Map<String, ImagePrimitives.Probe> asked = (Map<String, ImagePrimitives.Probe>) probes;
                nodes.add(node.withProbes(asked));
            } else {
                // the node could not be asked: every URL it is to download is a problem naming why
                String why = ((Exception) answers.get(at)).getMessage();
                Map<String, ImagePrimitives.Probe> failed = new TreeMap<>();
                urls.get(node.node()).forEach(u -> failed.put(u, new ImagePrimitives.Probe(u, -1, new byte[0], why)));
                nodes.add(node.withProbes(failed));
            }
        }
        timings.since("ask nodes about image URLs (in parallel)", started);
        return new ObservedState(nodes);
    }

    /** A node's LVM, DRBD and records read under way: its commands so far, and its result or failure. */
    private record StorageRead(StorageReader.Progress progress, CompletableFuture<Object> result) {
    }

    /** Starts reading a node's LVM, DRBD and records on a daemon thread of its own. */
    private StorageRead startStorageRead(String node, String when) {
        StorageRead read = new StorageRead(new StorageReader.Progress(), new CompletableFuture<>());
        long started = System.nanoTime();
        Thread thread = new Thread(() -> {
            try {
                read.result().complete(readStorage(node, read.progress()));
                timings.since(node + ": read LVM, DRBD and records (one command" + when + ")", started);
            } catch (NodeException | RuntimeException e) {
                read.result().complete(e);
            } catch (Throwable e) {
                read.result().complete(new NodeException(node, "reading LVM, DRBD and records failed: " + e, e));
                throw e;
            }
        }, "mcvirt-storage-" + node);
        thread.setDaemon(true);
        thread.start();
        return read;
    }

    /** What the storage read gave: its result, or its failure thrown here (the node's deadline bounds the wait). */
    private static StorageReader.Result storageResult(CompletableFuture<Object> read) throws NodeException {
        Object result;
        try {
            result = read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the node", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (result instanceof NodeException failure) {
            throw failure;
        }
        if (result instanceof RuntimeException failure) {
            throw failure;
        }
        return (StorageReader.Result) result;
    }

    /**
     * LVM and DRBD over the node's command transport. A transport failure fails the node's read: a command that
     * timed out means the node stopped answering.
     */
    private StorageReader.Result readStorage(String node, StorageReader.Progress progress) throws NodeException {
        try {
            NodeSpec spec = specs.get(node);
            // LVM is read only where the manifest puts storage on it: nothing else uses lvs or vgs
            boolean lvm = spec.storage().stream().anyMatch(s -> s.type() == StorageSpec.StorageType.LVM);
            return StorageReader.read(transport(node), spec.stateDirectory(), spec.drbdConfigDirectory(),
                    permissionsQuery, progress, lvm);
        } catch (SshException e) {
            String prefix = "node " + node + " (" + e.endpoint() + "): ";
            String detail = "ssh to " + e.endpoint() + ": " + (e.getMessage().startsWith(prefix)
                    ? e.getMessage().substring(prefix.length()) : e.getMessage());
            if (e.category() == SshException.Category.TIMEOUT) {
                throw NodeException.unresponsive(node, "stopped answering: " + detail, e);
            }
            throw new NodeException(node, detail, e);
        }
    }

    /** Work for one node that may fail with a node error. */
    @FunctionalInterface
    private interface NodeWork {
        Object run(String node) throws NodeException;
    }

    /**
     * Runs work for every node at once, each on a daemon thread of its own, and returns the results (or the
     * NodeException) in input order. Each work item enforces its own deadline.
     */
    private static List<Object> onEachNode(List<String> nodes, NodeWork work) {
        Object[] results = new Object[nodes.size()];
        CountDownLatch done = new CountDownLatch(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            int index = i;
            Thread thread = new Thread(() -> {
                try {
                    results[index] = work.run(nodes.get(index));
                } catch (NodeException e) {
                    results[index] = e;
                } catch (RuntimeException e) {
                    results[index] = new NodeException(nodes.get(index), e.toString(), e);
                } finally {
                    done.countDown();
                }
            }, "mcvirt-node-" + nodes.get(i));
            thread.setDaemon(true);
            thread.start();
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the nodes", e);
        }
        return List.of(results);
    }

    /** The node names, sorted. */
    public List<String> nodeNames() {
        return specs.keySet().stream().sorted().toList();
    }

    public NodeSpec spec(String node) {
        return specs.get(node);
    }

    /** What keeps the DRBD secrets out of the results of this command's node transports. */
    Redactor redactor() {
        return redactor;
    }

    /** Records that a node stopped answering: nothing more is sent to it in this command. */
    public void markStalled(String node, String why) {
        stalled.putIfAbsent(node, why);
    }

    /** Why a node stalled, or null when it did not. */
    public String stalled(String node) {
        return stalled.get(node);
    }

    /**
     * The command transport of a node, opened on first use: SSH with the node's key and known_hosts (strict), or
     * the local transport for a {@code local: true} node. Each command is bounded by the node timeout. A node that
     * stalled earlier is refused at once.
     */
    public NodeTransport transport(String node) throws SshException {
        String why = stalled.get(node);
        if (why != null) {
            throw new SshException(SshException.Category.UNREACHABLE, node, endpoint(node),
                    "not contacted again: it stopped answering earlier in this command", null);
        }
        NodeTransport open = transports.get(node);
        if (open != null) {
            return open;
        }
        synchronized (transports) {
            open = transports.get(node);
            if (open == null) {
                open = RedactingTransport.over(openTransport(specs.get(node)), redactor);
                transports.put(node, open);
            }
            return open;
        }
    }

    private String endpoint(String node) {
        NodeSpec spec = specs.get(node);
        return spec == null || spec.local() ? "local" : spec.address() + ":" + spec.ssh().port();
    }

    private NodeTransport openTransport(NodeSpec spec) throws SshException {
        if (spec.local()) {
            return new LocalTransport(spec.name(), nodeTimeout);
        }
        NodeSpec.SshSpec ssh = spec.ssh();
        Duration connectTimeout = nodeTimeout.compareTo(CONNECT_TIMEOUT) < 0 ? nodeTimeout : CONNECT_TIMEOUT;
        return SshTransport.open(new SshTarget(spec.name(), spec.address(), ssh.port(), ssh.user(),
                Path.of(ssh.identityFile()), Path.of(ssh.knownHosts()), connectTimeout, nodeTimeout));
    }

    /**
     * For the process's last moments, after every cluster is closed: ends libvirt's event loop, whose thread waits in
     * native code and so would hold the JVM's exit for 300 ms ({@link EventLoop#stop}).
     */
    public static void beforeProcessExit() {
        EventLoop.stop(Duration.ofMillis(200));
    }

    /**
     * Closes every connection of a node that still answers, waiting at most a few seconds; a stalled node's
     * connections are left to the process exit (closing them could block on the node).
     */
    @Override
    public void close() {
        List<AutoCloseable> closing = new ArrayList<>();
        // a call still inside libvirt (a live migration abandoned at its deadline) may use any node's connection (the
        // target's too): then none is closed, they go with the process; closing one under it crashes the JVM in libvirt
        boolean callInFlight = connected.values().stream().anyMatch(LibvirtNode::busy);
        connected.forEach((node, libvirt) -> {
            if (!stalled.containsKey(node) && !callInFlight) {
                closing.add(libvirt);
            }
        });
        transports.forEach((node, transport) -> {
            if (!stalled.containsKey(node)) {
                closing.add(transport);
            }
        });
        CountDownLatch done = new CountDownLatch(closing.size());
        for (AutoCloseable resource : closing) {
            Thread thread = new Thread(() -> {
                try {
                    resource.close();
                } catch (Exception e) {
                    // closing a broken connection: nothing left to do
                } finally {
                    done.countDown();
                }
            }, "mcvirt-close");
            thread.setDaemon(true);
            thread.start();
        }
        try {
            done.await(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
