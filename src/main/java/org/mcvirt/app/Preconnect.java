package org.mcvirt.app;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.node.LibvirtNode;
import org.mcvirt.node.NodeException;

/**
 * Libvirt connections opened while the manifests are still being read: as soon as a file's {@code nodes:} section is
 * bound, each node's connection starts on a daemon thread, so connecting (an SSH handshake, or libvirt loading its
 * state) overlaps reading and checking the rest of the manifests. {@link Cluster#connect} takes a connection made
 * here for the same node and URI; anything that failed or was not asked for is simply connected the usual way (which
 * reports the error), and connections nobody takes are closed by {@link #discard()}.
 */
final class Preconnect {
    private final Duration nodeTimeout;
    private final Map<String, CompletableFuture<LibvirtNode>> opening = new ConcurrentHashMap<>();

    Preconnect(Duration nodeTimeout) {
        this.nodeTimeout = nodeTimeout;
    }

    private static String key(NodeSpec node) {
        return node.name() + "\n" + node.libvirtUri();
    }

    /** Starts connecting to a node (once per node and URI). */
    void offer(NodeSpec node) {
        if (node.libvirtUri() == null || !node.contacted()) {
            return;
        }
        opening.computeIfAbsent(key(node), k -> {
            CompletableFuture<LibvirtNode> connection = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    connection.complete(LibvirtNode.open(node.name(), node.libvirtUri(), nodeTimeout));
                } catch (NodeException | RuntimeException | LinkageError e) {
                    connection.complete(null); // connected again the usual way, which reports it
                }
            }, "mcvirt-preconnect-" + node.name());
            thread.setDaemon(true);
            thread.start();
            return connection;
        });
    }

    /** The connection opened for this node and URI, waiting for it at most wait; null when there is none. */
    LibvirtNode take(NodeSpec node, Duration wait) {
        CompletableFuture<LibvirtNode> connection = opening.remove(key(node));
        if (connection == null) {
            return null;
        }
        try {
            return connection.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            connection.thenAccept(Preconnect::close); // whenever it ends, nobody uses it
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Closes every connection nobody took (a node the manifests dropped, or a manifest that failed its checks). */
    void discard() {
        opening.values().forEach(c -> c.thenAccept(Preconnect::close));
        opening.clear();
    }

    private static void close(LibvirtNode node) {
        if (node != null) {
            node.close();
        }
    }
}
