package org.mcvirt.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import java.util.Optional;

/** The cluster-wide settings of a manifest. capacity is {@link CapacitySpec#DEFAULT} when the manifest has none. */
public record ClusterSpec(String name, DrbdSpec drbd,
                          @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = CapacitySpec.DefaultFilter.class)
                          CapacitySpec capacity) {
    public ClusterSpec {
        Objects.requireNonNull(name, "name");
        capacity = capacity == null ? CapacitySpec.DEFAULT : capacity;
    }

    /** With the default capacity rule. */
    public ClusterSpec(String name, DrbdSpec drbd) {
        this(name, drbd, CapacitySpec.DEFAULT);
    }

    public Optional<DrbdSpec> drbdIfEnabled() {
        return drbd != null && drbd.enabled() ? Optional.of(drbd) : Optional.empty();
    }
}
