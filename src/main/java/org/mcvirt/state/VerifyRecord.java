package org.mcvirt.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * The result of one DRBD online verify of a resource, as mcvirt keeps it on each node of the pair:
 * {@code STATE/verify/RESOURCE.json} in the node's state directory ({@code paths.state}, default /var/lib/mcvirt),
 * one file per resource, replaced by the next verify. Times are ISO-8601 instants in UTC
 * ({@code 2026-11-27T02:55:03Z}); outOfSyncKiB is what the verify found (0 when clean, null when it failed before
 * reporting); node is where it was started (it runs on both); detail says why it failed, or null.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record VerifyRecord(String resource, String startedAt, String finishedAt, Result result, Long outOfSyncKiB,
                           String node, String detail) {
    public VerifyRecord(String resource, String startedAt, String finishedAt, Result result, Long outOfSyncKiB) {
        this(resource, startedAt, finishedAt, result, outOfSyncKiB, null, null);
    }

    public VerifyRecord {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(result, "result");
        instant("startedAt", startedAt);
        instant("finishedAt", finishedAt);
    }

    /** True when this verify found blocks that differ: the vm is marked until a resync and a clean verify. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean marks() {
        return result == Result.OUT_OF_SYNC;
    }

    private static void instant(String field, String value) {
        if (value == null) {
            return;
        }
        try {
            Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " is not an ISO-8601 instant: " + value, e);
        }
    }

    /** What the verify found. */
    public enum Result {
        /** Every block matched. */
        @JsonProperty("clean")
        CLEAN,
        /** Blocks differ between the two nodes: the resource needs a resync from the node with good data. */
        @JsonProperty("out-of-sync")
        OUT_OF_SYNC,
        /** The verify could not run or did not finish (no connection, aborted, killed). */
        @JsonProperty("failed")
        FAILED;

        /** The name used in the record and in output. */
        public String label() {
            return switch (this) {
                case CLEAN -> "clean";
                case OUT_OF_SYNC -> "out-of-sync";
                case FAILED -> "failed";
            };
        }
    }
}
