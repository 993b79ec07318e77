package org.mcvirt.node;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * The LVM and DRBD primitives of one node, run over its command transport (drbd-utils and lvm2 on the node). Each
 * is idempotent: run twice, it does the work once and the second time finds it done. None of them ever overwrites
 * data: an LV that is not mcvirt's, metadata that finds data on a disk, or a resource in an unexpected state is an
 * error naming the node and the object. Every drbdadm option goes before the command ({@code drbdadm -- --opt CMD
 * RES}), the one spelling drbd-utils 9.22 accepts for all of them, and no command ever gets the shared secret as an
 * argument (the resource file is written through standard input, mode 0600).
 */
public final class DrbdNode implements StoragePrimitives {
    /** sbin is not on a non-login PATH on every node. */
    private static final String PATH = "PATH=\"$PATH:/usr/sbin:/sbin\"; ";
    private static final Pattern PROC_LINE = Pattern.compile(
            "^\\s*(\\d+): cs:(\\S+) ro:(\\S+)/(\\S+) ds:(\\S+)/(\\S+)");
    private static final Pattern PROGRESS = Pattern.compile("(sync'ed|verified):\\s*([0-9.]+)%");
    private static final Pattern OUT_OF_SYNC = Pattern.compile("oos:(\\d+)");

    private final String node;
    private final NodeTransport transport;

    public DrbdNode(String node, NodeTransport transport) {
        this.node = node;
        this.transport = transport;
    }

    /** One minor's line in /proc/drbd. oosKib is the out-of-sync amount; progress is a resync or verify percentage. */
    public record DeviceState(int minor, String connection, String role, String peerRole, String disk, String peerDisk,
                              long oosKib, String progress) {
        public boolean upToDateOnBoth() {
            return "UpToDate".equals(disk) && "UpToDate".equals(peerDisk) && "Connected".equals(connection);
        }
    }

    // ---- LVM ----

    /**
     * Creates {@code vg/name} of the given size, tagged as mcvirt's ({@code tag}). An LV of that name that carries the
     * tag and is at least that large is left as it is; one without the tag is someone else's and an error.
     * Returns true when it created the LV.
     */
    public boolean createLogicalVolume(String volumeGroup, String name, long bytes, String tag) throws NodeException {
        Optional<long[]> existing = logicalVolumeSize(volumeGroup, name, tag);
        if (existing.isPresent()) {
            if (existing.get()[1] == 0) {
                throw new NodeException(node, "logical volume " + volumeGroup + "/" + name + " exists but is not mcvirt's"
                        + " (no tag " + tag + "); it is left alone", null);
            }
            if (existing.get()[0] < bytes) {
                throw new NodeException(node, "logical volume " + volumeGroup + "/" + name + " exists with "
                        + existing.get()[0] + " bytes, less than the " + bytes + " asked for", null);
            }
            return false;
        }
        run("create logical volume " + volumeGroup + "/" + name, "lvcreate", "--yes", "--wipesignatures", "y",
                "--zero", "y", "--addtag", tag, "--size", bytes + "b", "--name", name, volumeGroup);
        // A new LV may sit on extents an earlier volume used: zero its first MiB (create-md refuses a disk on which it
        // finds data) and its tail, where internal metadata goes (stale DRBD metadata there would be taken as this
        // resource's, with another resource's generation). Nothing can be lost: mcvirt created the LV just now.
        run("clear the ends of new logical volume " + volumeGroup + "/" + name, "sh", "-c",
                "dev=/dev/\"$1\"/\"$2\"; size=$(blockdev --getsize64 \"$dev\") || exit 1; mib=$((size / 1048576));"
                        + " tail=$((size / 32768 / 1048576 + 2)); [ \"$tail\" -gt \"$mib\" ] && tail=$mib;"
                        + " dd if=/dev/zero of=\"$dev\" bs=1M count=1 oflag=direct conv=notrunc status=none &&"
                        + " dd if=/dev/zero of=\"$dev\" bs=1M seek=$((mib - tail)) count=\"$tail\" oflag=direct"
                        + " conv=notrunc status=none", "mcvirt-clear", volumeGroup, name);
        return true;
    }

    /** {size in bytes, 1 when it carries the tag else 0}, or empty when there is no such LV. */
    public Optional<long[]> logicalVolumeSize(String volumeGroup, String name, String tag) throws NodeException {
        CommandResult result = command("lvs", "--noheadings", "--units", "b", "--nosuffix", "-o", "lv_size,lv_tags",
                volumeGroup + "/" + name);
        if (!result.succeeded()) {
            if (result.stderr().contains("Failed to find logical volume") || result.stderr().contains("not found")) {
                return Optional.empty();
            }
            throw failed("read logical volume " + volumeGroup + "/" + name, result);
        }
        String[] fields = result.stdout().strip().split("\\s+", 2);
        long size = Long.parseLong(fields[0]);
        boolean tagged = fields.length > 1 && List.of(fields[1].split(",")).contains(tag);
        return Optional.of(new long[] {size, tagged ? 1 : 0});
    }

    /** Grows {@code vg/name} to bytes; a smaller size is refused, an equal one is a no-op. Returns true when it grew. */
    public boolean growLogicalVolume(String volumeGroup, String name, long bytes, String tag) throws NodeException {
        long[] existing = logicalVolumeSize(volumeGroup, name, tag).orElseThrow(() -> new NodeException(node,
                "logical volume " + volumeGroup + "/" + name + " does not exist", null));
        if (existing[0] >= bytes) {
            return false;
        }
        run("grow logical volume " + volumeGroup + "/" + name, "lvextend", "--size", bytes + "b", volumeGroup + "/" + name);
        return true;
    }

    /** Removes {@code vg/name} if it exists and is mcvirt's. */
    public boolean removeLogicalVolume(String volumeGroup, String name, String tag) throws NodeException {
        Optional<long[]> existing = logicalVolumeSize(volumeGroup, name, tag);
        if (existing.isEmpty()) {
            return false;
        }
        if (existing.get()[1] == 0) {
            throw new NodeException(node, "logical volume " + volumeGroup + "/" + name + " is not mcvirt's (no tag "
                    + tag + "); it is left alone", null);
        }
        run("remove logical volume " + volumeGroup + "/" + name, "lvremove", "--yes", volumeGroup + "/" + name);
        return true;
    }

    // ---- resource files ----

    /**
     * Writes a resource file: first to a scratch copy that drbd-utils must parse ({@code drbdadm -c COPY dump}; one
     * broken file in the configuration directory would break every drbdadm command on the node), then atomically
     * into place with mode 0600. The text goes through standard input; the scratch copy is removed.
     */
    public void writeResourceFile(String configDirectory, String stateDirectory, String resource, String text)
            throws NodeException {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        String scratch = stateDirectory + "/drbd-check/" + resource + ".res";
        try {
            transport.runChecked(List.of("mkdir", "-p", "-m", "0700", stateDirectory + "/drbd-check"));
            transport.writeFileAtomically(scratch, content, "0600");
            CommandResult parsed = command("drbdadm", "-c", scratch, "dump", resource);
            transport.run(List.of("rm", "-f", "--", scratch));
            if (!parsed.succeeded()) {
                throw new NodeException(node, "drbd-utils refused the resource file for " + resource + ": "
                        + redact(parsed.stderr().strip() + " " + parsed.stdout().strip(), text), null);
            }
            transport.writeFileAtomically(configDirectory + "/" + resource + ".res", content, "0600");
        } catch (SshException e) {
            throw transportFailure("write the resource file of " + resource, e);
        }
    }

    /** The resource file as it is on the node, or empty. */
    public Optional<String> readResourceFile(String configDirectory, String resource) throws NodeException {
        try {
            return transport.readFile(configDirectory + "/" + resource + ".res")
                    .map(b -> new String(b, StandardCharsets.UTF_8));
        } catch (SshException e) {
            throw transportFailure("read the resource file of " + resource, e);
        }
    }

    public void removeResourceFile(String configDirectory, String resource) throws NodeException {
        try {
            transport.runChecked(List.of("rm", "-f", "--", configDirectory + "/" + resource + ".res"));
        } catch (SshException e) {
            throw transportFailure("remove the resource file of " + resource, e);
        }
    }

    public void forgetVerify(String stateDirectory, String resource) throws NodeException {
        try {
            transport.runChecked(List.of("rm", "-f", "--", stateDirectory + "/verify/" + resource + ".json"));
        } catch (SshException e) {
            throw transportFailure("remove the verify record of " + resource, e);
        }
    }

    public void saveDefinition(String stateDirectory, String domain, String xml) throws NodeException {
        String directory = stateDirectory + "/" + org.mcvirt.state.StorageReader.DEFINITIONS;
        try {
            transport.runChecked(List.of("mkdir", "-p", "-m", "0700", directory));
            transport.writeFileAtomically(directory + "/" + domain + ".xml", xml.getBytes(StandardCharsets.UTF_8),
                    "0600");
        } catch (SshException e) {
            throw transportFailure("save a copy of the definition of domain " + domain, e);
        }
    }

    public Optional<String> readDefinition(String stateDirectory, String domain) throws NodeException {
        try {
            return transport.readFile(stateDirectory + "/" + org.mcvirt.state.StorageReader.DEFINITIONS + "/" + domain
                    + ".xml").map(b -> new String(b, StandardCharsets.UTF_8));
        } catch (SshException e) {
            throw transportFailure("read the saved definition of domain " + domain, e);
        }
    }

    public void forgetDefinition(String stateDirectory, String domain) throws NodeException {
        try {
            transport.runChecked(List.of("rm", "-f", "--", stateDirectory + "/"
                    + org.mcvirt.state.StorageReader.DEFINITIONS + "/" + domain + ".xml"));
        } catch (SshException e) {
            throw transportFailure("remove the saved definition of domain " + domain, e);
        }
    }

    public void allowTwoPrimaries(String resource, boolean allow) throws NodeException {
        run((allow ? "allow" : "forbid") + " two primaries for " + resource, "drbdadm", "net-options",
                "--allow-two-primaries=" + (allow ? "yes" : "no"), resource);
    }

    public String completedMigrationDowntime(String domain) throws NodeException {
        CommandResult result = command("virsh", "-c", "qemu:///system", "domjobinfo", "--completed", domain);
        if (!result.succeeded()) {
            return null;
        }
        for (String line : result.stdout().split("\n")) {
            if (line.startsWith("Total downtime:")) {
                return line.substring("Total downtime:".length()).strip().replaceAll("\\s+", " ");
            }
        }
        return null;
    }

    // ---- metadata and bring-up ----

    /**
     * Creates DRBD's internal metadata on the backing disk. Metadata already in place counts as done; a disk on
     * which drbdmeta finds data is never overwritten (no --force): that is an error. Returns true when it created.
     */
    public boolean createMetadata(String resource) throws NodeException {
        CommandResult result = command("drbdadm", "create-md", resource);
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
                    + " overwrites it: " + lastLines(said), null);
        }
        throw failed("create the DRBD metadata of " + resource, result);
    }

    /** Brings the resource up, or adjusts a running one to its file ({@code drbdadm adjust}). */
    public void up(String resource) throws NodeException {
        run("bring up " + resource, "drbdadm", "adjust", resource);
    }

    /**
     * Starts the initial sync from this node: made Primary with its data declared the good copy. Only on a resource
     * whose disk here is Inconsistent (new): if this node's data is already UpToDate, it is just made Primary.
     * Returns true when it started a sync.
     */
    public boolean startInitialSync(int minor, String resource) throws NodeException {
        DeviceState state = state(minor).orElseThrow(() -> new NodeException(node, "resource " + resource
                + " (minor " + minor + ") is not up", null));
        if ("UpToDate".equals(state.disk())) {
            promote(minor, resource);
            return false;
        }
        if (!"Inconsistent".equals(state.disk()) || "UpToDate".equals(state.peerDisk())) {
            throw new NodeException(node, "resource " + resource + " is " + state.disk() + "/" + state.peerDisk()
                    + " here: not a new resource, so no initial sync is forced from this node", null);
        }
        run("start the initial sync of " + resource, "drbdadm", "--", "--overwrite-data-of-peer", "primary", resource);
        return true;
    }

    public void promote(int minor, String resource) throws NodeException {
        Optional<DeviceState> state = state(minor);
        if (state.isPresent() && "Primary".equals(state.get().role())) {
            return;
        }
        run("make " + resource + " primary", "drbdadm", "primary", resource);
    }

    public void demote(int minor, String resource) throws NodeException {
        Optional<DeviceState> state = state(minor);
        if (state.isEmpty() || "Secondary".equals(state.get().role())) {
            return;
        }
        run("make " + resource + " secondary", "drbdadm", "secondary", resource);
    }

    /** Takes the resource down here (a no-op when it is not up). */
    public void down(String resource) throws NodeException {
        run("take down " + resource, "drbdadm", "down", resource);
    }

    /** Wipes DRBD's metadata from the backing disk (the resource must be down). */
    public void wipeMetadata(String resource) throws NodeException {
        run("wipe the DRBD metadata of " + resource, "drbdadm", "--", "--force", "wipe-md", resource);
    }

    /**
     * Waits until both sides are UpToDate and connected, reporting the sync progress every few seconds, for at most
     * limit (a wait by design, with its own limit: the caller's step deadline is this plus a margin).
     */
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

    /**
     * Starts DRBD's online verify of a resource from this node (it runs in the kernel, on both nodes). Returns false
     * when a verify is already running, which is then simply waited for. The two nodes must be connected and not
     * resyncing: otherwise there is nothing to compare against, and that is an error naming the state.
     */
    public boolean startVerify(int minor, String resource) throws NodeException {
        DeviceState state = state(minor).orElseThrow(() -> notUp(minor, resource));
        if (state.connection().startsWith("Verify")) {
            return false;
        }
        if (!"Connected".equals(state.connection())) {
            throw new NodeException(node, "cannot verify " + resource + ": it is " + state.connection() + " "
                    + state.disk() + "/" + state.peerDisk() + " here; an online verify needs both nodes connected and"
                    + " no resync running", null);
        }
        run("start the online verify of " + resource, "drbdadm", "verify", resource);
        return true;
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
     * How many times the kernel has logged the end of an online verify of this minor ("drbdN: Online verify done"),
     * or -1 when the kernel log cannot be read. Compared before and after, it tells a verify that ran to its end
     * from one a lost connection aborted (both leave VerifyS/VerifyT).
     */
    public int verifiesDone(int minor) throws NodeException {
        CommandResult log = command("sh", "-c", "log=$(dmesg 2>/dev/null) || { echo -1; exit 0; }; printf '%s\\n'"
                + " \"$log\" | grep -c -- \"drbd" + minor + ": Online verify done\"; exit 0");
        String count = log.stdout().strip();
        return log.succeeded() && count.matches("-?\\d+") ? Integer.parseInt(count) : -1;
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
        run("start the resync of " + resource + " to the peer", "drbdadm", "invalidate-remote", resource);
    }

    /**
     * Grows a resource to its (already grown) backing disks ({@code drbdadm resize}, on either node). drbdadm says
     * nothing and does nothing while the peer's disk is still smaller, so the size is checked afterwards: at least
     * minimumBytes (the backing size less what the metadata may take). A resource already that large is left as it
     * is. The size comes from {@code drbdsetup status --verbose --statistics}, which (unlike the device) can be read in
     * either role. Returns the size in bytes.
     */
    public long resize(int minor, String resource, long minimumBytes) throws NodeException {
        long before = sizeBytes(minor, resource);
        if (before >= minimumBytes) {
            return before;
        }
        run("resize " + resource, "drbdadm", "resize", resource);
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
        CommandResult status = command("drbdsetup", "status", resource, "--verbose", "--statistics");
        if (!status.succeeded()) {
            throw failed("read the size of " + resource, status);
        }
        Matcher size = Pattern.compile("minor:" + minor + "\\b.*?\\bsize:(\\d+)", Pattern.DOTALL)
                .matcher(status.stdout());
        if (!size.find()) {
            throw new NodeException(node, "no size for minor " + minor + " in 'drbdsetup status " + resource
                    + " --verbose': " + lastLines(status.stdout()), null);
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
            throw transportFailure("read /proc/drbd", e);
        }
        if (!proc.succeeded()) {
            throw new NodeException(node, "cannot read /proc/drbd (is the DRBD module loaded?): " + proc.stderr().strip(),
                    null);
        }
        return parseProcDrbd(proc.stdout()).stream().filter(s -> s.minor() == minor).findFirst();
    }

    /** Every minor in a /proc/drbd text (8.4 format). */
    public static List<DeviceState> parseProcDrbd(String text) {
        List<DeviceState> states = new ArrayList<>();
        DeviceState current = null;
        for (String line : text.split("\n")) {
            Matcher head = PROC_LINE.matcher(line);
            if (head.find()) {
                if (current != null) {
                    states.add(current);
                }
                current = new DeviceState(Integer.parseInt(head.group(1)), head.group(2), head.group(3), head.group(4),
                        head.group(5), head.group(6), 0, null);
                continue;
            }
            if (current == null) {
                continue;
            }
            Matcher oos = OUT_OF_SYNC.matcher(line);
            if (oos.find()) {
                current = new DeviceState(current.minor(), current.connection(), current.role(), current.peerRole(),
                        current.disk(), current.peerDisk(), Long.parseLong(oos.group(1)), current.progress());
            }
            Matcher progress = PROGRESS.matcher(line);
            if (progress.find()) {
                current = new DeviceState(current.minor(), current.connection(), current.role(), current.peerRole(),
                        current.disk(), current.peerDisk(), current.oosKib(), progress.group(2));
            }
        }
        if (current != null) {
            states.add(current);
        }
        return states;
    }

    // ---- plumbing ----

    private CommandResult command(String... argv) throws NodeException {
        List<String> command = new ArrayList<>(List.of("sh", "-c", PATH + "exec \"$@\" </dev/null", "mcvirt-drbd"));
        command.addAll(List.of(argv));
        try {
            return transport.run(command);
        } catch (SshException e) {
            throw transportFailure(String.join(" ", argv), e);
        }
    }

    private void run(String what, String... argv) throws NodeException {
        CommandResult result = command(argv);
        if (!result.succeeded()) {
            throw failed(what, result);
        }
    }

    private NodeException failed(String what, CommandResult result) {
        return new NodeException(node, "cannot " + what + ": exit status " + result.exitStatus() + ": "
                + lastLines(result.stderr() + result.stdout()), null);
    }

    private NodeException transportFailure(String what, SshException e) {
        boolean gone = e.category() == SshException.Category.TIMEOUT || e.category() == SshException.Category.UNREACHABLE
                || e.category() == SshException.Category.IO;
        String message = "cannot " + what + ": " + e.getMessage();
        return gone ? NodeException.unresponsive(node, "stopped answering: " + message, e)
                : new NodeException(node, message, e);
    }

    private static String lastLines(String text) {
        List<String> lines = text.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return String.join(" / ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
    }

    /** drbd-utils may quote a line of the file in an error: never let the secret out that way. */
    private static String redact(String message, String text) {
        Matcher secret = Pattern.compile("shared-secret\\s+\"([^\"]*)\"").matcher(text);
        String result = message;
        while (secret.find()) {
            if (!secret.group(1).isEmpty()) {
                result = result.replace(secret.group(1), "(secret)");
            }
        }
        return result;
    }
}
