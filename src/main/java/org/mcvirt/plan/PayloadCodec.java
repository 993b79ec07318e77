package org.mcvirt.plan;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mcvirt.plan.StepPayload.AttachDeviceLive;
import org.mcvirt.plan.StepPayload.CreateDrbdMetadata;
import org.mcvirt.plan.StepPayload.CreateLv;
import org.mcvirt.plan.StepPayload.CreateNetwork;
import org.mcvirt.plan.StepPayload.CreatePool;
import org.mcvirt.plan.StepPayload.CreateVolume;
import org.mcvirt.plan.StepPayload.DefineDomain;
import org.mcvirt.plan.StepPayload.DeleteDrbd;
import org.mcvirt.plan.StepPayload.DeleteLv;
import org.mcvirt.plan.StepPayload.DeleteNetwork;
import org.mcvirt.plan.StepPayload.DeletePool;
import org.mcvirt.plan.StepPayload.DeleteVolume;
import org.mcvirt.plan.StepPayload.DetachDeviceLive;
import org.mcvirt.plan.StepPayload.DrbdDemote;
import org.mcvirt.plan.StepPayload.DrbdInitialSync;
import org.mcvirt.plan.StepPayload.DrbdPromote;
import org.mcvirt.plan.StepPayload.DrbdUp;
import org.mcvirt.plan.StepPayload.GrowDrbd;
import org.mcvirt.plan.StepPayload.GrowLv;
import org.mcvirt.plan.StepPayload.GrowVolume;
import org.mcvirt.plan.StepPayload.MigrateLive;
import org.mcvirt.plan.StepPayload.RecordFailover;
import org.mcvirt.plan.StepPayload.RejoinStaleCopy;
import org.mcvirt.plan.StepPayload.RegisterDomain;
import org.mcvirt.plan.StepPayload.SetAutostart;
import org.mcvirt.plan.StepPayload.SetMemoryLive;
import org.mcvirt.plan.StepPayload.ShutdownDomain;
import org.mcvirt.plan.StepPayload.StartDomain;
import org.mcvirt.plan.StepPayload.StartNetwork;
import org.mcvirt.plan.StepPayload.StartPool;
import org.mcvirt.plan.StepPayload.UndefineDomain;
import org.mcvirt.plan.StepPayload.UndefineMigrated;
import org.mcvirt.plan.StepPayload.WriteDrbdConfig;

/**
 * The one place a step's payload meets its JSON form: {@code "arguments": {"key": "string value", ...}}, keys in
 * name order, numbers and booleans as their decimal and {@code true}/{@code false} text, per-node data as one key per
 * node ({@code copy.NODE}, {@code forget.NODE}, {@code resource.NAME}), a flag that is off as no key at all
 * ({@code forbidTwoPrimaries}). Reading is strict: a missing key, a key the kind does not have, or a value that is not
 * a number or boolean where one is expected is an {@link InvalidArgumentsException}, never a default.
 */
final class PayloadCodec {
    private static final String COPY = "copy.";
    private static final String CHECK = "check.";
    private static final String FORGET = "forget.";
    private static final String RESOURCE = "resource.";

    private PayloadCodec() {
    }

    /** The arguments of a saved step that do not fit its kind's payload. */
    static final class InvalidArgumentsException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidArgumentsException(String message) {
            super(message);
        }
    }

    /** The JSON form, keys in name order. */
    static Map<String, String> toArguments(StepPayload payload) {
        Map<String, String> out = new TreeMap<>();
        switch (payload.kind()) {
            case CREATE_POOL -> {
                CreatePool p = (CreatePool) payload;
                out.put("name", p.name());
                out.put("xml", p.xml());
            }
            case START_POOL -> out.put("name", ((StartPool) payload).name());
            case DELETE_POOL -> out.put("name", ((DeletePool) payload).name());
            case CREATE_VOLUME -> {
                CreateVolume p = (CreateVolume) payload;
                out.put("pool", p.pool());
                out.put("name", p.name());
                out.put("xml", p.xml());
            }
            case UPLOAD_IMAGE -> {
                StepPayload.UploadImage p = (StepPayload.UploadImage) payload;
                out.put("pool", p.pool());
                out.put("name", p.name());
                out.put("xml", p.xml());
                out.put("source", p.source());
                out.put("sha256", p.sha256());
                out.put("path", p.path());
            }
            case CREATE_VOLUME_FROM_IMAGE -> {
                StepPayload.CreateVolumeFromImage p = (StepPayload.CreateVolumeFromImage) payload;
                out.put("pool", p.pool());
                out.put("name", p.name());
                out.put("xml", p.xml());
                out.put("imagePool", p.imagePool());
                out.put("imageVolume", p.imageVolume());
                out.put("imagePath", p.imagePath());
                out.put("sha256", p.sha256());
                out.put("bytes", Long.toString(p.bytes()));
                out.put("linked", Boolean.toString(p.linked()));
            }
            case DELETE_SEED -> {
                StepPayload.DeleteSeed p = (StepPayload.DeleteSeed) payload;
                out.put("pool", p.pool());
                out.put("name", p.name());
            }
            case WRITE_IMAGE -> {
                StepPayload.WriteImage p = (StepPayload.WriteImage) payload;
                out.put("resource", p.resource());
                out.put("minor", Integer.toString(p.minor()));
                out.put("imagePath", p.imagePath());
                out.put("format", p.format());
                out.put("sha256", p.sha256());
                out.put("virtualBytes", Long.toString(p.virtualBytes()));
            }
            case WRITE_SEED -> {
                // the user data may hold secrets: only the digest of the files is written
                StepPayload.WriteSeed p = (StepPayload.WriteSeed) payload;
                out.put("pool", p.pool());
                out.put("directory", p.directory());
                out.put("name", p.name());
                out.put("digest", p.digest());
            }
            case CREATE_NETWORK -> {
                CreateNetwork p = (CreateNetwork) payload;
                out.put("name", p.name());
                out.put("xml", p.xml());
            }
            case START_NETWORK -> out.put("name", ((StartNetwork) payload).name());
            case DELETE_NETWORK -> out.put("name", ((DeleteNetwork) payload).name());
            case DEFINE_DOMAIN -> {
                DefineDomain p = (DefineDomain) payload;
                out.put("name", p.name());
                out.put("xml", p.xml());
                prefixed(out, COPY, p.copies());
                prefixed(out, CHECK, p.checks());
            }
            case SET_MEMORY_LIVE -> {
                SetMemoryLive p = (SetMemoryLive) payload;
                out.put("name", p.name());
                out.put("kib", Long.toString(p.kib()));
            }
            case ATTACH_DEVICE_LIVE -> {
                AttachDeviceLive p = (AttachDeviceLive) payload;
                out.put("name", p.name());
                out.put("xml", p.xml());
            }
            case DETACH_DEVICE_LIVE -> {
                DetachDeviceLive p = (DetachDeviceLive) payload;
                out.put("name", p.name());
                out.put("xml", p.xml());
            }
            case SET_AUTOSTART -> {
                SetAutostart p = (SetAutostart) payload;
                out.put("name", p.name());
                out.put("autostart", Boolean.toString(p.autostart()));
            }
            case START_DOMAIN -> out.put("name", ((StartDomain) payload).name());
            case SHUTDOWN_DOMAIN -> out.put("name", ((ShutdownDomain) payload).name());
            case UNDEFINE_DOMAIN -> {
                UndefineDomain p = (UndefineDomain) payload;
                out.put("name", p.name());
                prefixed(out, FORGET, p.forget());
            }
            case DELETE_VOLUME -> {
                DeleteVolume p = (DeleteVolume) payload;
                out.put("pool", p.pool());
                out.put("name", p.name());
            }
            case CREATE_LV -> {
                CreateLv p = (CreateLv) payload;
                out.put("volumeGroup", p.volumeGroup());
                out.put("name", p.name());
                out.put("bytes", Long.toString(p.bytes()));
                out.put("tag", p.tag());
            }
            case WRITE_DRBD_CONFIG -> {
                WriteDrbdConfig p = (WriteDrbdConfig) payload;
                out.put("resource", p.resource());
                out.put("text", p.text());
                out.put("configDirectory", p.configDirectory());
                out.put("stateDirectory", p.stateDirectory());
                if (p.secretFile() != null) {
                    out.put("secretFile", p.secretFile());
                } else {
                    out.put("secretEnv", p.secretEnv());
                }
            }
            case CREATE_DRBD_METADATA -> out.put("resource", ((CreateDrbdMetadata) payload).resource());
            case DRBD_UP -> out.put("resource", ((DrbdUp) payload).resource());
            case DRBD_INITIAL_SYNC -> {
                DrbdInitialSync p = (DrbdInitialSync) payload;
                out.put("resource", p.resource());
                out.put("minor", Integer.toString(p.minor()));
            }
            case DRBD_PROMOTE -> {
                DrbdPromote p = (DrbdPromote) payload;
                out.put("resource", p.resource());
                out.put("minor", Integer.toString(p.minor()));
                if (p.force()) {
                    out.put("force", "true");
                }
            }
            case DRBD_DEMOTE -> {
                DrbdDemote p = (DrbdDemote) payload;
                out.put("resource", p.resource());
                out.put("minor", Integer.toString(p.minor()));
                if (p.forbidTwoPrimaries()) {
                    out.put("forbidTwoPrimaries", "true");
                }
            }
            case DELETE_DRBD -> {
                DeleteDrbd p = (DeleteDrbd) payload;
                out.put("resource", p.resource());
                out.put("configDirectory", p.configDirectory());
                out.put("stateDirectory", p.stateDirectory());
            }
            case DELETE_LV -> {
                DeleteLv p = (DeleteLv) payload;
                out.put("volumeGroup", p.volumeGroup());
                out.put("name", p.name());
                out.put("tag", p.tag());
            }
            case GROW_VOLUME -> {
                GrowVolume p = (GrowVolume) payload;
                out.put("pool", p.pool());
                out.put("name", p.name());
                out.put("bytes", Long.toString(p.bytes()));
                out.put("domain", p.domain());
                out.put("path", p.path());
            }
            case GROW_LV -> {
                GrowLv p = (GrowLv) payload;
                out.put("volumeGroup", p.volumeGroup());
                out.put("name", p.name());
                out.put("bytes", Long.toString(p.bytes()));
                out.put("tag", p.tag());
            }
            case GROW_DRBD -> {
                GrowDrbd p = (GrowDrbd) payload;
                out.put("resource", p.resource());
                out.put("minor", Integer.toString(p.minor()));
                out.put("domain", p.domain());
                out.put("device", p.device());
                out.put("minimumBytes", Long.toString(p.minimumBytes()));
            }
            case MIGRATE_LIVE -> {
                MigrateLive p = (MigrateLive) payload;
                out.put("name", p.name());
                out.put("target", p.target());
                out.put("migrationUri", p.migrationUri());
                out.put("maxDowntimeMs", Long.toString(p.maxDowntimeMs()));
                out.put("autoConverge", Boolean.toString(p.autoConverge()));
                p.resources().forEach((resource, minor) -> out.put(RESOURCE + resource, Integer.toString(minor)));
                prefixed(out, COPY, p.copies());
            }
            case UNDEFINE_MIGRATED -> {
                UndefineMigrated p = (UndefineMigrated) payload;
                out.put("name", p.name());
                out.put("target", p.target());
                out.put("uuid", p.uuid());
            }
            case REGISTER_DOMAIN -> {
                RegisterDomain p = (RegisterDomain) payload;
                out.put("name", p.name());
                out.put("copyNode", p.copyNode());
                out.put("copyDirectory", p.copyDirectory());
                out.put("sha256", p.sha256());
                prefixed(out, COPY, p.copies());
            }
            case REJOIN_STALE_COPY -> {
                RejoinStaleCopy p = (RejoinStaleCopy) payload;
                out.put("vm", p.vm());
                out.put("survivor", p.survivor());
                out.put("survivorStateDirectory", p.survivorStateDirectory());
                p.resources().forEach((resource, minor) -> out.put(RESOURCE + resource, Integer.toString(minor)));
            }
            case INSTALL_VERIFY_SCHEDULE -> {
                StepPayload.InstallVerifySchedule p = (StepPayload.InstallVerifySchedule) payload;
                out.put("timerUnit", p.timerUnit());
                out.put("programPath", p.programPath());
                out.put("programSha256", p.programSha256());
                out.put("servicePath", p.servicePath());
                out.put("service", p.service());
                out.put("timerPath", p.timerPath());
                out.put("timer", p.timer());
            }
            case REMOVE_VERIFY_SCHEDULE -> {
                StepPayload.RemoveVerifySchedule p = (StepPayload.RemoveVerifySchedule) payload;
                out.put("timerUnit", p.timerUnit());
                out.put("paths", String.join(",", p.paths()));
            }
            case CONFIGURE_PERMISSIONS -> {
                StepPayload.ConfigurePermissions p = (StepPayload.ConfigurePermissions) payload;
                out.put("cluster", p.cluster());
                out.put("rulesPath", p.rulesPath());
                if (p.rules() != null) {
                    out.put("rules", p.rules());
                }
                out.put("libvirtdConf", p.libvirtdConf());
                out.put("accessDriver", p.accessDriver().name().toLowerCase(java.util.Locale.ROOT));
            }
            case RECORD_FAILOVER -> {
                RecordFailover p = (RecordFailover) payload;
                out.put("vm", p.vm());
                out.put("from", p.from());
                out.put("stateDirectory", p.stateDirectory());
                out.put("resources", String.join(",", p.resources()));
                out.put("stale", String.join(",", p.stale()));
            }
        }
        return out;
    }

    private static void prefixed(Map<String, String> out, String prefix, Map<String, String> byName) {
        byName.forEach((name, value) -> out.put(prefix + name, value));
    }

    /** The payload of a step of this kind, from its JSON form; refused when they do not fit. */
    static StepPayload fromArguments(StepKind kind, Map<String, String> arguments) {
        Reader in = new Reader(kind, arguments == null ? Map.of() : arguments);
        StepPayload payload = switch (kind) {
            case CREATE_POOL -> new CreatePool(in.text("name"), in.text("xml"));
            case START_POOL -> new StartPool(in.text("name"));
            case DELETE_POOL -> new DeletePool(in.text("name"));
            case CREATE_VOLUME -> new CreateVolume(in.text("pool"), in.text("name"), in.text("xml"));
            case CREATE_NETWORK -> new CreateNetwork(in.text("name"), in.text("xml"));
            case UPLOAD_IMAGE -> new StepPayload.UploadImage(in.text("pool"), in.text("name"), in.text("xml"),
                    in.text("source"), in.text("sha256"), in.text("path"));
            case CREATE_VOLUME_FROM_IMAGE -> new StepPayload.CreateVolumeFromImage(in.text("pool"), in.text("name"),
                    in.text("xml"), in.text("imagePool"), in.text("imageVolume"), in.text("imagePath"),
                    in.text("sha256"), in.number("bytes"), in.bool("linked"));
            case DELETE_SEED -> new StepPayload.DeleteSeed(in.text("pool"), in.text("name"));
            case WRITE_IMAGE -> new StepPayload.WriteImage(in.text("resource"), in.minor("minor"), in.text("imagePath"),
                    in.text("format"), in.text("sha256"), in.number("virtualBytes"));
            case WRITE_SEED -> new StepPayload.WriteSeed(in.text("pool"), in.text("directory"), in.text("name"),
                    in.text("digest"), null, null, null);
            case START_NETWORK -> new StartNetwork(in.text("name"));
            case DELETE_NETWORK -> new DeleteNetwork(in.text("name"));
            case DEFINE_DOMAIN -> new DefineDomain(in.text("name"), in.text("xml"), in.byName(COPY), false,
                    in.byName(CHECK));
            case SET_MEMORY_LIVE -> new SetMemoryLive(in.text("name"), in.number("kib"));
            case ATTACH_DEVICE_LIVE -> new AttachDeviceLive(in.text("name"), in.text("xml"));
            case DETACH_DEVICE_LIVE -> new DetachDeviceLive(in.text("name"), in.text("xml"));
            case SET_AUTOSTART -> new SetAutostart(in.text("name"), in.bool("autostart"));
            case START_DOMAIN -> new StartDomain(in.text("name"));
            case SHUTDOWN_DOMAIN -> new ShutdownDomain(in.text("name"));
            case UNDEFINE_DOMAIN -> new UndefineDomain(in.text("name"), in.byName(FORGET));
            case DELETE_VOLUME -> new DeleteVolume(in.text("pool"), in.text("name"));
            case CREATE_LV -> new CreateLv(in.text("volumeGroup"), in.text("name"), in.number("bytes"), in.text("tag"));
            case WRITE_DRBD_CONFIG -> writeDrbdConfig(in);
            case CREATE_DRBD_METADATA -> new CreateDrbdMetadata(in.text("resource"));
            case DRBD_UP -> new DrbdUp(in.text("resource"));
            case DRBD_INITIAL_SYNC -> new DrbdInitialSync(in.text("resource"), in.minor("minor"));
            case DRBD_PROMOTE -> new DrbdPromote(in.text("resource"), in.minor("minor"), in.flag("force"));
            case DRBD_DEMOTE -> new DrbdDemote(in.text("resource"), in.minor("minor"), in.flag("forbidTwoPrimaries"));
            case DELETE_DRBD -> new DeleteDrbd(in.text("resource"), in.text("configDirectory"),
                    in.text("stateDirectory"));
            case DELETE_LV -> new DeleteLv(in.text("volumeGroup"), in.text("name"), in.text("tag"));
            case GROW_VOLUME -> new GrowVolume(in.text("pool"), in.text("name"), in.number("bytes"), in.text("domain"),
                    in.text("path"));
            case GROW_LV -> new GrowLv(in.text("volumeGroup"), in.text("name"), in.number("bytes"), in.text("tag"));
            case GROW_DRBD -> new GrowDrbd(in.text("resource"), in.minor("minor"), in.text("domain"),
                    in.text("device"), in.number("minimumBytes"));
            case MIGRATE_LIVE -> new MigrateLive(in.text("name"), in.text("target"), in.text("migrationUri"),
                    in.minors(RESOURCE), in.byName(COPY), in.number("maxDowntimeMs"), in.bool("autoConverge"));
            case UNDEFINE_MIGRATED -> new UndefineMigrated(in.text("name"), in.text("target"), in.text("uuid"));
            case REGISTER_DOMAIN -> new RegisterDomain(in.text("name"), in.text("copyNode"), in.text("copyDirectory"),
                    in.text("sha256"), in.byName(COPY));
            case REJOIN_STALE_COPY -> new RejoinStaleCopy(in.text("vm"), in.text("survivor"),
                    in.text("survivorStateDirectory"), in.minors(RESOURCE));
            case RECORD_FAILOVER -> new RecordFailover(in.text("vm"), in.text("from"), in.text("stateDirectory"),
                    in.list("resources"), in.list("stale"));
            case INSTALL_VERIFY_SCHEDULE -> new StepPayload.InstallVerifySchedule(in.text("timerUnit"),
                    in.text("programPath"), in.text("programSha256"), in.text("servicePath"), in.text("service"),
                    in.text("timerPath"), in.text("timer"));
            case REMOVE_VERIFY_SCHEDULE -> new StepPayload.RemoveVerifySchedule(in.text("timerUnit"), in.list("paths"));
            case CONFIGURE_PERMISSIONS -> new StepPayload.ConfigurePermissions(in.text("cluster"), in.text("rulesPath"),
                    in.optional("rules"), in.text("libvirtdConf"), accessDriver(in));
        };
        in.noneLeft();
        return payload;
    }

    private static StepPayload.ConfigurePermissions.AccessDriver accessDriver(Reader in) {
        String value = in.text("accessDriver");
        return switch (value) {
            case "enable" -> StepPayload.ConfigurePermissions.AccessDriver.ENABLE;
            case "disable" -> StepPayload.ConfigurePermissions.AccessDriver.DISABLE;
            case "keep" -> StepPayload.ConfigurePermissions.AccessDriver.KEEP;
            default -> throw in.invalid("have 'accessDriver' = '" + value + "'; it is enable, disable or keep");
        };
    }

    private static WriteDrbdConfig writeDrbdConfig(Reader in) {
        String resource = in.text("resource");
        String text = in.text("text");
        String configDirectory = in.text("configDirectory");
        String stateDirectory = in.text("stateDirectory");
        String file = in.optional("secretFile");
        String environment = in.optional("secretEnv");
        if (file == null && environment == null) {
            throw in.invalid("have neither 'secretFile' nor 'secretEnv'; it takes exactly one");
        }
        if (file != null && environment != null) {
            throw in.invalid("have both 'secretFile' and 'secretEnv'; it takes exactly one");
        }
        return new WriteDrbdConfig(resource, text, configDirectory, stateDirectory, file, environment);
    }

    /** Reads arguments by key, remembering which were read, so keys the kind does not have are refused. */
    private static final class Reader {
        private final StepKind kind;
        private final Map<String, String> arguments;
        private final Set<String> unread;

        Reader(StepKind kind, Map<String, String> arguments) {
            this.kind = kind;
            this.arguments = arguments;
            this.unread = new TreeSet<>(arguments.keySet());
        }

        InvalidArgumentsException invalid(String what) {
            return new InvalidArgumentsException("the arguments of a " + kind + " step " + what);
        }

        String text(String key) {
            String value = arguments.get(key);
            if (value == null) {
                throw invalid("have no '" + key + "'");
            }
            unread.remove(key);
            return value;
        }

        String optional(String key) {
            unread.remove(key);
            return arguments.get(key);
        }

        long number(String key) {
            String value = text(key);
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw invalid("have '" + key + "' = '" + value + "', which is not a whole number");
            }
        }

        int minor(String key) {
            return whole(key, text(key));
        }

        private int whole(String key, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw invalid("have '" + key + "' = '" + value + "', which is not a whole number");
            }
        }

        boolean bool(String key) {
            String value = text(key);
            return switch (value) {
                case "true" -> true;
                case "false" -> false;
                default -> throw invalid("have '" + key + "' = '" + value + "', which is neither true nor false");
            };
        }

        /** A flag that is on when its key is there (with the value true) and off when it is not. */
        /** A comma-separated list (names never hold a comma); empty text is an empty list. */
        List<String> list(String key) {
            String value = text(key);
            return value.isEmpty() ? List.of() : List.of(value.split(",", -1));
        }

        boolean flag(String key) {
            String value = optional(key);
            if (value != null && !value.equals("true")) {
                throw invalid("have '" + key + "' = '" + value + "'; it is 'true' or absent");
            }
            return value != null;
        }

        /** The keys that start with prefix, by the rest of their name. */
        Map<String, String> byName(String prefix) {
            Map<String, String> found = new TreeMap<>();
            for (String key : arguments.keySet()) {
                if (key.startsWith(prefix) && key.length() > prefix.length()) {
                    found.put(key.substring(prefix.length()), arguments.get(key));
                    unread.remove(key);
                }
            }
            return found;
        }

        Map<String, Integer> minors(String prefix) {
            Map<String, Integer> found = new TreeMap<>();
            byName(prefix).forEach((name, value) -> found.put(name, whole(prefix + name, value)));
            return found;
        }

        void noneLeft() {
            if (!unread.isEmpty()) {
                throw invalid("have " + (unread.size() == 1 ? "an argument it does not take: '" : "arguments it does not"
                        + " take: '") + String.join("', '", unread) + "'");
            }
        }
    }
}
