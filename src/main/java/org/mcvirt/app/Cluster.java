package org.mcvirt.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.node.LibvirtNode;
import org.mcvirt.node.NodeException;
import org.mcvirt.node.ssh.LocalTransport;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;
import org.mcvirt.node.ssh.SshTarget;
import org.mcvirt.node.ssh.SshTransport;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.StateReader;

/**
 * Connections to the manifest's nodes for one command: opened and read in parallel, closed together.
 * A node that cannot be reached is recorded as unreachable; the others are still read.
 */
public final class Cluster implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    private final Map<String, LibvirtNode> connected = new LinkedHashMap<>();
    private final Map<String, String> unreachable = new LinkedHashMap<>();
    private final Map<String, NodeSpec> specs = new LinkedHashMap<>();
    private final Map<String, NodeTransport> transports = new java.util.concurrent.ConcurrentHashMap<>();

    private Cluster() {
    }

    public static Cluster connect(DesiredState desired) {
        Cluster cluster = new Cluster();
        desired.nodes().forEach(n -> cluster.specs.put(n.name(), n));
        List<NodeSpec> nodes = desired.nodes();
        List<Object> results = onEachNode(nodes, node -> {
            try {
                if (!node.local()) {
                    // SSH first: an unknown or changed host key is reported with its fingerprint
                    cluster.transport(node.name());
                }
                return LibvirtNode.open(node.name(), node.libvirtUri());
            } catch (SshException e) {
                String prefix = "node " + node.name() + " (" + e.endpoint() + "): ";
                String detail = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length())
                        : e.getMessage();
                return new NodeException(node.name(), "ssh to " + e.endpoint() + ": " + detail, e);
            } catch (NodeException e) {
                return e;
            }
        });
        for (int i = 0; i < nodes.size(); i++) {
            if (results.get(i) instanceof LibvirtNode node) {
                cluster.connected.put(nodes.get(i).name(), node);
            } else {
                cluster.unreachable.put(nodes.get(i).name(), ((NodeException) results.get(i)).getMessage());
            }
        }
        return cluster;
    }

    public Map<String, LibvirtNode> nodes() {
        return Map.copyOf(connected);
    }

    /** Reads every connected node in parallel. */
    public ObservedState read() {
        List<NodeObservation> observations = new ArrayList<>();
        unreachable.forEach((node, error) -> observations.add(NodeObservation.unreachable(node, error)));
        observations.addAll(onEachNode(new ArrayList<>(connected.entrySet()), entry -> {
            try {
                return StateReader.read(entry.getValue());
            } catch (NodeException e) {
                return NodeObservation.unreachable(entry.getKey(), e.getMessage());
            }
        }));
        return new ObservedState(observations);
    }

    /**
     * Runs work for every node at once on threads of its own (not the common pool, which has a single thread on
     * a two-core machine) and returns the results in input order.
     */
    private static <T, R> List<R> onEachNode(List<T> items, Function<T, R> work) {
        if (items.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, items.size()));
        try {
            List<CompletableFuture<R>> futures = items.stream()
                    .map(item -> CompletableFuture.supplyAsync(() -> work.apply(item), pool)).toList();
            return futures.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdownNow();
        }
    }

    /** The node names of the manifest, sorted. */
    public List<String> nodeNames() {
        return specs.keySet().stream().sorted().toList();
    }

    public NodeSpec spec(String node) {
        return specs.get(node);
    }

    /**
     * The command transport of a node, opened on first use: SSH with the node's key and known_hosts (strict), or
     * the local transport for a {@code local: true} node.
     */
    public NodeTransport transport(String node) throws SshException {
        NodeTransport open = transports.get(node);
        if (open != null) {
            return open;
        }
        synchronized (transports) {
            open = transports.get(node);
            if (open == null) {
                open = openTransport(specs.get(node));
                transports.put(node, open);
            }
            return open;
        }
    }

    private static NodeTransport openTransport(NodeSpec spec) throws SshException {
        if (spec.local()) {
            return new LocalTransport(spec.name(), COMMAND_TIMEOUT);
        }
        NodeSpec.SshSpec ssh = spec.ssh();
        return SshTransport.open(new SshTarget(spec.name(), spec.address(), ssh.port(), ssh.user(),
                Path.of(ssh.identityFile()), Path.of(ssh.knownHosts()), CONNECT_TIMEOUT,
                COMMAND_TIMEOUT));
    }

    @Override
    public void close() {
        connected.values().forEach(LibvirtNode::close);
        transports.values().forEach(NodeTransport::close);
    }
}
