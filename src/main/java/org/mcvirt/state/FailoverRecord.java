package org.mcvirt.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;

/**
 * What a failover leaves on the node that took a vm over from a node declared offline:
 * {@code STATE/failover/VM.json} in the survivor's state directory. From the moment it is written, the survivor's
 * copy of the vm's replicated disks is the good one and the failed node's copy is stale: when that node comes back,
 * its copy is discarded (the plan says so and needs --allow-destroy) and the record is removed once the disks are
 * connected again. at is an ISO-8601 instant in UTC; resources are the vm's DRBD resources; stale names the disks
 * ({@code vm/disk}) taken over with --accept-stale although the survivor's copy was not UpToDate.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FailoverRecord(String vm, String from, String to, String at, List<String> resources, List<String> stale) {
    public FailoverRecord {
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
        try {
            Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("at is not an ISO-8601 instant: " + at, e);
        }
        resources = resources == null ? List.of() : resources.stream().sorted().toList();
        stale = stale == null ? List.of() : stale.stream().sorted().toList();
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The record as the file holds it. */
    public static byte[] json(FailoverRecord record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
