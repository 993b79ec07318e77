package org.mcvirt.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The cluster lock's file, {@code STATE/lock.json}: one JSON object, the {@link ClusterLock.Holder}. Read back, every
 * field is checked (a lock file is on a node, where anyone with access can change it): a file that is not the object
 * mcvirt writes is damaged, a message naming the node and the file, never an internal error. Also the staleness
 * rule: a holder renews its heartbeat every {@code heartbeatSeconds}; one that has not for {@link #MISSED_HEARTBEATS}
 * of them is stale, as is one on this host whose process is gone.
 */
final class LockFile {
    /** How often a holder renews its heartbeat. */
    static final Duration HEARTBEAT = Duration.ofSeconds(30);
    /** A holder that missed this many heartbeats in a row is stale. */
    static final int MISSED_HEARTBEATS = 4;
    /** The longest heartbeat interval a lock file may name (one day). */
    private static final long LONGEST_HEARTBEAT_SECONDS = 86_400;
    /** How far apart two readings of one process's start may be. */
    private static final Duration START_TOLERANCE = Duration.ofSeconds(2);
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private LockFile() {
    }

    static String write(ClusterLock.Holder holder) {
        try {
            return JSON.writeValueAsString(holder);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The holder a lock file names, or a McvirtException (category NODE) naming the node, the file and the defect. */
    static ClusterLock.Holder parse(String node, String file, byte[] content) throws McvirtException {
        String text = new String(content, StandardCharsets.UTF_8).strip();
        String defect;
        if (text.isEmpty()) {
            defect = "it is empty";
        } else {
            try {
                defect = holderOrDefect(JSON.readTree(text));
                if (defect == null) {
                    return holder(JSON.readTree(text));
                }
            } catch (JsonProcessingException e) {
                defect = "it is not JSON (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")";
            }
        }
        throw new McvirtException(McvirtException.Category.NODE, "node " + node + ": the lock file " + file
                + " is damaged: " + defect + "; if no mcvirt command is running, remove it with 'mcvirt lock break'");
    }

    /** What is wrong with a lock file's JSON, or null when it is a holder. */
    private static String holderOrDefect(JsonNode json) {
        if (json == null || !json.isObject()) {
            return "it is not a JSON object";
        }
        for (String field : new String[] {"host", "token", "startedAt"}) {
            if (!json.has(field)) {
                return "it has no '" + field + "'";
            }
        }
        for (String field : new String[] {"host", "token", "startedAt", "user", "processStart", "command",
                "heartbeat"}) {
            JsonNode value = json.get(field);
            boolean required = field.equals("host") || field.equals("token") || field.equals("startedAt");
            if (value == null || (!required && value.isNull())) {
                continue;
            }
            if (!value.isTextual()) {
                return "'" + field + "' is not a string";
            }
            if (required && value.asText().isBlank()) {
                return "'" + field + "' is empty";
            }
            if (value.asText().chars().anyMatch(Character::isISOControl)) {
                return "'" + field + "' has control characters";
            }
        }
        if (!TOKEN.matcher(json.get("token").asText()).matches()) {
            return "'token' is not a token mcvirt writes (letters, digits, '.', '_' and '-')";
        }
        for (String field : new String[] {"startedAt", "heartbeat"}) {
            JsonNode value = json.get(field);
            if (value != null && !value.isNull() && instant(value.asText()) == null) {
                return "'" + field + "' is not a time (an ISO-8601 instant such as 2026-12-01T10:00:00Z)";
            }
        }
        JsonNode pid = json.get("pid");
        if (pid != null && !pid.isNull() && !(pid.canConvertToLong() && pid.isIntegralNumber() && pid.asLong() >= 0)) {
            return "'pid' is not a process id";
        }
        JsonNode seconds = json.get("heartbeatSeconds");
        if (seconds != null && !seconds.isNull() && !(seconds.isIntegralNumber() && seconds.canConvertToLong()
                && seconds.asLong() >= 1 && seconds.asLong() <= LONGEST_HEARTBEAT_SECONDS)) {
            return "'heartbeatSeconds' is not a whole number of seconds from 1 to " + LONGEST_HEARTBEAT_SECONDS;
        }
        return null;
    }

    private static ClusterLock.Holder holder(JsonNode json) {
        return new ClusterLock.Holder(json.get("host").asText(), text(json, "user"),
                json.hasNonNull("pid") ? json.get("pid").asLong() : 0, text(json, "processStart"),
                text(json, "command"), json.get("startedAt").asText(), json.get("token").asText(),
                json.hasNonNull("heartbeat") ? json.get("heartbeat").asText() : null,
                json.hasNonNull("heartbeatSeconds") ? json.get("heartbeatSeconds").asLong() : HEARTBEAT.toSeconds(),
                json.hasNonNull("processStartTicks") && json.get("processStartTicks").isIntegralNumber()
                        ? Math.max(0, json.get("processStartTicks").asLong()) : 0);
    }

    /**
     * A process's start in clock ticks since boot, field 22 of /proc/PID/stat (after the command name, which may hold
     * spaces and parentheses), or 0 when it cannot be read (no such process, no /proc).
     */
    static long startTicks(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields.length > 19 && fields[19].matches("\\d+") ? Long.parseLong(fields[19]) : 0;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    private static String text(JsonNode json, String field) {
        return json.hasNonNull(field) ? json.get(field).asText() : "";
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Whether a process started at start is the one that recorded recorded as its start. The kernel's boot time, from
     * which Java computes a process's start, can move by a second under NTP, so they match within
     * {@link #START_TOLERANCE}; an unknown start on either side matches (the pid alone decides).
     */
    static boolean sameStart(Instant start, String recorded) {
        Instant then = recorded == null ? null : instant(recorded);
        return start == null || then == null
                || Duration.between(start, then).abs().compareTo(START_TOLERANCE) <= 0;
    }

    /**
     * Whether a holder is active or stale at now: on this host by its process (gone: stale) and its heartbeat, on
     * another host by its heartbeat alone. A lock file without a heartbeat (an mcvirt before heartbeats) counts its
     * start as its last one. A heartbeat ahead of this clock counts as just now.
     */
    static String state(ClusterLock.Holder holder, Instant now, String localHost) {
        Instant last = instant(holder.heartbeat() != null ? holder.heartbeat() : holder.startedAt());
        Duration silent = last == null || last.isAfter(now) ? Duration.ZERO : Duration.between(last, now);
        Duration interval = Duration.ofSeconds(holder.heartbeatSeconds());
        boolean beating = silent.compareTo(interval.multipliedBy(MISSED_HEARTBEATS)) <= 0;
        String rule = " (it renews the lock every " + interval.toSeconds() + " s; stale after " + MISSED_HEARTBEATS
                + " missed); break it with 'mcvirt lock break'";
        if (holder.host().equals(localHost)) {
            Optional<Instant> start = ProcessHandle.of(holder.pid()).map(p -> p.info().startInstant().orElse(null));
            long ticks = holder.processStartTicks() > 0 ? startTicks(holder.pid()) : 0;
            // the start in ticks when both sides know it (a wall-clock step moves the start Java computes, not these)
            boolean same = ticks > 0 ? ticks == holder.processStartTicks()
                    : sameStart(start.orElse(null), holder.processStart());
            if (!ProcessHandle.of(holder.pid()).isPresent() || !same) {
                return "stale: its process " + holder.pid() + " on this host is gone" + start.map(
                        s -> " (pid " + holder.pid() + " is now a process started at " + s + ")").orElse("")
                        + " (break it with 'mcvirt lock break')";
            }
            return beating ? "active: its process " + holder.pid() + " is running"
                    : "stale: its process " + holder.pid() + " on this host is running but has not renewed the lock"
                    + " for " + silent.toSeconds() + " s" + rule;
        }
        if (!beating) {
            return "stale: no heartbeat from " + holder.host() + " for " + silent.toSeconds() + " s" + rule;
        }
        Instant started = instant(holder.startedAt());
        return "active: held for " + (started == null ? 0 : Duration.between(started, now).toSeconds())
                + " s by another host, last heartbeat " + silent.toSeconds() + " s ago";
    }
}
