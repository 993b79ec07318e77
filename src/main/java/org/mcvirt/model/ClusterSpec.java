package org.mcvirt.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import java.util.Optional;

/**
 * The cluster-wide settings of a manifest. capacity and migration are {@link CapacitySpec#DEFAULT} and
 * {@link MigrationSpec#DEFAULT} when the manifest has none; notification is null without {@code cluster.notify} (and then
 * left out of the manifest digest, so older saved plans still match), and so is permissions without
 * {@code cluster.permissions}.
 */
public record ClusterSpec(String name, DrbdSpec drbd,
                          @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = CapacitySpec.DefaultFilter.class)
                          CapacitySpec capacity,
                          @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = MigrationSpec.DefaultFilter.class)
                          MigrationSpec migration,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("notify") NotifySpec notification,
                          @JsonInclude(JsonInclude.Include.NON_NULL) PermissionsSpec permissions) {
    public ClusterSpec {
        Objects.requireNonNull(name, "name");
        capacity = capacity == null ? CapacitySpec.DEFAULT : capacity;
        migration = migration == null ? MigrationSpec.DEFAULT : migration;
    }

    /** Without {@code cluster.permissions}. */
    public ClusterSpec(String name, DrbdSpec drbd, CapacitySpec capacity, MigrationSpec migration,
                       NotifySpec notification) {
        this(name, drbd, capacity, migration, notification, null);
    }

    /** Without {@code cluster.notify}. */
    public ClusterSpec(String name, DrbdSpec drbd, CapacitySpec capacity, MigrationSpec migration) {
        this(name, drbd, capacity, migration, null);
    }

    /** The command of {@code cluster.notify}, if the manifest names one. */
    public Optional<String> notifyCommand() {
        return Optional.ofNullable(notification).map(NotifySpec::command);
    }

    /** With the default capacity rule and live-migration settings. */
    public ClusterSpec(String name, DrbdSpec drbd) {
        this(name, drbd, CapacitySpec.DEFAULT, MigrationSpec.DEFAULT);
    }

    /** With the default live-migration settings. */
    public ClusterSpec(String name, DrbdSpec drbd, CapacitySpec capacity) {
        this(name, drbd, capacity, MigrationSpec.DEFAULT);
    }

    /** The superusers of {@code cluster.permissions} (none without it). */
    public java.util.List<String> superusers() {
        return permissions == null ? java.util.List.of() : permissions.superusers();
    }

    public Optional<DrbdSpec> drbdIfEnabled() {
        return drbd != null && drbd.enabled() ? Optional.of(drbd) : Optional.empty();
    }
}
