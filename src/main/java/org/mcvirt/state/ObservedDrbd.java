package org.mcvirt.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * DRBD on one node: the kernel module's and drbd-utils' versions, every resource the kernel knows with its
 * configuration and state, and mcvirt's verify records from the node's state directory. kernelVersion is null when
 * the module is not loaded (then availability is ABSENT), utilitiesVersion when drbd-utils is not installed. errors
 * say what could not be read; whatever could be read is still there. No shared secret is ever kept here.
 * deviceBytes is the size of each configured minor's device (/sys/block/drbdN/size, readable in either role); it is
 * not part of the fingerprint. resourceFiles are the texts of mcvirt's resource files there, without the secret.
 */
public record ObservedDrbd(Availability availability, List<String> errors, String kernelVersion, String kernelApi,
                           String utilitiesVersion, List<Resource> resources, List<VerifyRecord> verifications,
                           Map<Integer, Long> deviceBytes, List<FailoverRecord> failovers,
                           @com.fasterxml.jackson.annotation.JsonInclude(
                                   com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                           Map<String, String> resourceFiles,
                           @com.fasterxml.jackson.annotation.JsonInclude(
                                   com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                           VerifySchedule verifySchedule) {
    /** Without the scheduled verify's files (none on the node, or not read). */
    public ObservedDrbd(Availability availability, List<String> errors, String kernelVersion, String kernelApi,
                        String utilitiesVersion, List<Resource> resources, List<VerifyRecord> verifications,
                        Map<Integer, Long> deviceBytes, List<FailoverRecord> failovers, Map<String, String> resourceFiles) {
        this(availability, errors, kernelVersion, kernelApi, utilitiesVersion, resources, verifications, deviceBytes,
                failovers, resourceFiles, null);
    }

    /**
     * The scheduled verify on a node: the texts of its program ({@code STATE/bin/drbd-verify.sh}) and of mcvirt's
     * units ({@code /etc/systemd/system/mcvirt-verify-CLUSTER.service} and {@code .timer}) by path, and each timer's
     * state as systemd reports it, by unit name. Null in {@link ObservedDrbd} when the node has none of them.
     */
    public record VerifySchedule(Map<String, String> files, Map<String, Timer> timers) {
        public VerifySchedule {
            files = files == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(files));
            timers = timers == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(timers));
        }

        public Optional<String> file(String path) {
            return Optional.ofNullable(files.get(path));
        }

        public Optional<Timer> timer(String unit) {
            return Optional.ofNullable(timers.get(unit));
        }

        /** What a plan depends on: the files, and whether each timer is enabled and active (not when it runs next). */
        Map<String, Object> fingerprintView() {
            Map<String, Object> view = new TreeMap<>();
            view.put("files", files);
            Map<String, String> states = new TreeMap<>();
            timers.forEach((unit, timer) -> states.put(unit, timer.unitFileState() + "/" + timer.activeState()));
            view.put("timers", states);
            return view;
        }
    }

    /**
     * A timer as {@code systemctl show} prints it: UnitFileState (enabled, disabled, ...), ActiveState (active,
     * inactive, ...), NextElapseUSecRealtime and LastTriggerUSec (in UTC, e.g. {@code Sun 2026-12-06 03:00:00 UTC};
     * null when systemd has none).
     */
    public record Timer(String unitFileState, String activeState, String nextElapse, String lastTrigger) {
        public boolean enabledAndActive() {
            return "enabled".equals(unitFileState) && "active".equals(activeState);
        }
    }

    /** Without resource files (none read). */
    public ObservedDrbd(Availability availability, List<String> errors, String kernelVersion, String kernelApi,
                        String utilitiesVersion, List<Resource> resources, List<VerifyRecord> verifications,
                        Map<Integer, Long> deviceBytes, List<FailoverRecord> failovers) {
        this(availability, errors, kernelVersion, kernelApi, utilitiesVersion, resources, verifications, deviceBytes,
                failovers, Map.of());
    }

    /** Without failover records (none read). */
    public ObservedDrbd(Availability availability, List<String> errors, String kernelVersion, String kernelApi,
                        String utilitiesVersion, List<Resource> resources, List<VerifyRecord> verifications,
                        Map<Integer, Long> deviceBytes) {
        this(availability, errors, kernelVersion, kernelApi, utilitiesVersion, resources, verifications, deviceBytes,
                List.of());
    }

    /** Without device sizes (not read). */
    public ObservedDrbd(Availability availability, List<String> errors, String kernelVersion, String kernelApi,
                        String utilitiesVersion, List<Resource> resources, List<VerifyRecord> verifications) {
        this(availability, errors, kernelVersion, kernelApi, utilitiesVersion, resources, verifications, Map.of());
    }

    public ObservedDrbd {
        resourceFiles = resourceFiles == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new TreeMap<>(resourceFiles));
        deviceBytes = deviceBytes == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(deviceBytes));
        availability = availability == null ? Availability.NOT_READ : availability;
        errors = errors == null ? List.of() : List.copyOf(errors);
        resources = resources == null ? List.of() : resources.stream().sorted(Comparator
                .comparing((Resource r) -> r.name() == null ? "" : r.name()).thenComparingInt(Resource::volume)
                .thenComparingInt(Resource::minor)).toList();
        verifications = verifications == null ? List.of()
                : verifications.stream().sorted(Comparator.comparing(VerifyRecord::resource)).toList();
        failovers = failovers == null ? List.of()
                : failovers.stream().sorted(Comparator.comparing(FailoverRecord::vm)).toList();
    }

    /**
     * The text of the resource file mcvirt wrote for resource on this node (the file in the node's DRBD configuration
     * directory whose line {@code # mcvirt-resource: NAME} names it), without its shared-secret line, which the node
     * never sends; empty when there is none or it was not read.
     */
    public Optional<String> resourceFile(String resource) {
        return Optional.ofNullable(resourceFiles.get(resource));
    }

    /** The record of this node's failover of a vm, if it took the vm over from a node declared offline. */
    public Optional<FailoverRecord> failover(String vm) {
        return failovers.stream().filter(f -> f.vm().equals(vm)).findFirst();
    }

    public static ObservedDrbd notRead() {
        return new ObservedDrbd(Availability.NOT_READ, List.of(), null, null, null, List.of(), List.of());
    }

    /** The kernel module's major version (8 or 9), or 0 when it is not loaded. */
    public int kernelMajor() {
        if (kernelVersion == null) {
            return 0;
        }
        String major = kernelVersion.split("\\.", 2)[0];
        return major.matches("\\d+") ? Integer.parseInt(major) : 0;
    }

    /** The volumes of a resource, by volume number. */
    public List<Resource> resource(String name) {
        return resources.stream().filter(r -> name.equals(r.name())).toList();
    }

    public Optional<VerifyRecord> verification(String resource) {
        return verifications.stream().filter(v -> v.resource().equals(resource)).findFirst();
    }

    /**
     * What a plan depends on: configuration, roles, connection and disk states, whether blocks are out of sync, and
     * the verify records. Not the sync progress or the I/O counters, which change while a disk is busy.
     */
    Map<String, Object> fingerprintView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("availability", availability);
        view.put("kernelVersion", kernelVersion);
        view.put("utilitiesVersion", utilitiesVersion);
        List<Object> stable = new ArrayList<>();
        for (Resource r : resources) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", r.name());
            entry.put("volume", r.volume());
            entry.put("minor", r.minor());
            entry.put("backingDisk", r.backingDisk());
            entry.put("metaDisk", r.metaDisk());
            entry.put("localAddress", r.localAddress());
            entry.put("peerAddress", r.peerAddress());
            entry.put("protocol", r.protocol());
            entry.put("netOptions", r.netOptions());
            entry.put("connectionState", r.connectionState());
            entry.put("role", r.role());
            entry.put("peerRole", r.peerRole());
            entry.put("diskState", r.diskState());
            entry.put("peerDiskState", r.peerDiskState());
            entry.put("outOfSync", r.outOfSyncKiB() > 0);
            stable.add(entry);
        }
        view.put("resources", stable);
        view.put("verifications", verifications);
        if (!failovers.isEmpty()) {
            view.put("failovers", failovers);
        }
        if (!resourceFiles.isEmpty()) {
            view.put("resourceFiles", resourceFiles);
        }
        if (verifySchedule != null) {
            view.put("verifySchedule", verifySchedule.fingerprintView());
        }
        return view;
    }

    /**
     * One volume of a DRBD resource as this node's kernel has it. connectionState uses DRBD 8.4's {@code cs:} words
     * (Connected, WFConnection, StandAlone, SyncSource, VerifyS, ...); on DRBD 9 it is the replication state while
     * connected and not Established, else the connection state. role/peerRole and diskState/peerDiskState are this
     * node's and the peer's. outOfSyncKiB is DRBD's out-of-sync count; sync is set only while a resync or verify runs.
     * counters are /proc/drbd's I/O counters (ns, nr, dw, dr, ...) in KiB where they are sizes. netOptions never hold
     * the shared secret.
     */
    public record Resource(String name, int volume, int minor, String backingDisk, String metaDisk,
                           String localAddress, String peerAddress, String protocol, Map<String, String> netOptions,
                           String connectionState, String role, String peerRole, String diskState,
                           String peerDiskState, long outOfSyncKiB, Sync sync, Map<String, Long> counters) {
        public Resource {
            Map<String, String> options = new TreeMap<>();
            if (netOptions != null) {
                netOptions.forEach((key, value) -> {
                    if (!isSecret(key)) {
                        options.put(key, value);
                    }
                });
            }
            netOptions = java.util.Collections.unmodifiableMap(options);
            counters = counters == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(counters));
        }

        /** True for an option whose value must never be kept, shown or logged (DRBD's shared-secret). */
        public static boolean isSecret(String option) {
            return option.toLowerCase(Locale.ROOT).contains("secret");
        }

        /** True while a resync or an online verify runs. */
        public boolean syncing() {
            return sync != null;
        }
    }

    /**
     * A resync or online verify in progress: kind is "resync" or "verify"; percentDone from /proc/drbd
     * ({@code sync'ed:} or {@code verified:}) or DRBD 9's percent-resync-done; remaining and total in KiB; finish is
     * the estimate as DRBD prints it ({@code 0:00:03}); speed in KiB/s.
     */
    public record Sync(String kind, double percentDone, Long remainingKiB, Long totalKiB, String finish,
                       Long speedKiBPerSecond) {
        public Sync {
            Objects.requireNonNull(kind, "kind");
        }
    }
}
