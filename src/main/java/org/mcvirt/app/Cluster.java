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
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(8, nodes.size())));
        try {
            List<CompletableFuture<Object>> futures = new ArrayList<>();
            for (NodeSpec node : nodes) {
                futures.add(CompletableFuture.supplyAsync(() -> {
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
                }, pool));
            }
            for (int i = 0; i < nodes.size(); i++) {
                Object result = futures.get(i).join();
                if (result instanceof LibvirtNode node) {
                    cluster.connected.put(nodes.get(i).name(), node);
                } else {
                    cluster.unreachable.put(nodes.get(i).name(), ((NodeException) result).getMessage());
                }
            }
        } finally {
            pool.shutdownNow();
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
        List<Map.Entry<String, LibvirtNode>> entries = new ArrayList<>(connected.entrySet());
        List<CompletableFuture<NodeObservation>> futures = entries.stream()
                .map(e -> CompletableFuture.supplyAsync(() -> {
                    try {
                        return StateReader.read(e.getValue());
                    } catch (NodeException ex) {
                        return NodeObservation.unreachable(e.getKey(), ex.getMessage());
                    }
                })).toList();
        futures.forEach(f -> observations.add(f.join()));
        return new ObservedState(observations);
    }

    /** The node names of the manifest, sorted. */
    public List<String> nodeNames() {
        return specs.keySet().stream().sorted().toList();
    }

    public NodeSpec spec(String node) {
        return specs.get(node);
    }

    /** Why a node could not be reached, or null when it was. */
    public String unreachableReason(String node) {
        return unreachable.get(node);
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
