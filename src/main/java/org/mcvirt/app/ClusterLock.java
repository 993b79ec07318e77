package org.mcvirt.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.mcvirt.node.StateDirectory;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * The cluster lock every mutating command holds from start to end. It is a file, {@code STATE/lock.json}, created
 * exclusively (noclobber) on every node in name order, so two controllers cannot deadlock: the second one fails
 * on the first node they share and releases what it took. It records who holds it; read-only commands never
 * take it.
 */
public final class ClusterLock implements AutoCloseable {
    /** A lock held longer than this by a holder mcvirt cannot check (another host) is called possibly stale. */
    static final Duration LEASE = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who holds the lock. processStart tells a live holder from a reused pid. */
    public record Holder(String host, String user, long pid, String processStart, String command, String startedAt,
                         String token) {
    }

    /** The lock as seen on one node: free (holder null), held, or unreadable (error set). */
    public record NodeLock(String node, Holder holder, String error, String state) {
    }

    private final Cluster cluster;
    private final Holder holder;
    private final List<String> held;
    private final List<String> leftOn = new ArrayList<>();

    private ClusterLock(Cluster cluster, Holder holder, List<String> held) {
        this.cluster = cluster;
        this.holder = holder;
        this.held = held;
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
        Holder me = new Holder(localHost(), System.getProperty("user.name"), ProcessHandle.current().pid(),
                ProcessHandle.current().info().startInstant().map(Instant::toString).orElse(""), command,
                Instant.now().toString(), UUID.randomUUID().toString());
        String json = write(me);
        List<String> held = new ArrayList<>();
        ClusterLock lock = new ClusterLock(cluster, me, held);
        if (releasedOnSignal) {
            lock.releaseOnExit(); // before the first node: a signal while taking it releases what was taken
        }
        for (String node : cluster.nodeNames()) {
            String directory = cluster.spec(node).stateDirectory();
            try {
                NodeTransport transport = cluster.transport(node);
                CommandResult created = transport.run(NodeScript.LOCK_TAKE.command(directory, json,
                        new StateDirectory(directory).lockFile()));
                if (created.succeeded()) {
                    held.add(node);
                    continue;
                }
                Optional<Holder> other = read(transport, directory);
                lock.close();
                if (other.isPresent()) {
                    throw new McvirtException(McvirtException.Category.LOCKED, "the cluster is locked by "
                            + describe(other.get()) + " (lock on node " + node + "); " + state(other.get())
                            + ". Nothing was changed. See 'mcvirt lock status'.");
                }
                throw new McvirtException(McvirtException.Category.NODE, "node " + node + ": cannot create the lock "
                        + new StateDirectory(directory).lockFile() + ": " + created.stderr().strip());
            } catch (SshException e) {
                lock.close();
                throw new McvirtException(McvirtException.Category.NODE, "cannot take the cluster lock: "
                        + e.getMessage(), e);
            }
        }
        return lock;
    }

    /** The hook that releases the lock when the process is ended by a signal (Ctrl-C, kill), or null. */
    private Thread onExit;

    /**
     * Releases the lock on SIGINT and SIGTERM too, so an interrupted verify leaves no lock behind. Only SIGKILL (or a
     * lost controller) can leave one: 'mcvirt lock status' shows it as stale.
     */
    private void releaseOnExit() {
        onExit = new Thread(this::close, "mcvirt-lock-release");
        try {
            Runtime.getRuntime().addShutdownHook(onExit);
        } catch (IllegalStateException e) {
            onExit = null; // already shutting down
        }
    }

    /**
     * Releases the lock where this holder took it (never someone else's). A node that does not answer (or stopped
     * answering earlier in this command) keeps its lock file: see {@link #leftOn()}.
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
        for (int i = held.size() - 1; i >= 0; i--) {
            String node = held.get(i);
            try {
                CommandResult removed = cluster.transport(node).run(NodeScript.LOCK_RELEASE.command(
                        new StateDirectory(cluster.spec(node).stateDirectory()).lockFile(), holder.token()));
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

    /** The lock on every node; an unreachable node is reported with its error. */
    public static List<NodeLock> status(Cluster cluster) {
        List<NodeLock> result = new ArrayList<>();
        for (String node : cluster.nodeNames()) {
            try {
                Optional<Holder> holder = read(cluster.transport(node), cluster.spec(node).stateDirectory());
                result.add(new NodeLock(node, holder.orElse(null), null, holder.map(ClusterLock::state).orElse("free")));
            } catch (SshException | McvirtException e) {
                result.add(new NodeLock(node, null, e.getMessage(), "unknown"));
            }
        }
        return result;
    }

    /** Removes the lock file on every reachable node, whoever holds it. Returns the nodes it was removed from. */
    public static List<String> breakLock(Cluster cluster) throws McvirtException {
        List<String> broken = new ArrayList<>();
        for (String node : cluster.nodeNames()) {
            try {
                CommandResult removed = cluster.transport(node).run(NodeScript.LOCK_BREAK.command(
                        new StateDirectory(cluster.spec(node).stateDirectory()).lockFile()));
                if (removed.succeeded()) {
                    broken.add(node);
                } else if (removed.exitStatus() != 3) {
                    throw new McvirtException(McvirtException.Category.NODE, "node " + node + ": cannot remove the lock: "
                            + removed.stderr().strip());
                }
            } catch (SshException e) {
                throw new McvirtException(McvirtException.Category.NODE, "cannot break the lock: " + e.getMessage(), e);
            }
        }
        return broken;
    }

    /** Whether a holder is alive, stale (its process is gone) or possibly stale (older than the lease). */
    public static String state(Holder holder) {
        if (holder.host().equals(localHost())) {
            boolean alive = ProcessHandle.of(holder.pid())
                    .map(p -> p.info().startInstant().map(Instant::toString).orElse("").equals(holder.processStart()))
                    .orElse(false);
            return alive ? "active: its process " + holder.pid() + " is running"
                    : "stale: its process " + holder.pid() + " on this host is gone (break it with 'mcvirt lock break')";
        }
        Duration age = Duration.between(Instant.parse(holder.startedAt()), Instant.now());
        if (age.compareTo(LEASE) > 0) {
            return "possibly stale: held for " + age.toMinutes() + " min, longer than the " + LEASE.toMinutes()
                    + " min lease, by a host mcvirt cannot check from here";
        }
        return "held for " + age.toSeconds() + " s by another host";
    }

    public static boolean isActive(Holder holder) {
        String state = state(holder);
        return state.startsWith("active") || state.startsWith("held for");
    }

    public static String describe(Holder holder) {
        return holder.user() + "@" + holder.host() + " pid " + holder.pid() + " running '" + holder.command()
                + "' since " + holder.startedAt();
    }

    private static Optional<Holder> read(NodeTransport transport, String directory)
            throws SshException, McvirtException {
        Optional<byte[]> content = transport.readFile(new StateDirectory(directory).lockFile());
        if (content.isEmpty()) {
            return Optional.empty();
        }
        String text = new String(content.get(), StandardCharsets.UTF_8).strip();
        try {
            return Optional.of(JSON.readValue(text, Holder.class));
        } catch (JsonProcessingException e) {
            throw new McvirtException(McvirtException.Category.NODE, "node " + transport.nodeName() + ": the lock file "
                    + new StateDirectory(directory).lockFile() + " is damaged (" + e.getOriginalMessage()
                    + "); remove it with"
                    + " 'mcvirt lock break'");
        }
    }

    private static String write(Holder holder) {
        try {
            return JSON.writeValueAsString(holder);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
    }
}
