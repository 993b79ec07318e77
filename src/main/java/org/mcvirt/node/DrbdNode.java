package org.mcvirt.node;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * The DRBD primitives of one node, run over its command transport (drbd-utils on the node): resource files, bring-up
 * and take-down, roles, the initial sync, online verify, resync and resize, each resource's state from /proc/drbd
 * ({@link ProcDrbdParser}). Each apply step is idempotent: run twice, it does the work once and the second time finds
 * it done. None of them ever overwrites data: metadata that finds data on a disk, or a resource in an unexpected
 * state is an error naming the node and the object. Every drbdadm option goes before the command
 * ({@code drbdadm -- --opt CMD RES}), the one spelling drbd-utils 9.22 accepts for all of them, and no command ever
 * gets the shared secret as an argument (the resource file is written through standard input, mode 0600).
 */
public final class DrbdNode implements DrbdPrimitives {
    private final String node;
    private final NodeTransport transport;
    private final NodeCommands commands;

    /**
     * The DRBD primitives of node over transport. Every command goes through {@link NodeCommands}' redacting
     * transport: the secret of a resource file written here, or read back from the node after a failure, is kept out
     * of every result and message.
     */
    public DrbdNode(String node, NodeTransport transport) {
        this.node = node;
        this.commands = new NodeCommands(node, transport);
        this.transport = commands.transport();
    }

    /**
     * A configured minor as /proc/drbd shows it ({@link ProcDrbdParser}). oosKib is the out-of-sync amount; progress is
     * a resync or verify percentage as DRBD prints it, or null.
     */
    public record DeviceState(int minor, String connection, String role, String peerRole, String disk, String peerDisk,
                              long oosKib, String progress) {
        static DeviceState of(ProcDrbdParser.Minor minor) {
            return new DeviceState(minor.minor(), minor.connectionState(), minor.role(), minor.peerRole(),
                    minor.diskState(), minor.peerDiskState(), minor.outOfSyncKiB(),
                    minor.sync() == null ? null : minor.sync().percent());
        }

        public boolean upToDateOnBoth() {
            return "UpToDate".equals(disk) && "UpToDate".equals(peerDisk) && "Connected".equals(connection);
        }
    }

    // ---- resource files ----

    /**
     * Writes a resource file: first to a scratch copy that drbd-utils must parse ({@code drbdadm -c COPY dump}; one
     * broken file in the configuration directory would break every drbdadm command on the node), then atomically
     * into place with mode 0600. The text goes through standard input; the scratch copy is removed.
     */
    @Override
    public void writeResourceFile(String configDirectory, String stateDirectory, String resource, String text)
            throws NodeException {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        StateDirectory state = new StateDirectory(stateDirectory);
        String scratch = state.drbdCheckFile(resource);
        try {
            transport.runChecked(NodeScript.STATE_DIRECTORY.command(stateDirectory, state.drbdCheckDirectory()));
            transport.writeFileAtomically(scratch, content, "0600");
            CommandResult parsed = commands.command("drbdadm", "-c", scratch, "dump", resource);
            transport.run(List.of("rm", "-f", "--", scratch));
            if (!parsed.succeeded()) {
                throw new NodeException(node, "drbd-utils refused the resource file for " + resource + ": "
                        + parsed.stderr().strip() + " " + parsed.stdout().strip(), null);
            }
            transport.writeFileAtomically(configDirectory + "/" + resource + ".res", content, "0600");
        } catch (SshException e) {
            throw commands.failure("write the resource file of " + resource, e);
        }
    }

    /** The resource file as it is on the node, or empty. */
    public Optional<String> readResourceFile(String configDirectory, String resource) throws NodeException {
        try {
            return transport.readFile(configDirectory + "/" + resource + ".res")
                    .map(b -> new String(b, StandardCharsets.UTF_8));
        } catch (SshException e) {
            throw commands.failure("read the resource file of " + resource, e);
        }
    }

    @Override
    public void removeResourceFile(String configDirectory, String resource) throws NodeException {
        try {
            transport.runChecked(List.of("rm", "-f", "--", configDirectory + "/" + resource + ".res"));
        } catch (SshException e) {
            throw commands.failure("remove the resource file of " + resource, e);
        }
    }

    @Override
    public void forgetVerify(String stateDirectory, String resource) throws NodeException {
        try {
            transport.runChecked(List.of("rm", "-f", "--", new StateDirectory(stateDirectory).verifyRecord(resource)));
        } catch (SshException e) {
            throw commands.failure("remove the verify record of " + resource, e);
        }
    }

    @Override
    public void allowTwoPrimaries(String resource, boolean allow) throws NodeException {
        runWithSecret((allow ? "allow" : "forbid") + " two primaries for " + resource, resource, "drbdadm",
                "net-options", "--allow-two-primaries=" + (allow ? "yes" : "no"), resource);
    }

    /**
     * Runs a drbdadm command whose failure may print the resource's secret (drbd-utils shows a failed drbdsetup call
     * with its options, the file's net options among them). On a failure the resource file is read back ({@code
     * drbdadm dump}) so that the transport knows its secret, and the message is redacted with it.
     */
    private void runWithSecret(String what, String resource, String... argv) throws NodeException {
        CommandResult result = commands.command(argv);
        if (!result.succeeded()) {
            try {
                commands.command("drbdadm", "dump", resource);
            } catch (NodeException e) {
                // the first failure is what is reported; the patterns already redacted what drbd-utils spells
            }
            throw commands.failed(what, result);
        }
    }

    // ---- metadata and bring-up ----

    /**
     * Creates DRBD's internal metadata on the backing disk. Metadata already in place counts as done; a disk on
     * which drbdmeta finds data is never overwritten (no --force): that is an error. Returns true when it created.
     */
    @Override
    public boolean createMetadata(String resource) throws NodeException {
        CommandResult result = commands.command("drbdadm", "create-md", resource);
        if (result.succeeded()) {
            return true;
        }
        String said = result.stdout() + result.stderr();
        if (said.contains("meta data block") && said.contains("already in place")) {
            return false;
        }
        if (said.contains("is configured")) {
            return false; // the resource is up (an earlier apply got further): its metadata is in use
        }
        if (said.contains("Found some data") || said.contains("filesystem")) {
            throw new NodeException(node, "the backing disk of " + resource + " already holds data; mcvirt never"
                    + " overwrites it: " + NodeCommands.lastLines(said), null);
        }
        throw commands.failed("create the DRBD metadata of " + resource, result);
    }

    /** Brings the resource up, or adjusts a running one to its file ({@code drbdadm adjust}). */
    @Override
    public void up(String resource) throws NodeException {
        runWithSecret("bring up " + resource, resource, "drbdadm", "adjust", resource);
    }

    /** How long the initial sync waits for the peer, brought up just before, to connect. */
    static final Duration PEER_CONNECT_WAIT = Duration.ofSeconds(60);

    /**
     * Starts the initial sync from this node: made Primary with its data declared the good copy. Only on a resource
     * whose disk here is Inconsistent (new): if this node's data is already UpToDate, it is just made Primary.
     * {@code --overwrite-data-of-peer} is given only while the peer is connected and its disk Inconsistent too (new
     * on both sides); a peer whose disk is unknown (not connected: it may hold data mcvirt cannot see) or holds data
     * (Outdated, Consistent, UpToDate) or none (Diskless) is refused, after waiting {@link #PEER_CONNECT_WAIT} for a
     * peer that is still connecting. Returns true when it started a sync.
     */
    @Override
    public boolean startInitialSync(int minor, String resource) throws NodeException {
        return startInitialSync(minor, resource, PEER_CONNECT_WAIT);
    }

    boolean startInitialSync(int minor, String resource, Duration connectWait) throws NodeException {
        long deadline = System.nanoTime() + connectWait.toNanos();
        DeviceState state = state(minor).orElseThrow(() -> notUp(minor, resource));
        if ("UpToDate".equals(state.disk())) {
            promote(minor, resource);
            return false;
        }
        while (!"Connected".equals(state.connection()) && !"StandAlone".equals(state.connection())
                && System.nanoTime() < deadline) {
            sleep(resource);
            state = state(minor).orElseThrow(() -> notUp(minor, resource));
        }
        String states = state.connection() + " " + state.disk() + "/" + state.peerDisk();
        if (!"Connected".equals(state.connection())) {
            throw new NodeException(node, "resource " + resource + " is not connected to its peer (" + states + ")"
                    + (connectWait.isZero() ? "" : " after " + Deadline.describe(connectWait)) + ": the initial sync"
                    + " overwrites the peer only when it is connected and Inconsistent; bring the peer up and connected,"
                    + " then apply again", null);
        }
        if (!"Inconsistent".equals(state.disk()) || !"Inconsistent".equals(state.peerDisk())) {
            throw new NodeException(node, "resource " + resource + " is " + state.disk() + "/" + state.peerDisk()
                    + " here: not a new resource on both nodes, so no initial sync is forced from this node", null);
        }
        commands.run("start the initial sync of " + resource, "drbdadm", "--", "--overwrite-data-of-peer", "primary",
                resource);
        return true;
    }

    /**
     * How long a promote waits for this node's copy to become UpToDate: right after {@code drbdadm adjust} (a node
     * back from a reboot) the disk is Consistent or Outdated until the peers connect and compare their data.
     */
    static final Duration UP_TO_DATE_WAIT = Duration.ofSeconds(60);

    /**
     * Makes the resource Primary here, only once this node's copy is UpToDate (never with --force): a copy that is
     * not is waited for up to {@link #UP_TO_DATE_WAIT} (a resource just brought up connects and finds its copy
     * UpToDate), then refused with the states seen. A resource already Primary is left as it is. Where /proc/drbd
     * shows no state of the minor (DRBD 9 keeps it elsewhere), drbdadm itself refuses a copy that is not UpToDate.
     */
    @Override
    public void promote(int minor, String resource) throws NodeException {
        promote(minor, resource, UP_TO_DATE_WAIT);
    }

    void promote(int minor, String resource, Duration wait) throws NodeException {
        Optional<DeviceState> state = state(minor);
        if (state.isPresent() && "Primary".equals(state.get().role())) {
            return;
        }
        if (state.isPresent()) {
            awaitUpToDate(minor, resource, state.get(), wait);
        }
        commands.run("make " + resource + " primary", "drbdadm", "primary", resource);
    }

    /**
     * Waits until this node's copy is UpToDate, for at most limit; a StandAlone copy that is not UpToDate is refused at
     * once (it does not reconnect by itself). The error names the states seen last.
     */
    private void awaitUpToDate(int minor, String resource, DeviceState first, Duration limit) throws NodeException {
        long deadline = System.nanoTime() + limit.toNanos();
        DeviceState state = first;
        while (!"UpToDate".equals(state.disk())) {
            boolean alone = "StandAlone".equals(state.connection());
            if (alone || System.nanoTime() >= deadline) {
                throw new NodeException(node, "resource " + resource + " is not made primary: its copy here is "
                        + state.disk() + ", not UpToDate" + (alone ? "" : ", after " + Deadline.describe(limit))
                        + " (" + state.connection() + ", " + state.role() + "/" + state.peerRole() + ", "
                        + state.disk() + "/" + state.peerDisk() + "); mcvirt makes only an UpToDate copy primary"
                        + " (never --force): connect it to its peer ('drbdadm adjust " + resource + "' on both nodes),"
                        + " wait for any resync to end, then apply again", null);
            }
            sleep(resource);
            state = state(minor).orElseThrow(() -> notUp(minor, resource));
        }
    }

    @Override
    public void forcePromote(int minor, String resource) throws NodeException {
        Optional<DeviceState> state = state(minor);
        if (state.isPresent() && "Primary".equals(state.get().role())) {
            return;
        }
        commands.run("make " + resource + " primary (forced)", "drbdadm", "primary", "--force", resource);
    }

    /** The connection states in which the peers talk: in sync, resyncing, or about to resync. */
    private static final java.util.Set<String> CONNECTED = java.util.Set.of("Connected", "SyncSource", "SyncTarget",
            "PausedSyncS", "PausedSyncT", "WFBitMapS", "WFBitMapT", "WFSyncUUID", "StartingSyncS", "StartingSyncT",
            "VerifyS", "VerifyT");

    @Override
    public void rejoinDiscardingHere(int minor, String resource) throws NodeException {
        Optional<DeviceState> state = state(minor);
        if (state.isPresent() && "Primary".equals(state.get().role())) {
            commands.run("make " + resource + " secondary", "drbdadm", "secondary", resource);
        }
        if (state.isEmpty()) {
            // up, then at once disconnected: the survivor is StandAlone by now (disconnectUnlessConnected), so this
            // side waits for it and never handshakes before it is told to discard its copy
            runWithSecret("bring up " + resource, resource, "drbdadm", "up", resource);
            state = Optional.of(state(minor).orElseThrow(() -> notUp(minor, resource)));
        }
        String connection = state.get().connection();
        if (CONNECTED.contains(connection)) {
            if (java.util.Set.of("SyncSource", "PausedSyncS", "WFBitMapS", "StartingSyncS").contains(connection)) {
                throw new NodeException(node, "resource " + resource + " is " + connection + " here: this node's stale"
                        + " copy would overwrite the peer's; disconnect it ('drbdadm disconnect " + resource + "') and"
                        + " plan again", null);
            }
            return;
        }
        if (!"StandAlone".equals(connection)) {
            commands.run("disconnect " + resource, "drbdadm", "disconnect", resource);
        }
        runWithSecret("connect " + resource + " discarding this node's copy", resource, "drbdadm", "connect",
                "--discard-my-data", resource);
    }

    @Override
    public void disconnectUnlessConnected(int minor, String resource) throws NodeException {
        Optional<DeviceState> state = state(minor);
        if (state.isPresent() && !CONNECTED.contains(state.get().connection())
                && !"StandAlone".equals(state.get().connection())) {
            commands.run("disconnect " + resource + " (it waits for a peer whose copy is stale)", "drbdadm",
                    "disconnect", resource);
        }
    }

    @Override
    public void connectIfStandAlone(int minor, String resource) throws NodeException {
        Optional<DeviceState> state = state(minor);
        if (state.isPresent() && "StandAlone".equals(state.get().connection())) {
            runWithSecret("connect " + resource, resource, "drbdadm", "connect", resource);
        }
    }

    @Override
    public void awaitConnected(int minor, String resource, Duration limit) throws NodeException {
        long deadline = System.nanoTime() + limit.toNanos();
        DeviceState state = state(minor).orElseThrow(() -> notUp(minor, resource));
        while (!CONNECTED.contains(state.connection())) {
            if (System.nanoTime() > deadline) {
                throw new NodeException(node, "resource " + resource + " did not connect to its peer within "
                        + Deadline.describe(limit) + " (" + state.connection() + " " + state.disk() + "/"
                        + state.peerDisk() + ")", null);
            }
            sleep(resource);
            state = state(minor).orElseThrow(() -> notUp(minor, resource));
        }
    }

    @Override
    public void demote(int minor, String resource) throws NodeException {
        Optional<DeviceState> state = state(minor);
        if (state.isEmpty() || "Secondary".equals(state.get().role())) {
            return;
        }
        commands.run("make " + resource + " secondary", "drbdadm", "secondary", resource);
    }

    /** Takes the resource down here (a no-op when it is not up). */
    @Override
    public void down(String resource) throws NodeException {
        commands.run("take down " + resource, "drbdadm", "down", resource);
    }

    /** Wipes DRBD's metadata from the backing disk (the resource must be down). */
    @Override
    public void wipeMetadata(String resource) throws NodeException {
        commands.run("wipe the DRBD metadata of " + resource, "drbdadm", "--", "--force", "wipe-md", resource);
    }

    /**
     * Waits until both sides are UpToDate and connected, reporting the sync progress every few seconds, for at most
     * limit (a wait by design, with its own limit: the caller's step deadline is this plus a margin).
     */
    @Override
    public void awaitInSync(int minor, String resource, Duration limit, Consumer<String> progress) throws NodeException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        long nextReport = start + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            Optional<DeviceState> state = state(minor);
            if (state.isPresent() && state.get().upToDateOnBoth()) {
                return;
            }
            long now = System.nanoTime();
            if (now >= deadline) {
                throw new NodeException(node, "resource " + resource + " was not in sync within " + Deadline.describe(limit)
                        + state.map(s -> " (" + s.connection() + " " + s.disk() + "/" + s.peerDisk()
                                + (s.progress() == null ? "" : " " + s.progress() + "%") + ")").orElse(" (not up)"), null);
            }
            if (now >= nextReport) {
                progress.accept(state.map(s -> s.connection() + " " + s.disk() + "/" + s.peerDisk()
                        + (s.progress() == null ? "" : ", " + s.progress() + "% synced")).orElse("not up") + " after "
                        + TimeUnit.NANOSECONDS.toSeconds(now - start) + "s");
                nextReport += TimeUnit.SECONDS.toNanos(5);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NodeException(node, "interrupted while waiting for " + resource + " to sync", e);
            }
        }
    }

    // ---- online verify, resync, grow ----

    @Override
    public void installVerifySchedule(String timerUnit, String programPath, String program, String servicePath,
                                      String service, String timerPath, String timer) throws NodeException {
        String programDirectory = programPath.substring(0, programPath.lastIndexOf('/'));
        String stateDirectory = programDirectory.substring(0, Math.max(1, programDirectory.lastIndexOf('/')));
        try {
            transport.runChecked(NodeScript.STATE_DIRECTORY.command(stateDirectory, programDirectory));
            transport.writeFileAtomically(programPath, program.getBytes(StandardCharsets.UTF_8), "0600");
            transport.writeFileAtomically(servicePath, service.getBytes(StandardCharsets.UTF_8), "0644");
            transport.writeFileAtomically(timerPath, timer.getBytes(StandardCharsets.UTF_8), "0644");
        } catch (SshException e) {
            throw commands.failure("write the scheduled verify's files", e);
        }
        commands.run("reload systemd", "systemctl", "daemon-reload");
        commands.run("enable " + timerUnit, "systemctl", "enable", timerUnit);
        // restart re-arms a running timer on a changed schedule; it does not run the service
        commands.run("start " + timerUnit, "systemctl", "restart", timerUnit);
    }

    @Override
    public void removeVerifySchedule(String timerUnit, List<String> paths) throws NodeException {
        // a timer already gone is fine: the files are what is left to remove
        commands.command("systemctl", "disable", "--now", timerUnit);
        // its stamp would make a timer of the same name fire at once when it comes back
        commands.command("systemctl", "clean", "--what=state", timerUnit);
        List<String> remove = new java.util.ArrayList<>(List.of("rm", "-f", "--"));
        remove.addAll(paths);
        commands.run("remove the scheduled verify's files", remove);
        commands.run("reload systemd", "systemctl", "daemon-reload");
    }

    /**
     * Waits for a running online verify to end (the connection leaves VerifyS/VerifyT), reporting its progress every
     * few seconds, for at most limit. Returns the state it ends in; its oosKib is what the verify found out of sync.
     */
    public DeviceState awaitVerify(int minor, String resource, Duration limit, Consumer<String> progress)
            throws NodeException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        long nextReport = start + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            DeviceState state = state(minor).orElseThrow(() -> notUp(minor, resource));
            if (!state.connection().startsWith("Verify")) {
                return state;
            }
            long now = System.nanoTime();
            if (now >= deadline) {
                throw new NodeException(node, "the online verify of " + resource + " did not end within "
                        + Deadline.describe(limit) + " (" + (state.progress() == null ? "?" : state.progress())
                        + "% verified); it goes on in the kernel, and 'mcvirt verify' again waits for it (a"
                        + " disconnect would stop it, but the reconnect resyncs what it marked in whichever direction"
                        + " DRBD picks)", null);
            }
            if (now >= nextReport) {
                progress.accept((state.progress() == null ? "?" : state.progress()) + "% verified after "
                        + TimeUnit.NANOSECONDS.toSeconds(now - start) + "s");
                nextReport += TimeUnit.SECONDS.toNanos(5);
            }
            sleep(resource);
        }
    }

    /**
     * Starts a full resync that overwrites the peer's copy of a resource with this node's ({@code drbdadm
     * invalidate-remote} here, on the node with the good data; {@code invalidate} would do the opposite). This node's
     * disk must be UpToDate and the peer connected and Secondary: a Primary peer has a running vm on the data that
     * would be replaced.
     */
    public void startResyncToPeer(int minor, String resource) throws NodeException {
        DeviceState state = state(minor).orElseThrow(() -> notUp(minor, resource));
        if (!"Connected".equals(state.connection())) {
            throw new NodeException(node, "cannot resync " + resource + " from this node: it is " + state.connection()
                    + " " + state.disk() + "/" + state.peerDisk() + "; the nodes must be connected with no resync or"
                    + " verify running", null);
        }
        if (!"UpToDate".equals(state.disk())) {
            throw new NodeException(node, "cannot resync " + resource + " from this node: its copy here is "
                    + state.disk() + ", not UpToDate", null);
        }
        if ("Primary".equals(state.peerRole())) {
            throw new NodeException(node, "cannot resync " + resource + " from this node: the peer is Primary;"
                    + " only a Secondary copy is overwritten", null);
        }
        commands.run("start the resync of " + resource + " to the peer", "drbdadm", "invalidate-remote", resource);
    }

    /**
     * Grows a resource to its (already grown) backing disks ({@code drbdadm resize}, on either node). drbdadm says
     * nothing and does nothing while the peer's disk is still smaller, so the size is checked afterwards: at least
     * minimumBytes (the backing size less what the metadata may take). A resource already that large is left as it
     * is. The size comes from {@code drbdsetup status --verbose --statistics}, which (unlike the device) can be read in
     * either role. Returns the size in bytes.
     */
    @Override
    public long resize(int minor, String resource, long minimumBytes) throws NodeException {
        long before = sizeBytes(minor, resource);
        if (before >= minimumBytes) {
            return before;
        }
        commands.run("resize " + resource, "drbdadm", "resize", resource);
        long after = sizeBytes(minor, resource);
        if (after < minimumBytes) {
            throw new NodeException(node, "resource " + resource + " is " + after + " bytes after 'drbdadm resize',"
                    + " less than the " + minimumBytes + " its grown disks allow (drbdadm does nothing while the peer's"
                    + " logical volume is smaller, or while a resync or verify runs): check both, then apply again",
                    null);
        }
        return after;
    }

    /** The size of a resource's device in bytes, as DRBD reports it (drbdsetup status --verbose --statistics: size in KiB). */
    public long sizeBytes(int minor, String resource) throws NodeException {
        CommandResult status = commands.command("drbdsetup", "status", resource, "--verbose", "--statistics");
        if (!status.succeeded()) {
            throw commands.failed("read the size of " + resource, status);
        }
        Matcher size = Pattern.compile("minor:" + minor + "\\b.*?\\bsize:(\\d+)", Pattern.DOTALL)
                .matcher(status.stdout());
        if (!size.find()) {
            throw new NodeException(node, "no size for minor " + minor + " in 'drbdsetup status " + resource
                    + " --verbose': " + NodeCommands.lastLines(status.stdout()), null);
        }
        return Long.parseLong(size.group(1)) * 1024;
    }

    private NodeException notUp(int minor, String resource) {
        return new NodeException(node, "resource " + resource + " (minor " + minor + ") is not up", null);
    }

    private void sleep(String resource) throws NodeException {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException(node, "interrupted while waiting for " + resource, e);
        }
    }

    /** The minor's state from /proc/drbd, or empty when the minor is not configured. */
    public Optional<DeviceState> state(int minor) throws NodeException {
        CommandResult proc;
        try {
            proc = transport.run(List.of("cat", "/proc/drbd"));
        } catch (SshException e) {
            throw commands.failure("read /proc/drbd", e);
        }
        if (!proc.succeeded()) {
            throw new NodeException(node, "cannot read /proc/drbd (is the DRBD module loaded?): " + proc.stderr().strip(),
                    null);
        }
        return ProcDrbdParser.parse(proc.stdout()).minors().stream()
                .filter(m -> m.minor() == minor && m.role() != null && m.diskState() != null).findFirst()
                .map(DeviceState::of);
    }
}
