package org.mcvirt.app;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mcvirt.apply.JournalingStepRunner;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * The cluster lock every mutating command holds from start to end. It is a file, {@code STATE/lock.json} (see
 * {@link LockFile}), created exclusively (noclobber) on every node in name order, so two controllers cannot
 * deadlock: the second one fails on the first node they share and releases what it took. It records who holds it;
 * the holder renews its heartbeat in it while it works ({@link LockHeartbeat}), and a holder that stops doing so is
 * stale. Renewal, release and break change the file only while it holds the expected token, under a guard file
 * ({@code lock.json.guard}, flock) on the node. Read-only commands never take it.
 */
public final class ClusterLock implements AutoCloseable {
    /**
     * Who holds the lock. processStart tells a live holder from a reused pid; heartbeat is its last renewal.
     * processStartTicks is the kernel's start time of the holder's process in clock ticks since boot (Linux, 0 when
     * unknown): unlike processStart, a wall-clock step does not move it.
     */
    public record Holder(String host, String user, long pid, String processStart, String command, String startedAt,
                         String token, String heartbeat, long heartbeatSeconds,
                         @com.fasterxml.jackson.annotation.JsonInclude(
                                 com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT)
                         long processStartTicks) {
        /** Without the start in ticks (a lock file of an older mcvirt, or a host without /proc). */
        public Holder(String host, String user, long pid, String processStart, String command, String startedAt,
                      String token, String heartbeat, long heartbeatSeconds) {
            this(host, user, pid, processStart, command, startedAt, token, heartbeat, heartbeatSeconds, 0);
        }

        Holder withHeartbeat(Instant at) {
            return new Holder(host, user, pid, processStart, command, startedAt, token, at.toString(),
                    heartbeatSeconds, processStartTicks);
        }
    }

    /**
     * The lock as seen on one node: free (holder null), held, or unreadable or damaged (error set; text is a damaged
     * file's content, which lock break compares before removing it).
     */
    public record NodeLock(String node, Holder holder, String error, String state, String text) {
        public NodeLock(String node, Holder holder, String error, String state) {
            this(node, holder, error, state, null);
        }
    }

    /** What lock break did: the nodes it removed the lock from, and the nodes it left it on, with why. */
    public record Broken(List<String> broken, Map<String, String> left) {
        public Broken {
            broken = List.copyOf(broken);
            left = Map.copyOf(left);
        }
    }

    private final LockNodes nodes;
    private final Holder holder;
    private final List<String> held = new CopyOnWriteArrayList<>();
    private final List<String> leftOn = new ArrayList<>();
    /** The nodes where this holder's lock file was removed or replaced while it held it, with why. */
    private final Map<String, String> lost = new ConcurrentSkipListMap<>();
    private LockHeartbeat heartbeat;

    private ClusterLock(LockNodes nodes, Holder holder) {
        this.nodes = nodes;
        this.holder = holder;
    }

    public Holder holder() {
        return holder;
    }

    /** Takes the lock on every node of the cluster, in name order, or fails at once naming the holder. */
    public static ClusterLock acquire(Cluster cluster, String command) throws McvirtException {
        return acquire(cluster, command, false);
    }

    /**
     * As {@link #acquire(Cluster, String)}; with releasedOnSignal the lock is also released when the process is ended
     * by SIGINT or SIGTERM. Only for commands whose work on the nodes goes on safely without them (verify: the kernel
     * finishes the verify): an apply's step in flight must not lose its lock, so apply leaves a stale lock instead.
     */
    public static ClusterLock acquire(Cluster cluster, String command, boolean releasedOnSignal)
            throws McvirtException {
        return acquire(LockNodes.of(cluster), command, releasedOnSignal);
    }

    static ClusterLock acquire(LockNodes nodes, String command, boolean releasedOnSignal) throws McvirtException {
        String now = Instant.now().toString();
        Holder me = new Holder(localHost(), System.getProperty("user.name"), ProcessHandle.current().pid(),
                ProcessHandle.current().info().startInstant().map(Instant::toString).orElse(""), command, now,
                UUID.randomUUID().toString(), now, LockFile.HEARTBEAT.toSeconds(),
                LockFile.startTicks(ProcessHandle.current().pid()));
        String json = LockFile.write(me);
        ClusterLock lock = new ClusterLock(nodes, me);
        if (releasedOnSignal) {
            lock.releaseOnExit(); // before the first node: a signal while taking it releases what was taken
        }
        for (String node : nodes.names()) {
            try {
                NodeTransport transport = nodes.transport(node);
                CommandResult created = transport.run(NodeScript.LOCK_TAKE.command(nodes.stateDirectory(node), json,
                        nodes.lockFile(node)));
                if (created.succeeded()) {
                    lock.held.add(node);
                    continue;
                }
                lock.close();
                Optional<Holder> other;
                try {
                    other = read(nodes, node);
                } catch (McvirtException damaged) {
                    throw new McvirtException(McvirtException.Category.LOCKED, "cannot take the cluster lock: "
                            + damaged.getMessage() + ". Nothing was changed.", damaged);
                }
                if (other.isPresent()) {
                    throw new McvirtException(McvirtException.Category.LOCKED, "the cluster is locked by "
                            + describe(other.get()) + " (lock on node " + node + "); " + state(other.get())
                            + ". Nothing was changed. See 'mcvirt lock status'.");
                }
                throw new McvirtException(McvirtException.Category.NODE, "node " + node + ": cannot create the lock "
                        + nodes.lockFile(node) + ": " + created.stderr().strip());
            } catch (SshException e) {
                lock.close();
                throw new McvirtException(McvirtException.Category.NODE, "cannot take the cluster lock: "
                        + e.getMessage(), e);
            }
        }
        lock.heartbeat = LockHeartbeat.start(List.copyOf(lock.held), LockFile.HEARTBEAT, lock::renew);
        return lock;
    }

    /** The hook that releases the lock when the process is ended by a signal (Ctrl-C, kill), or null. */
    private Thread onExit;

    /**
     * Releases the lock on SIGINT and SIGTERM too, so an interrupted verify leaves no lock behind. Only SIGKILL (or a
     * lost controller) can leave one: 'mcvirt lock status' shows it as stale once its heartbeats stop.
     */
    private void releaseOnExit() {
        onExit = new Thread(this::close, "mcvirt-lock-release");
        try {
            Runtime.getRuntime().addShutdownHook(onExit);
        } catch (IllegalStateException e) {
            onExit = null; // already shutting down
        }
    }

    /** One heartbeat on every node held: what the heartbeat thread does every interval. */
    void renew() {
        held.forEach(this::renew);
    }

    /** Renews the heartbeat on one node, only while its lock file holds this token; otherwise the lock is lost there. */
    private void renew(String node) {
        if (lost.containsKey(node) || !held.contains(node)) {
            return;
        }
        try {
            CommandResult renewed = nodes.transport(node).run(NodeScript.LOCK_RENEW.command(nodes.lockFile(node),
                    holder.token(), LockFile.write(holder.withHeartbeat(Instant.now()))));
            if (renewed.exitStatus() == NodeScript.LOCK_GONE_STATUS && held.contains(node)) {
                markLost(node);
            }
        } catch (SshException e) {
            // the node does not answer: a step there fails for that; the next heartbeat tries again
        }
    }

    /**
     * Whether this holder still holds the lock on the given nodes (read there now), before a step runs on them. Empty
     * while it does; otherwise why not, naming the node and the lock file. Once lost anywhere it stays lost. A node
     * that does not answer is not judged here: the step fails on it anyway.
     */
    Optional<String> check(Collection<String> stepNodes) {
        if (!lost.isEmpty()) {
            return lost();
        }
        for (String node : stepNodes.stream().filter(held::contains).sorted().toList()) {
            try {
                CommandResult checked = nodes.transport(node).run(NodeScript.LOCK_CHECK.command(nodes.lockFile(node),
                        holder.token()));
                if (checked.exitStatus() == NodeScript.LOCK_GONE_STATUS) {
                    markLost(node);
                    return lost();
                }
            } catch (SshException e) {
                // judged by the step itself
            }
        }
        return Optional.empty();
    }

    /**
     * The same check as {@link #check}, made by each step's first journal line on the node in the same round trip
     * (JournalingStepRunner): the lock file where this holder took the lock, its token, and the bookkeeping of a loss.
     */
    JournalingStepRunner.LockCheck stepCheck() {
        return new JournalingStepRunner.LockCheck() {
            @Override
            public String lockFile(String node) {
                return held.contains(node) ? nodes.lockFile(node) : null;
            }

            @Override
            public String token() {
                return holder.token();
            }

            @Override
            public String lost(String node) {
                markLost(node);
                return ClusterLock.this.lost().orElseThrow();
            }
        };
    }

    /** Why this holder lost its lock (the first node in name order where it did), if it did. */
    Optional<String> lost() {
        return lost.values().stream().findFirst();
    }

    private void markLost(String node) {
        String now;
        try {
            now = read(nodes, node).map(h -> "it is held by " + describe(h) + " now").orElse("it was removed");
        } catch (McvirtException | SshException e) {
            now = "it cannot be read now (" + e.getMessage() + ")";
        }
        lost.putIfAbsent(node, "the cluster lock on node " + node + " (" + nodes.lockFile(node) + ") is no longer"
                + " held by this command (token " + holder.token() + "): " + now);
    }

    /**
     * Stops the heartbeat and releases the lock where this holder took it (never someone else's). A node that does
     * not answer (or stopped answering earlier in this command) keeps its lock file: see {@link #leftOn()}.
     */
    @Override
    public synchronized void close() {
        if (onExit != null && Thread.currentThread() != onExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // the process is shutting down: the hook runs close() as well, and finds nothing left to release
            }
            onExit = null;
        }
        if (heartbeat != null) {
            heartbeat.stop();
        }
        for (int i = held.size() - 1; i >= 0; i--) {
            String node = held.get(i);
            try {
                CommandResult removed = nodes.transport(node).run(NodeScript.LOCK_RELEASE.command(nodes.lockFile(node),
                        holder.token()));
                if (!removed.succeeded()) {
                    leftOn.add(node);
                }
            } catch (SshException e) {
                // the node went away: the lock stays there and 'mcvirt lock status' will show it
                leftOn.add(node);
            }
        }
        held.clear();
    }

    /** The nodes where close() could not remove this holder's lock file, in name order. */
    public List<String> leftOn() {
        return leftOn.stream().sorted().toList();
    }

    /** The lock on every node; an unreachable node or a damaged lock file is reported with its error. */
    public static List<NodeLock> status(Cluster cluster) {
        return status(LockNodes.of(cluster));
    }

    static List<NodeLock> status(LockNodes nodes) {
        List<NodeLock> result = new ArrayList<>();
        for (String node : nodes.names()) {
            String text = null;
            try {
                Optional<byte[]> content = nodes.transport(node).readFile(nodes.lockFile(node));
                if (content.isEmpty()) {
                    result.add(new NodeLock(node, null, null, "free"));
                    continue;
                }
                text = new String(content.get(), StandardCharsets.UTF_8);
                Holder holder = LockFile.parse(node, nodes.lockFile(node), content.get());
                result.add(new NodeLock(node, holder, null, state(holder)));
            } catch (McvirtException e) {
                result.add(new NodeLock(node, null, e.getMessage(), "unknown", text));
            } catch (SshException e) {
                result.add(new NodeLock(node, null, e.getMessage(), "unknown"));
            }
        }
        return result;
    }

    /** Whether a holder is active or stale now (see {@link LockFile#state}). */
    public static String state(Holder holder) {
        return LockFile.state(holder, Instant.now(), localHost());
    }

    public static boolean isActive(Holder holder) {
        return state(holder).startsWith("active");
    }

    public static String describe(Holder holder) {
        return holder.user() + "@" + holder.host() + " pid " + holder.pid() + " running '" + holder.command()
                + "' since " + holder.startedAt();
    }

    private static Optional<Holder> read(LockNodes nodes, String node) throws SshException, McvirtException {
        Optional<byte[]> content = nodes.transport(node).readFile(nodes.lockFile(node));
        if (content.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(LockFile.parse(node, nodes.lockFile(node), content.get()));
    }

    static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
    }
}
