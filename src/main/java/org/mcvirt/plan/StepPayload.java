package org.mcvirt.plan;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mcvirt.model.MigrationSpec;
import java.util.TreeMap;

/**
 * What a step needs to run, one record per {@link StepKind}: names, rendered XML and resource files, sizes as numbers,
 * flags as booleans, and per-node data (where a definition's copy is kept or forgotten, a resource's minor) as maps.
 * The executor runs exactly this, so apply does what the plan shows. Its JSON form, the step's {@code arguments}, is
 * made and read in one place, {@link PayloadCodec}; each record's {@link #kind} is the kind it belongs to, and
 * {@code PayloadCodec} has a case for every kind, so a new kind does not compile until it has a record.
 */
public sealed interface StepPayload {
    StepKind kind();

    /** Where to keep a copy of a defined domain's definition: node -> state directory, in node order. */
    private static Map<String, String> nodes(Map<String, String> byNode) {
        return byNode == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(byNode));
    }

    record CreatePool(String name, String xml) implements StepPayload {
        public CreatePool {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(xml, "xml");
        }

        @Override
        public StepKind kind() {
            return StepKind.CREATE_POOL;
        }
    }

    /** name: the pool, stopped and undefined; its directory is kept. */
    record DeletePool(String name) implements StepPayload {
        public DeletePool {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public StepKind kind() {
            return StepKind.DELETE_POOL;
        }
    }

    record StartPool(String name) implements StepPayload {
        public StartPool {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public StepKind kind() {
            return StepKind.START_POOL;
        }
    }

    record CreateVolume(String pool, String name, String xml) implements StepPayload {
        public CreateVolume {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(xml, "xml");
        }

        @Override
        public StepKind kind() {
            return StepKind.CREATE_VOLUME;
        }
    }

    /**
     * An image uploaded: the volume (xml: raw, its capacity the file's length) created in pool, the local source
     * uploaded into it, then its SHA-256 on the node compared with sha256; path is where the pool keeps it.
     */
    record UploadImage(String pool, String name, String xml, String source, String sha256, String path)
            implements StepPayload {
        public UploadImage {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(xml, "xml");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(path, "path");
        }

        @Override
        public StepKind kind() {
            return StepKind.UPLOAD_IMAGE;
        }
    }

    /**
     * A disk from an image: the image (imageVolume in imagePool, at imagePath) checked against sha256 on the node,
     * then the volume created from xml as a copy grown to bytes, or (linked) as the overlay xml describes.
     */
    record CreateVolumeFromImage(String pool, String name, String xml, String imagePool, String imageVolume,
                                 String imagePath, String sha256, long bytes, boolean linked) implements StepPayload {
        public CreateVolumeFromImage {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(xml, "xml");
            Objects.requireNonNull(imagePool, "imagePool");
            Objects.requireNonNull(imageVolume, "imageVolume");
            Objects.requireNonNull(imagePath, "imagePath");
            Objects.requireNonNull(sha256, "sha256");
        }

        @Override
        public StepKind kind() {
            return StepKind.CREATE_VOLUME_FROM_IMAGE;
        }
    }

    /**
     * A cloud-init seed ISO named name in pool, whose directory is directory. The files are what apply writes; a plan
     * read back from its JSON has only digest (of the three files), and apply runs the fresh plan, never that one.
     */
    record WriteSeed(String pool, String directory, String name, String digest, String userData, String metaData,
                     String networkConfig) implements StepPayload {
        public WriteSeed {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(directory, "directory");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(digest, "digest");
        }

        @Override
        public StepKind kind() {
            return StepKind.WRITE_SEED;
        }
    }

    /**
     * An image (at imagePath, its format and SHA-256) written onto a new replicated disk's DRBD device (resource, minor)
     * on the vm's node; virtualBytes is the image's size, which the device must hold.
     */
    record WriteImage(String resource, int minor, String imagePath, String format, String sha256, long virtualBytes)
            implements StepPayload {
        public WriteImage {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(imagePath, "imagePath");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(sha256, "sha256");
            if (!format.equals("qcow2") && !format.equals("raw")) {
                throw new IllegalArgumentException("not an image format: " + format);
            }
        }

        public String device() {
            return "/dev/drbd" + minor;
        }

        @Override
        public StepKind kind() {
            return StepKind.WRITE_IMAGE;
        }
    }

    /** A cloud-init seed removed from its pool. */
    record DeleteSeed(String pool, String name) implements StepPayload {
        public DeleteSeed {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(name, "name");
            if (!name.startsWith("seed.") || !name.endsWith(".iso") || name.contains("/")) {
                throw new IllegalArgumentException("not a cloud-init seed's name: " + name);
            }
        }

        @Override
        public StepKind kind() {
            return StepKind.DELETE_SEED;
        }
    }

    record CreateNetwork(String name, String xml) implements StepPayload {
        public CreateNetwork {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(xml, "xml");
        }

        @Override
        public StepKind kind() {
            return StepKind.CREATE_NETWORK;
        }
    }

    record StartNetwork(String name) implements StepPayload {
        public StartNetwork {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public StepKind kind() {
            return StepKind.START_NETWORK;
        }
    }

    record DeleteNetwork(String name) implements StepPayload {
        public DeleteNetwork {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public StepKind kind() {
            return StepKind.DELETE_NETWORK;
        }
    }

    /**
     * copies: the nodes that keep a copy of the definition once it is defined (node -> state directory).
     * adoptionOnly: the definition as it is with mcvirt's mark added and nothing else ({@code import --adopt}); known
     * only to the plan that made it (it is not part of the JSON form, so a saved plan reads back with false), and
     * never used by apply. checks: files on the node the definition newly attaches (an installer ISO), each checked
     * against its SHA-256 before the define (path -> SHA-256).
     */
    record DefineDomain(String name, String xml, Map<String, String> copies, boolean adoptionOnly,
                        Map<String, String> checks) implements StepPayload {
        public DefineDomain {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(xml, "xml");
            copies = nodes(copies);
            checks = checks == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(checks));
            checks.forEach((path, sha256) -> {
                if (!path.startsWith("/") || path.contains("/../") || !org.mcvirt.model.ImageSpec.SHA256.matcher(sha256)
                        .matches()) {
                    throw new IllegalArgumentException("not a file and its SHA-256: " + path + " " + sha256);
                }
            });
        }

        public DefineDomain(String name, String xml, Map<String, String> copies, boolean adoptionOnly) {
            this(name, xml, copies, adoptionOnly, Map.of());
        }

        public DefineDomain(String name, String xml, Map<String, String> copies) {
            this(name, xml, copies, false);
        }

        public DefineDomain(String name, String xml) {
            this(name, xml, Map.of());
        }

        @Override
        public StepKind kind() {
            return StepKind.DEFINE_DOMAIN;
        }
    }

    record SetMemoryLive(String name, long kib) implements StepPayload {
        public SetMemoryLive {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public StepKind kind() {
            return StepKind.SET_MEMORY_LIVE;
        }
    }

    record AttachDeviceLive(String name, String xml) implements StepPayload {
        public AttachDeviceLive {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(xml, "xml");
        }

        @Override
        public StepKind kind() {
            return StepKind.ATTACH_DEVICE_LIVE;
        }
    }

    record DetachDeviceLive(String name, String xml) implements StepPayload {
        public DetachDeviceLive {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(xml, "xml");
        }

        @Override
        public StepKind kind() {
            return StepKind.DETACH_DEVICE_LIVE;
        }
    }

    record SetAutostart(String name, boolean autostart) implements StepPayload {
        public SetAutostart {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public StepKind kind() {
            return StepKind.SET_AUTOSTART;
        }
    }

    record StartDomain(String name) implements StepPayload {
        public StartDomain {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public StepKind kind() {
            return StepKind.START_DOMAIN;
        }
    }

    record ShutdownDomain(String name) implements StepPayload {
        public ShutdownDomain {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public StepKind kind() {
            return StepKind.SHUTDOWN_DOMAIN;
        }
    }

    /** forget: the nodes whose saved copy of the definition goes with it (node -> state directory). */
    record UndefineDomain(String name, Map<String, String> forget) implements StepPayload {
        public UndefineDomain {
            Objects.requireNonNull(name, "name");
            forget = nodes(forget);
        }

        @Override
        public StepKind kind() {
            return StepKind.UNDEFINE_DOMAIN;
        }
    }

    record DeleteVolume(String pool, String name) implements StepPayload {
        public DeleteVolume {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public StepKind kind() {
            return StepKind.DELETE_VOLUME;
        }
    }

    record CreateLv(String volumeGroup, String name, long bytes, String tag) implements StepPayload {
        public CreateLv {
            Objects.requireNonNull(volumeGroup, "volumeGroup");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(tag, "tag");
        }

        @Override
        public StepKind kind() {
            return StepKind.CREATE_LV;
        }
    }

    /**
     * The resource file with the secret's placeholder, and where apply reads the secret: a file (secretFile) or an
     * environment variable (secretEnv), exactly one of them.
     */
    record WriteDrbdConfig(String resource, String text, String configDirectory, String stateDirectory,
                           String secretFile, String secretEnv) implements StepPayload {
        public WriteDrbdConfig {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(configDirectory, "configDirectory");
            Objects.requireNonNull(stateDirectory, "stateDirectory");
            if ((secretFile == null) == (secretEnv == null)) {
                throw new IllegalArgumentException("exactly one of secretFile and secretEnv");
            }
        }

        @Override
        public StepKind kind() {
            return StepKind.WRITE_DRBD_CONFIG;
        }
    }

    record CreateDrbdMetadata(String resource) implements StepPayload {
        public CreateDrbdMetadata {
            Objects.requireNonNull(resource, "resource");
        }

        @Override
        public StepKind kind() {
            return StepKind.CREATE_DRBD_METADATA;
        }
    }

    record DrbdUp(String resource) implements StepPayload {
        public DrbdUp {
            Objects.requireNonNull(resource, "resource");
        }

        @Override
        public StepKind kind() {
            return StepKind.DRBD_UP;
        }
    }

    record DrbdInitialSync(String resource, int minor) implements StepPayload {
        public DrbdInitialSync {
            Objects.requireNonNull(resource, "resource");
        }

        @Override
        public StepKind kind() {
            return StepKind.DRBD_INITIAL_SYNC;
        }
    }

    /** force: {@code drbdadm primary --force}, for a failover onto a copy that is not UpToDate (--accept-stale). */
    record DrbdPromote(String resource, int minor, boolean force) implements StepPayload {
        public DrbdPromote {
            Objects.requireNonNull(resource, "resource");
        }

        public DrbdPromote(String resource, int minor) {
            this(resource, minor, false);
        }

        @Override
        public StepKind kind() {
            return StepKind.DRBD_PROMOTE;
        }
    }

    /** forbidTwoPrimaries: after the demote, two primaries are forbidden again (a move stopped part-way). */
    record DrbdDemote(String resource, int minor, boolean forbidTwoPrimaries) implements StepPayload {
        public DrbdDemote {
            Objects.requireNonNull(resource, "resource");
        }

        @Override
        public StepKind kind() {
            return StepKind.DRBD_DEMOTE;
        }
    }

    record DeleteDrbd(String resource, String configDirectory, String stateDirectory) implements StepPayload {
        public DeleteDrbd {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(configDirectory, "configDirectory");
            Objects.requireNonNull(stateDirectory, "stateDirectory");
        }

        @Override
        public StepKind kind() {
            return StepKind.DELETE_DRBD;
        }
    }

    record DeleteLv(String volumeGroup, String name, String tag) implements StepPayload {
        public DeleteLv {
            Objects.requireNonNull(volumeGroup, "volumeGroup");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(tag, "tag");
        }

        @Override
        public StepKind kind() {
            return StepKind.DELETE_LV;
        }
    }

    /** path: the volume as the running domain sees it, for a live block resize. */
    record GrowVolume(String pool, String name, long bytes, String domain, String path) implements StepPayload {
        public GrowVolume {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(path, "path");
        }

        @Override
        public StepKind kind() {
            return StepKind.GROW_VOLUME;
        }
    }

    record GrowLv(String volumeGroup, String name, long bytes, String tag) implements StepPayload {
        public GrowLv {
            Objects.requireNonNull(volumeGroup, "volumeGroup");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(tag, "tag");
        }

        @Override
        public StepKind kind() {
            return StepKind.GROW_LV;
        }
    }

    /** minimumBytes: the device is at least this large after the resize, or the resize did nothing. */
    record GrowDrbd(String resource, int minor, String domain, String device, long minimumBytes) implements StepPayload {
        public GrowDrbd {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(device, "device");
        }

        @Override
        public StepKind kind() {
            return StepKind.GROW_DRBD;
        }
    }

    /**
     * resources: the vm's DRBD resources with their minors (resource -> minor); copies: the nodes that keep a copy
     * of its definition afterwards (node -> state directory).
     */
    record MigrateLive(String name, String target, String migrationUri, Map<String, Integer> resources,
                       Map<String, String> copies, long maxDowntimeMs, boolean autoConverge) implements StepPayload {
        public MigrateLive {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(migrationUri, "migrationUri");
            if (maxDowntimeMs < 1 || maxDowntimeMs > MigrationSpec.MAX_DOWNTIME_MS) {
                throw new IllegalArgumentException("maxDowntimeMs must be between 1 and "
                        + MigrationSpec.MAX_DOWNTIME_MS + ": " + maxDowntimeMs);
            }
            resources = Collections.unmodifiableMap(new TreeMap<>(resources));
            copies = nodes(copies);
        }

        @Override
        public StepKind kind() {
            return StepKind.MIGRATE_LIVE;
        }
    }

    /** uuid: the domain the target must have before this side lets it go. */
    record UndefineMigrated(String name, String target, String uuid) implements StepPayload {
        public UndefineMigrated {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(uuid, "uuid");
        }

        @Override
        public StepKind kind() {
            return StepKind.UNDEFINE_MIGRATED;
        }
    }

    /**
     * The saved copy to define from (on copyNode, under copyDirectory, with this SHA-256), and the nodes that keep a
     * copy afterwards (node -> state directory).
     */
    record RegisterDomain(String name, String copyNode, String copyDirectory, String sha256,
                          Map<String, String> copies) implements StepPayload {
        public RegisterDomain {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(copyNode, "copyNode");
            Objects.requireNonNull(copyDirectory, "copyDirectory");
            Objects.requireNonNull(sha256, "sha256");
            copies = nodes(copies);
        }

        @Override
        public StepKind kind() {
            return StepKind.REGISTER_DOMAIN;
        }
    }

    /**
     * The record of a failover on the survivor (this step's node): the vm, the node declared offline it is taken over
     * from, the survivor's state directory, the vm's DRBD resources, and the disks ({@code vm/disk}) taken over with
     * --accept-stale. The time is the apply's.
     */
    record RecordFailover(String vm, String from, String stateDirectory, List<String> resources, List<String> stale)
            implements StepPayload {
        public RecordFailover {
            Objects.requireNonNull(vm, "vm");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(stateDirectory, "stateDirectory");
            resources = resources.stream().sorted().toList();
            stale = stale.stream().sorted().toList();
        }

        @Override
        public StepKind kind() {
            return StepKind.RECORD_FAILOVER;
        }
    }

    /**
     * The scheduled verify of a cluster on this step's node: the program's copy (its path, and the SHA-256 of the
     * program text, which apply checks against its own build's), and the service's and timer's paths and texts.
     */
    record InstallVerifySchedule(String timerUnit, String programPath, String programSha256, String servicePath,
                                 String service, String timerPath, String timer) implements StepPayload {
        public InstallVerifySchedule {
            Objects.requireNonNull(timerUnit, "timerUnit");
            Objects.requireNonNull(programPath, "programPath");
            Objects.requireNonNull(programSha256, "programSha256");
            Objects.requireNonNull(servicePath, "servicePath");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(timerPath, "timerPath");
            Objects.requireNonNull(timer, "timer");
        }

        @Override
        public StepKind kind() {
            return StepKind.INSTALL_VERIFY_SCHEDULE;
        }
    }

    /** The scheduled verify of a cluster removed from this step's node: its timer unit and the files to remove. */
    record RemoveVerifySchedule(String timerUnit, List<String> paths) implements StepPayload {
        public RemoveVerifySchedule {
            Objects.requireNonNull(timerUnit, "timerUnit");
            paths = paths.stream().sorted().toList();
        }

        @Override
        public StepKind kind() {
            return StepKind.REMOVE_VERIFY_SCHEDULE;
        }
    }

    /**
     * mcvirt's permissions on this step's node: the cluster's polkit rules file and its text (null: the file is
     * removed, after the access driver is unset), and what to do with libvirtd's polkit access driver in libvirtdConf.
     * The paths are checked here, so a changed saved plan cannot point the write elsewhere.
     */
    record ConfigurePermissions(String cluster, String rulesPath, String rules, String libvirtdConf,
                                AccessDriver accessDriver) implements StepPayload {
        public ConfigurePermissions {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(rulesPath, "rulesPath");
            Objects.requireNonNull(libvirtdConf, "libvirtdConf");
            Objects.requireNonNull(accessDriver, "accessDriver");
            if (!org.mcvirt.model.Names.validName(cluster)
                    || !rulesPath.equals(org.mcvirt.node.NodeConfig.polkitRulesPath(cluster))) {
                throw new IllegalArgumentException("not the path of cluster " + cluster + "'s polkit rules: "
                        + rulesPath);
            }
            if (!libvirtdConf.equals(org.mcvirt.node.NodeConfig.LIBVIRTD_CONF)) {
                throw new IllegalArgumentException("not libvirtd's configuration file: " + libvirtdConf);
            }
        }

        /** What happens to libvirtd's polkit access driver: set (enable), unset (disable), or left as it is. */
        public enum AccessDriver {
            ENABLE, DISABLE, KEEP
        }

        @Override
        public StepKind kind() {
            return StepKind.CONFIGURE_PERMISSIONS;
        }
    }

    /**
     * The return of this step's node after a failover: the vm, the survivor with the good copy and its state directory
     * (where the failover record is removed), and the vm's resources (resource -> minor).
     */
    record RejoinStaleCopy(String vm, String survivor, String survivorStateDirectory, Map<String, Integer> resources)
            implements StepPayload {
        public RejoinStaleCopy {
            Objects.requireNonNull(vm, "vm");
            Objects.requireNonNull(survivor, "survivor");
            Objects.requireNonNull(survivorStateDirectory, "survivorStateDirectory");
            resources = Collections.unmodifiableMap(new TreeMap<>(resources));
        }

        @Override
        public StepKind kind() {
            return StepKind.REJOIN_STALE_COPY;
        }
    }
}
