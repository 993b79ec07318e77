package org.mcvirt.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mcvirt.node.Deadline;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * Reads LVM and DRBD on one node over its command transport, the way {@link StateReader} reads libvirt. Only reads.
 * Tools are looked up with /usr/sbin and /sbin added to the PATH (a non-login shell may lack them) and run with
 * standard input from /dev/null. A missing tool or kernel module is recorded as absent; a command that fails is
 * recorded in the record's errors; only a transport failure (the node cannot be reached, a command timed out) is
 * thrown.
 *
 * <p>DRBD: the kernel version comes from /proc/drbd. On 8.x the resources' states come from /proc/drbd and their
 * names and configuration from {@code drbdsetup show} (joined by minor); on 9.x from {@code drbdsetup status
 * --json}. The verify records come from {@code STATE/verify/*.json}.
 */
public final class StorageReader {
    private static final String RUN = "PATH=\"$PATH:/usr/sbin:/sbin\"; export PATH;"
            + " LVM_SUPPRESS_FD_WARNINGS=1; export LVM_SUPPRESS_FD_WARNINGS; exec \"$@\" </dev/null";
    private static final String LIST_VERIFY = "for f in \"$1\"/*.json; do [ -f \"$f\" ] && printf '%s\\n' \"$f\";"
            + " done; exit 0";
    private static final int NOT_FOUND = 127;
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private StorageReader() {
    }

    /** What was read. */
    public record Result(ObservedLvm lvm, ObservedDrbd drbd) {
    }

    /** The command in progress on a node, for the message when its deadline passes. Safe to ask from any thread. */
    public static final class Progress {
        private volatile String command;
        private volatile long started;

        void start(String what) {
            started = System.nanoTime();
            command = what;
        }

        void done() {
            command = null;
        }

        /** "running lvs (for 12.5s)", or null when no command runs. */
        public String activity() {
            String what = command;
            return what == null ? null : "running " + what + " (for "
                    + Deadline.describe(Duration.ofNanos(System.nanoTime() - started)) + ")";
        }
    }

    /**
     * @param stateDirectory the node's state directory (paths.state); its verify records are read
     */
    public static Result read(NodeTransport transport, String stateDirectory, Progress progress) throws SshException {
        Commands commands = new Commands(transport, progress);
        return new Result(lvm(commands), drbd(commands, stateDirectory));
    }

    static ObservedLvm lvm(Commands commands) throws SshException {
        CommandResult lvs = commands.run("lvs", "--reportformat", "json", "--units", "b", "--nosuffix", "-o",
                LvmParser.LV_FIELDS);
        if (lvs.exitStatus() == NOT_FOUND) {
            return new ObservedLvm(Availability.ABSENT, List.of(), List.of(), List.of());
        }
        CommandResult vgs = commands.run("vgs", "--reportformat", "json", "--units", "b", "--nosuffix", "-o",
                LvmParser.VG_FIELDS);
        List<String> errors = new ArrayList<>();
        List<ObservedLvm.LogicalVolume> volumes = List.of();
        List<ObservedLvm.VolumeGroup> groups = List.of();
        if (!lvs.succeeded()) {
            errors.add(failure("lvs", lvs));
        }
        if (!vgs.succeeded()) {
            errors.add(failure("vgs", vgs));
        }
        try {
            if (!lvs.stdout().isBlank()) {
                volumes = LvmParser.logicalVolumes(lvs.stdout());
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            errors.add("cannot parse the output of lvs: " + message(e));
        }
        try {
            if (!vgs.stdout().isBlank()) {
                groups = LvmParser.volumeGroups(vgs.stdout());
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            errors.add("cannot parse the output of vgs: " + message(e));
        }
        return new ObservedLvm(errors.isEmpty() ? Availability.PRESENT : Availability.FAILED, errors, groups, volumes);
    }

    static ObservedDrbd drbd(Commands commands, String stateDirectory) throws SshException {
        List<String> errors = new ArrayList<>();
        CommandResult utilities = commands.run("drbdadm", "--version");
        String utilitiesVersion = utilities.exitStatus() == NOT_FOUND ? null : utilities.stdout().lines()
                .filter(l -> l.startsWith("DRBDADM_VERSION=")).map(l -> l.substring("DRBDADM_VERSION=".length()).strip())
                .findFirst().orElse(null);
        if (utilities.exitStatus() != NOT_FOUND && utilitiesVersion == null) {
            errors.add("drbdadm --version did not print DRBDADM_VERSION" + (utilities.succeeded() ? ""
                    : " (" + failure("drbdadm --version", utilities) + ")"));
        }
        List<VerifyRecord> verifications = stateDirectory == null ? List.of()
                : verifications(commands, stateDirectory, errors);
        CommandResult proc = commands.run("cat", "/proc/drbd");
        if (!proc.succeeded()) {
            if (proc.stderr().contains("No such file")) {
                return new ObservedDrbd(errors.isEmpty() ? Availability.ABSENT : Availability.FAILED, errors, null,
                        null, utilitiesVersion, List.of(), verifications);
            }
            errors.add(failure("cat /proc/drbd", proc));
            return new ObservedDrbd(Availability.FAILED, errors, null, null, utilitiesVersion, List.of(), verifications);
        }
        ProcDrbdParser.ProcDrbd parsed = ProcDrbdParser.parse(proc.stdout());
        if (parsed.version() == null) {
            errors.add("/proc/drbd has no version line");
        }
        ObservedDrbd probe = new ObservedDrbd(Availability.PRESENT, List.of(), parsed.version(), parsed.api(),
                utilitiesVersion, List.of(), List.of());
        List<ObservedDrbd.Resource> resources = probe.kernelMajor() >= 9 ? drbd9(commands, errors)
                : drbd84(commands, parsed, errors);
        return new ObservedDrbd(errors.isEmpty() ? Availability.PRESENT : Availability.FAILED, errors,
                parsed.version(), parsed.api(), utilitiesVersion, resources, verifications);
    }

    private static List<ObservedDrbd.Resource> drbd9(Commands commands, List<String> errors) throws SshException {
        CommandResult status = commands.run("drbdsetup", "status", "--json");
        if (status.exitStatus() == NOT_FOUND) {
            errors.add("drbdsetup is not installed: the DRBD 9 resources cannot be read");
            return List.of();
        }
        if (!status.succeeded()) {
            errors.add(failure("drbdsetup status --json", status));
            return List.of();
        }
        try {
            return Drbd9StatusParser.parse(status.stdout());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            errors.add("cannot parse the output of drbdsetup status --json: " + message(e));
            return List.of();
        }
    }

    /** The 8.4 resources: states from /proc/drbd, names and configuration from drbdsetup show, by minor. */
    static List<ObservedDrbd.Resource> drbd84(Commands commands, ProcDrbdParser.ProcDrbd proc, List<String> errors)
            throws SshException {
        List<DrbdShowParser.ShowResource> shown = List.of();
        CommandResult show = commands.run("drbdsetup", "show");
        if (show.exitStatus() == NOT_FOUND) {
            if (!proc.minors().isEmpty()) {
                errors.add("drbdsetup is not installed: the names and configuration of the DRBD minors cannot be read");
            }
        } else if (!show.succeeded()) {
            errors.add(failure("drbdsetup show", show));
        } else {
            try {
                shown = DrbdShowParser.parse(show.stdout());
            } catch (DrbdShowParser.ParseException e) {
                errors.add("cannot parse the output of drbdsetup show: " + e.getMessage());
            }
        }
        return join(proc, shown);
    }

    /** Joins /proc/drbd's minors with drbdsetup show's resources; either side may lack an entry. */
    static List<ObservedDrbd.Resource> join(ProcDrbdParser.ProcDrbd proc, List<DrbdShowParser.ShowResource> shown) {
        record Config(DrbdShowParser.ShowResource resource, DrbdShowParser.Volume volume, String local, String peer) {
        }
        Map<Integer, Config> byMinor = new HashMap<>();
        for (DrbdShowParser.ShowResource resource : shown) {
            Optional<DrbdShowParser.Host> self = resource.host("_this_host");
            String peer = resource.host("_remote_host").map(DrbdShowParser.Host::address).orElse(null);
            for (DrbdShowParser.Volume volume : self.map(DrbdShowParser.Host::volumes).orElse(List.of())) {
                if (volume.minor() != null) {
                    byMinor.put(volume.minor(), new Config(resource, volume, self.get().address(), peer));
                }
            }
        }
        List<ObservedDrbd.Resource> resources = new ArrayList<>();
        for (ProcDrbdParser.Minor minor : proc.minors()) {
            Config config = byMinor.remove(minor.minor());
            String protocol = minor.protocol() != null ? minor.protocol()
                    : config == null ? null : config.resource().netOptions().get("protocol");
            resources.add(new ObservedDrbd.Resource(config == null ? null : config.resource().name(),
                    config == null ? 0 : config.volume().number(), minor.minor(),
                    config == null ? null : config.volume().disk(), config == null ? null : config.volume().metaDisk(),
                    config == null ? null : config.local(), config == null ? null : config.peer(), protocol,
                    config == null ? Map.of() : config.resource().netOptions(), minor.connectionState(), minor.role(),
                    minor.peerRole(), minor.diskState(), minor.peerDiskState(), minor.outOfSyncKiB(), minor.sync(),
                    minor.counters()));
        }
        byMinor.forEach((number, config) -> resources.add(new ObservedDrbd.Resource(config.resource().name(),
                config.volume().number(), number, config.volume().disk(), config.volume().metaDisk(), config.local(),
                config.peer(), config.resource().netOptions().get("protocol"), config.resource().netOptions(), null,
                null, null, null, null, 0, null, Map.of())));
        return resources;
    }

    private static List<VerifyRecord> verifications(Commands commands, String stateDirectory, List<String> errors)
            throws SshException {
        String directory = stateDirectory + "/" + VerifyRecord.DIRECTORY;
        CommandResult listed = commands.labelled("listing " + directory, "sh", "-c", LIST_VERIFY,
                "mcvirt-list", directory);
        if (!listed.succeeded()) {
            errors.add(failure("listing " + directory, listed));
            return List.of();
        }
        List<VerifyRecord> records = new ArrayList<>();
        for (String path : listed.stdout().lines().filter(l -> !l.isBlank()).sorted().toList()) {
            try {
                Optional<byte[]> content = commands.readFile(path);
                if (content.isPresent()) {
                    records.add(JSON.readValue(new String(content.get(), StandardCharsets.UTF_8), VerifyRecord.class));
                }
            } catch (SshException e) {
                if (e.category() != SshException.Category.COMMAND_FAILED) {
                    throw e;
                }
                errors.add("cannot read verify record " + path + ": " + e.getMessage());
            } catch (JsonProcessingException | IllegalArgumentException e) {
                errors.add("verify record " + path + " is not valid: " + message(e));
            }
        }
        return records;
    }

    private static String failure(String what, CommandResult result) {
        String error = result.stderr().strip();
        if (error.length() > 500) {
            error = error.substring(0, 500) + "...";
        }
        return what + " exited with status " + result.exitStatus() + (error.isEmpty() ? "" : ": " + error);
    }

    private static String message(Exception e) {
        String message = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    }

    /** Runs tools on the node with the sbin directories on the PATH and stdin from /dev/null, tracking progress. */
    static final class Commands {
        private final NodeTransport transport;
        private final Progress progress;

        Commands(NodeTransport transport, Progress progress) {
            this.transport = transport;
            this.progress = progress == null ? new Progress() : progress;
        }

        CommandResult run(String... command) throws SshException {
            return labelled(String.join(" ", command), command);
        }

        /** Runs a command; label names it in the deadline message. */
        CommandResult labelled(String label, String... command) throws SshException {
            List<String> full = new ArrayList<>(List.of("sh", "-c", RUN, "mcvirt-read"));
            full.addAll(List.of(command));
            progress.start(label);
            try {
                return transport.run(full);
            } finally {
                progress.done();
            }
        }

        Optional<byte[]> readFile(String path) throws SshException {
            progress.start("reading " + path);
            try {
                return transport.readFile(path);
            } finally {
                progress.done();
            }
        }
    }
}
