package org.mcvirt.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.mcvirt.node.Deadline;
import org.mcvirt.node.ProcDrbdParser;
import org.mcvirt.node.StateDirectory;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * Reads LVM and DRBD on one node over its command transport, the way {@link StateReader} reads libvirt. Only reads.
 *
 * <p>Everything is read by one command per node ({@link #SCRIPT}; on slow nodes each command costs a round trip):
 * the tools are looked up with /usr/sbin and /sbin added to the PATH (a non-login shell may lack them) and run with
 * standard input from /dev/null; each tool's standard output, standard error and exit status come back as a section
 * between lines that start with a random boundary. A missing tool or kernel module is recorded as absent; a tool
 * that fails is recorded in the record's errors; only a transport failure (the node cannot be reached, the command
 * timed out) is thrown.
 *
 * <p>DRBD: the kernel version comes from /proc/drbd. On 8.x the resources' states come from /proc/drbd and their
 * names and configuration from {@code drbdsetup show} (joined by minor); on 9.x from {@code drbdsetup status
 * --json}. The verify records are {@code STATE/verify/*.json} ({@link StateDirectory}).
 */
public final class StorageReader {
    /**
     * {@link NodeScript#STORAGE_READ} with its placeholders filled. Arguments: the boundary, the verify record
     * directory, the journal file, the saved definitions directory.
     */
    static final String SCRIPT = NodeScript.STORAGE_READ.text().replace("LV_FIELDS", LvmParser.LV_FIELDS)
            .replace("VG_FIELDS", LvmParser.VG_FIELDS).replace("JOURNAL_TAIL", Integer.toString(Journal.TAIL_BYTES));
    private static final String WHAT = "the LVM and DRBD read (lvs, vgs, drbdadm --version, /proc/drbd, drbdsetup,"
            + " verify records)";
    private static final int NOT_FOUND = 127;
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private StorageReader() {
    }

    /**
     * What was read. availableMemoryBytes and totalMemoryBytes are MemAvailable and MemTotal of /proc/meminfo, each
     * null when it could not be read.
     */
    public record Result(ObservedLvm lvm, ObservedDrbd drbd, List<Journal.Entry> journal, Long availableMemoryBytes,
                         Long totalMemoryBytes, Map<String, String> savedDefinitions, ObservedPermissions permissions) {
        public Result(ObservedLvm lvm, ObservedDrbd drbd) {
            this(lvm, drbd, List.of(), null, null, Map.of(), ObservedPermissions.notRead());
        }
    }

    /**
     * What to read of mcvirt's permissions on a node.
     *
     * @param rulesPath the cluster's polkit rules file (read when it is there)
     * @param libvirtdConf libvirtd.conf, whose access_drivers lines are read, with whether polkitd is installed, when
     *                     wanted or when the rules file is there
     * @param wanted whether the manifest has permissions
     * @param principals the manifest's users and @groups, whose existence is asked when wanted
     */
    public record PermissionsQuery(String rulesPath, String libvirtdConf, boolean wanted, List<String> principals) {
        public PermissionsQuery {
            Objects.requireNonNull(rulesPath, "rulesPath");
            Objects.requireNonNull(libvirtdConf, "libvirtdConf");
            principals = List.copyOf(principals);
            for (String name : principals) {
                if (!org.mcvirt.model.PermissionsSpec.PRINCIPAL.matcher(name).matches()) {
                    throw new IllegalArgumentException("not a user or @group: " + name);
                }
            }
        }

        /** Nothing asked: no rules file can be there, libvirtd.conf is not read. */
        public static final PermissionsQuery NONE = new PermissionsQuery("/nonexistent", "/nonexistent", false,
                List.of());
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

        /** "running the LVM and DRBD read (...) (for 12.5s)", or null when nothing runs. */
        public String activity() {
            String what = command;
            return what == null ? null : "running " + what + " (for "
                    + Deadline.describe(Duration.ofNanos(System.nanoTime() - started)) + ")";
        }
    }

    /**
     * What the script printed: each tool's result by section name (lvs, vgs, drbdadm, proc, show, status) and each
     * verify record file's content by path.
     */
    record Batch(Map<String, CommandResult> results, Map<String, String> files) {
        CommandResult result(String name) {
            return results.getOrDefault(name, new CommandResult(NOT_FOUND, "", ""));
        }
    }

    /**
     * @param stateDirectory the node's state directory (paths.state); its verify records are read
     * @param readLvm        whether to run lvs and vgs; without, the result's LVM is {@link ObservedLvm#notRead()}
     */
    public static Result read(NodeTransport transport, String stateDirectory, Progress progress, boolean readLvm)
            throws SshException {
        return read(transport, stateDirectory, null, progress, readLvm);
    }

    /**
     * @param drbdConfigDirectory the node's DRBD configuration directory; mcvirt's resource files there are read
     *                            (without their secret); null reads none
     */
    public static Result read(NodeTransport transport, String stateDirectory, String drbdConfigDirectory,
                              Progress progress, boolean readLvm) throws SshException {
        return read(transport, stateDirectory, drbdConfigDirectory, PermissionsQuery.NONE, progress, readLvm);
    }

    /** @param permissions what to read of mcvirt's permissions (polkit rules, libvirtd's access driver, names) */
    public static Result read(NodeTransport transport, String stateDirectory, String drbdConfigDirectory,
                              PermissionsQuery permissions, Progress progress, boolean readLvm) throws SshException {
        String boundary = "--mcvirt-" + UUID.randomUUID();
        StateDirectory state = stateDirectory == null ? null : new StateDirectory(stateDirectory);
        Progress tracker = progress == null ? new Progress() : progress;
        CommandResult ran;
        tracker.start(WHAT);
        try {
            ran = transport.run(NodeScript.STORAGE_READ.commandOf(SCRIPT, boundary,
                    state == null ? "/nonexistent" : state.verifyDirectory(),
                    state == null ? "/nonexistent" : state.journalFile(),
                    state == null ? "/nonexistent" : state.definitionsDirectory(),
                    state == null ? "/nonexistent" : state.failoverDirectory(), readLvm ? "lvm" : "-",
                    drbdConfigDirectory == null ? "/nonexistent" : drbdConfigDirectory,
                    state == null ? "/nonexistent" : state.verifyProgram(), permissions.rulesPath(),
                    permissions.libvirtdConf(), permissions.wanted() ? "always" : "rules",
                    names(permissions.principals(), false), names(permissions.principals(), true)));
        } finally {
            tracker.done();
        }
        if (!ran.succeeded()) {
            String error = WHAT + " exited with status " + ran.exitStatus() + detail(ran.stderr());
            return new Result(new ObservedLvm(Availability.FAILED, List.of(error), List.of(), List.of()),
                    new ObservedDrbd(Availability.FAILED, List.of(error), null, null, null, List.of(), List.of()));
        }
        Batch batch = parse(ran.stdout(), boundary);
        CommandResult memory = batch.result("memory");
        return new Result(readLvm ? lvm(batch) : ObservedLvm.notRead(), drbd(batch), Journal.parse(batch.result("journal").stdout()),
                meminfo(memory, "MemAvailable"), meminfo(memory, "MemTotal"), savedDefinitions(batch.result("saved")),
                permissions(batch, permissions));
    }

    /** The users (or the groups, without their @) of a list of principals, space-separated for the script. */
    private static String names(List<String> principals, boolean groups) {
        return principals.stream().filter(p -> org.mcvirt.model.PermissionsSpec.isGroup(p) == groups).map(p -> groups ? p.substring(1) : p)
                .distinct().sorted().collect(java.util.stream.Collectors.joining(" "));
    }

    /** What the script read of mcvirt's permissions. */
    static ObservedPermissions permissions(Batch batch, PermissionsQuery query) {
        String rules = batch.files().get(query.rulesPath());
        boolean confRead = batch.results().containsKey("polkitd");
        if (!confRead) {
            return new ObservedPermissions(rules, null, null, null, null);
        }
        CommandResult access = batch.result("access");
        List<String> lines = access.succeeded() ? access.stdout().lines().filter(l -> !l.isBlank()).toList()
                : List.of();
        return new ObservedPermissions(rules, lines, batch.result("polkitd").succeeded(),
                known(batch, "users", names(query.principals(), false)),
                known(batch, "groups", names(query.principals(), true)));
    }

    /** The names getent found (its lines' first field), or null when none were asked about. */
    private static java.util.Set<String> known(Batch batch, String section, String asked) {
        if (asked.isEmpty() || !batch.results().containsKey(section)) {
            return null;
        }
        java.util.Set<String> found = new java.util.TreeSet<>();
        for (String line : batch.result(section).stdout().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                found.add(line.substring(0, colon));
            }
        }
        return found;
    }

    /**
     * One field of /proc/meminfo in bytes, from the memory section's lines ({@code MemTotal: 16318412}, in KiB), or
     * null when it could not be read.
     */
    static Long meminfo(CommandResult result, String field) {
        if (!result.succeeded()) {
            return null;
        }
        for (String line : result.stdout().split("\n")) {
            String[] parts = line.strip().split("\\s+");
            if (parts.length == 2 && parts[0].equals(field + ":") && parts[1].matches("\\d{1,15}")) {
                return Long.parseLong(parts[1]) * 1024;
            }
        }
        return null;
    }

    /** sha256sum's lines ({@code HASH  NAME.xml}) as domain name to hash. */
    static Map<String, String> savedDefinitions(CommandResult result) {
        Map<String, String> saved = new java.util.TreeMap<>();
        for (String line : result.stdout().split("\n")) {
            String[] parts = line.strip().split("\\s+\\*?", 2);
            if (parts.length == 2 && parts[0].matches("[0-9a-f]{64}") && parts[1].endsWith(".xml")) {
                saved.put(parts[1].substring(0, parts[1].length() - ".xml".length()), parts[0]);
            }
        }
        return saved;
    }

    /** Splits the script's output into its sections. */
    static Batch parse(String output, String boundary) {
        Map<String, CommandResult> results = new LinkedHashMap<>();
        Map<String, String> files = new LinkedHashMap<>();
        int at = 0;
        while (true) {
            int start = output.indexOf(boundary + " ", at);
            if (start < 0) {
                break;
            }
            int lineEnd = output.indexOf('\n', start);
            if (lineEnd < 0) {
                break;
            }
            String[] header = output.substring(start + boundary.length() + 1, lineEnd).split(" ", 2);
            if (header.length < 2) {
                at = lineEnd;
                continue;
            }
            String kind = header[0];
            String name = header[1];
            if (kind.equals("out")) {
                String errMarker = "\n" + boundary + " err " + name + "\n";
                String statusMarker = "\n" + boundary + " status " + name + " ";
                int err = output.indexOf(errMarker, lineEnd);
                int status = err < 0 ? -1 : output.indexOf(statusMarker, err + errMarker.length() - 1);
                if (status < 0) {
                    break;
                }
                int statusEnd = output.indexOf('\n', status + statusMarker.length());
                String code = output.substring(status + statusMarker.length(), statusEnd < 0 ? output.length() : statusEnd);
                results.put(name, new CommandResult(code.strip().matches("\\d+") ? Integer.parseInt(code.strip()) : -1,
                        output.substring(lineEnd + 1, err), output.substring(err + errMarker.length(), status)));
                at = statusEnd < 0 ? output.length() : statusEnd;
            } else if (kind.equals("file")) {
                String endMarker = "\n" + boundary + " end " + name + "\n";
                int end = output.indexOf(endMarker, lineEnd);
                if (end < 0) {
                    break;
                }
                files.put(name, output.substring(lineEnd + 1, end));
                at = end + endMarker.length() - 1;
            } else {
                at = lineEnd;
            }
        }
        return new Batch(results, files);
    }

    static ObservedLvm lvm(Batch batch) {
        CommandResult lvs = batch.result("lvs");
        if (lvs.exitStatus() == NOT_FOUND) {
            return new ObservedLvm(Availability.ABSENT, List.of(), List.of(), List.of());
        }
        CommandResult vgs = batch.result("vgs");
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

    static ObservedDrbd drbd(Batch batch) {
        List<String> errors = new ArrayList<>();
        CommandResult utilities = batch.result("drbdadm");
        String utilitiesVersion = utilities.exitStatus() == NOT_FOUND ? null : utilities.stdout().lines()
                .filter(l -> l.startsWith("DRBDADM_VERSION=")).map(l -> l.substring("DRBDADM_VERSION=".length()).strip())
                .findFirst().orElse(null);
        if (utilities.exitStatus() != NOT_FOUND && utilitiesVersion == null) {
            errors.add("drbdadm --version did not print DRBDADM_VERSION" + (utilities.succeeded() ? ""
                    : " (" + failure("drbdadm --version", utilities) + ")"));
        }
        List<VerifyRecord> verifications = verifications(batch, errors);
        List<FailoverRecord> failovers = failovers(batch, errors);
        CommandResult proc = batch.result("proc");
        if (!proc.succeeded()) {
            if (proc.stderr().contains("No such file")) {
                return new ObservedDrbd(errors.isEmpty() ? Availability.ABSENT : Availability.FAILED, errors, null,
                        null, utilitiesVersion, List.of(), verifications, Map.of(), failovers, resourceFiles(batch),
                        verifySchedule(batch));
            }
            errors.add(failure("cat /proc/drbd", proc));
            return new ObservedDrbd(Availability.FAILED, errors, null, null, utilitiesVersion, List.of(), verifications,
                    Map.of(), failovers, resourceFiles(batch), verifySchedule(batch));
        }
        ProcDrbdParser.ProcDrbd parsed = ProcDrbdParser.parse(proc.stdout());
        if (parsed.version() == null) {
            errors.add("/proc/drbd has no version line");
        }
        ObservedDrbd probe = new ObservedDrbd(Availability.PRESENT, List.of(), parsed.version(), parsed.api(),
                utilitiesVersion, List.of(), List.of());
        List<ObservedDrbd.Resource> resources = probe.kernelMajor() >= 9 ? drbd9(batch.result("status"), errors)
                : drbd84(batch.result("show"), parsed, errors);
        return new ObservedDrbd(errors.isEmpty() ? Availability.PRESENT : Availability.FAILED, errors,
                parsed.version(), parsed.api(), utilitiesVersion, resources, verifications, deviceSizes(batch),
                failovers, resourceFiles(batch), verifySchedule(batch));
    }

    /** "/sys/block/drbd300/size 130992" lines (512-byte sectors) by minor, in bytes. */
    static Map<Integer, Long> deviceSizes(Batch batch) {
        Map<Integer, Long> sizes = new java.util.TreeMap<>();
        for (String line : batch.result("sizes").stdout().split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^/sys/block/drbd(\\d+)/size (\\d+)$")
                    .matcher(line.strip());
            if (m.matches()) {
                sizes.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)) * 512);
            }
        }
        return sizes;
    }

    private static List<ObservedDrbd.Resource> drbd9(CommandResult status, List<String> errors) {
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
    private static List<ObservedDrbd.Resource> drbd84(CommandResult show, ProcDrbdParser.ProcDrbd proc,
                                                      List<String> errors) {
        List<DrbdShowParser.ShowResource> shown = List.of();
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
                    minor.peerRole(), minor.diskState(), minor.peerDiskState(), minor.outOfSyncKiB(),
                    sync(minor.sync()), minor.counters()));
        }
        byMinor.forEach((number, config) -> resources.add(new ObservedDrbd.Resource(config.resource().name(),
                config.volume().number(), number, config.volume().disk(), config.volume().metaDisk(), config.local(),
                config.peer(), config.resource().netOptions().get("protocol"), config.resource().netOptions(), null,
                null, null, null, null, 0, null, Map.of())));
        return resources;
    }

    /** /proc/drbd's progress as observed; the percent is 0 until DRBD prints it. */
    private static ObservedDrbd.Sync sync(ProcDrbdParser.Sync sync) {
        return sync == null ? null : new ObservedDrbd.Sync(sync.kind(),
                sync.percent() == null ? 0 : Double.parseDouble(sync.percent()), sync.remainingKiB(), sync.totalKiB(),
                sync.finish(), sync.speedKiBPerSecond());
    }

    /** The directory a record file was read from: verify or failover (the script reads both). */
    private static String directoryOf(String path) {
        String parent = path.substring(0, Math.max(0, path.lastIndexOf('/')));
        return parent.substring(parent.lastIndexOf('/') + 1);
    }

    /** A file section of a DRBD resource file (the script sends only mcvirt's, without the secret line). */
    private static boolean resourceFile(String path) {
        return path.endsWith(".res");
    }

    /** mcvirt's resource files by the resource their {@code # mcvirt-resource: NAME} line names. */
    static Map<String, String> resourceFiles(Batch batch) {
        Map<String, String> files = new java.util.TreeMap<>();
        for (Map.Entry<String, String> file : batch.files().entrySet()) {
            if (!resourceFile(file.getKey())) {
                continue;
            }
            file.getValue().lines().filter(l -> l.startsWith(RESOURCE_MARK)).findFirst()
                    .map(l -> l.substring(RESOURCE_MARK.length()).strip())
                    .ifPresent(resource -> files.put(resource, file.getValue()));
        }
        return files;
    }

    /** A file section of the scheduled verify: its program or one of mcvirt's verify units. */
    private static boolean scheduleFile(String path) {
        return path.endsWith(".service") || path.endsWith(".timer") || path.endsWith("/drbd-verify.sh");
    }

    /** The scheduled verify's files and timers, or null when the node has none. */
    static ObservedDrbd.VerifySchedule verifySchedule(Batch batch) {
        Map<String, String> files = new java.util.TreeMap<>();
        batch.files().forEach((path, text) -> {
            if (scheduleFile(path)) {
                files.put(path, text);
            }
        });
        Map<String, ObservedDrbd.Timer> timers = new java.util.TreeMap<>();
        batch.results().forEach((name, result) -> {
            if (name.startsWith("timer:")) {
                Map<String, String> properties = new java.util.HashMap<>();
                result.stdout().lines().map(l -> l.split("=", 2)).filter(kv -> kv.length == 2)
                        .forEach(kv -> properties.put(kv[0].strip(), kv[1].strip()));
                timers.put(name.substring("timer:".length()), new ObservedDrbd.Timer(
                        properties.get("UnitFileState"), properties.get("ActiveState"),
                        blankAsNull(properties.get("NextElapseUSecRealtime")),
                        blankAsNull(properties.get("LastTriggerUSec"))));
            }
        });
        return files.isEmpty() && timers.isEmpty() ? null : new ObservedDrbd.VerifySchedule(files, timers);
    }

    private static String blankAsNull(String text) {
        return text == null || text.isBlank() || text.equals("n/a") ? null : text;
    }

    /** The line of a resource file that names its resource (templates/drbd/resource.ftl). */
    static final String RESOURCE_MARK = "# mcvirt-resource: ";

    private static List<FailoverRecord> failovers(Batch batch, List<String> errors) {
        List<FailoverRecord> records = new ArrayList<>();
        for (Map.Entry<String, String> file : batch.files().entrySet()) {
            if (!directoryOf(file.getKey()).equals("failover")) {
                continue;
            }
            try {
                records.add(JSON.readValue(file.getValue(), FailoverRecord.class));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                errors.add("failover record " + file.getKey() + " is not valid: " + message(e));
            }
        }
        return records;
    }

    private static List<VerifyRecord> verifications(Batch batch, List<String> errors) {
        List<VerifyRecord> records = new ArrayList<>();
        for (Map.Entry<String, String> file : batch.files().entrySet()) {
            if (directoryOf(file.getKey()).equals("failover") || !file.getKey().endsWith(".json")) {
                continue;
            }
            try {
                records.add(JSON.readValue(file.getValue(), VerifyRecord.class));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                errors.add("verify record " + file.getKey() + " is not valid: " + message(e));
            }
        }
        return records;
    }

    private static String failure(String what, CommandResult result) {
        return what + " exited with status " + result.exitStatus() + detail(result.stderr());
    }

    private static String detail(String stderr) {
        String error = stderr.strip();
        if (error.length() > 500) {
            error = error.substring(0, 500) + "...";
        }
        return error.isEmpty() ? "" : ": " + error;
    }

    private static String message(Exception e) {
        String message = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    }
}
