package org.mcvirt.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses DRBD 8.4's {@code /proc/drbd}: the version line, then per minor a state line
 * ({@code 100: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----}), a counter line
 * ({@code ns:0 nr:0 dw:0 dr:0 al:8 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0}) and, during a resync or verify, a
 * progress line ({@code sync'ed: 43.8% (37848/65496)K} or {@code verified: 37.5% (40980/65496)K}) and a finish line
 * ({@code finish: 0:00:01 speed: 27,648 (27,648) K/sec}). Lines it does not know are skipped. The one reader of
 * that format: state.StorageReader observes with it, {@link DrbdNode} waits and checks with it.
 */
public final class ProcDrbdParser {
    private static final Pattern VERSION = Pattern.compile("^version:\\s*(\\S+)(?:\\s*\\((.*)\\))?");
    private static final Pattern STATE = Pattern.compile(
            "^\\s*(\\d{1,9}):\\s+cs:(\\S+)(?:\\s+(?:ro|st):([^/\\s]+)/(\\S+))?(?:\\s+ds:([^/\\s]+)/(\\S+))?"
                    + "(?:\\s+([A-C]))?(?:\\s+(\\S+))?\\s*$");
    private static final Pattern COUNTER = Pattern.compile("([a-z]+):(\\S+)");
    private static final Pattern PROGRESS = Pattern.compile(
            "(sync'ed|verified):\\s*([0-9.]+)%\\s*\\((\\d{1,12})/(\\d{1,12})\\)([KMG])");
    private static final Pattern FINISH = Pattern.compile("finish:\\s*(\\S+)(?:\\s+speed:\\s*([0-9,]+))?");

    private ProcDrbdParser() {
    }

    /** What /proc/drbd says. version is null when there is no version line. */
    public record ProcDrbd(String version, String api, List<Minor> minors) {
        public ProcDrbd {
            minors = List.copyOf(minors);
        }
    }

    /**
     * One minor. Roles and disk states are null for an unconfigured minor; protocol is null when not connected
     * (8.4 prints a blank); flags is the I/O flags column ({@code r-----}).
     */
    public record Minor(int minor, String connectionState, String role, String peerRole, String diskState,
                        String peerDiskState, String protocol, String flags, Map<String, Long> counters,
                        long outOfSyncKiB, Sync sync) {
    }

    /**
     * A resync or online verify in progress: kind is "resync" or "verify"; percent as /proc/drbd prints it
     * ({@code 43.8}), null until its progress line appears; remaining and total in KiB; finish as DRBD prints it
     * ({@code 0:00:03}); speed in KiB/s.
     */
    public record Sync(String kind, String percent, Long remainingKiB, Long totalKiB, String finish,
                       Long speedKiBPerSecond) {
    }

    public static ProcDrbd parse(String text) {
        String version = null;
        String api = null;
        List<Minor> minors = new ArrayList<>();
        Builder current = null;
        for (String line : text.split("\n", -1)) {
            Matcher matcher = VERSION.matcher(line);
            if (version == null && matcher.find()) {
                version = matcher.group(1);
                api = matcher.group(2);
                continue;
            }
            matcher = STATE.matcher(line);
            if (matcher.matches()) {
                if (current != null) {
                    minors.add(current.build());
                }
                current = new Builder(Integer.parseInt(matcher.group(1)), matcher.group(2), matcher.group(3),
                        matcher.group(4), matcher.group(5), matcher.group(6), matcher.group(7), matcher.group(8));
                continue;
            }
            if (current == null) {
                continue;
            }
            matcher = PROGRESS.matcher(line);
            if (matcher.find()) {
                long factor = switch (matcher.group(5)) {
                    case "M" -> 1024L;
                    case "G" -> 1024L * 1024;
                    default -> 1L;
                };
                current.kind = matcher.group(1).equals("verified") ? "verify" : "resync";
                current.percent = matcher.group(2);
                current.remaining = Long.parseLong(matcher.group(3)) * factor;
                current.total = Long.parseLong(matcher.group(4)) * factor;
                continue;
            }
            matcher = FINISH.matcher(line);
            if (matcher.find() && line.strip().startsWith("finish:")) {
                current.finish = matcher.group(1);
                String speed = matcher.group(2) == null ? "" : matcher.group(2).replace(",", "");
                current.speed = speed.matches("\\d{1,18}") ? Long.valueOf(speed) : null;
                continue;
            }
            if (line.strip().startsWith("ns:") || line.contains(" oos:")) {
                matcher = COUNTER.matcher(line);
                while (matcher.find()) {
                    if (matcher.group(2).matches("\\d{1,18}")) {
                        current.counters.put(matcher.group(1), Long.parseLong(matcher.group(2)));
                    }
                }
            }
        }
        if (current != null) {
            minors.add(current.build());
        }
        return new ProcDrbd(version, api, minors);
    }

    private static final class Builder {
        private final int minor;
        private final String connectionState;
        private final String role;
        private final String peerRole;
        private final String diskState;
        private final String peerDiskState;
        private final String protocol;
        private final String flags;
        private final Map<String, Long> counters = new LinkedHashMap<>();
        private String kind;
        private String percent;
        private Long remaining;
        private Long total;
        private String finish;
        private Long speed;

        Builder(int minor, String connectionState, String role, String peerRole, String diskState, String peerDiskState,
                String protocol, String flags) {
            this.minor = minor;
            this.connectionState = connectionState;
            this.role = role;
            this.peerRole = peerRole;
            this.diskState = diskState;
            this.peerDiskState = peerDiskState;
            this.protocol = protocol;
            this.flags = flags;
        }

        Minor build() {
            String syncKind = kind;
            if (syncKind == null && (connectionState.startsWith("Verify") || connectionState.startsWith("Sync")
                    || connectionState.startsWith("PausedSync"))) {
                // a resync or verify that has not printed its progress yet
                syncKind = connectionState.startsWith("Verify") ? "verify" : "resync";
            }
            Sync sync = syncKind == null ? null : new Sync(syncKind, percent, remaining, total, finish, speed);
            long outOfSync = counters.getOrDefault("oos", 0L);
            return new Minor(minor, connectionState, role, peerRole, diskState, peerDiskState, protocol, flags,
                    counters, outOfSync, sync);
        }
    }
}
