package org.mcvirt.model;

import java.util.Objects;
import java.util.Optional;

/** The cluster-wide settings of a manifest. */
public record ClusterSpec(String name, DrbdSpec drbd) {
    public ClusterSpec {
        Objects.requireNonNull(name, "name");
    }

    public Optional<DrbdSpec> drbdIfEnabled() {
        return drbd != null && drbd.enabled() ? Optional.of(drbd) : Optional.empty();
    }
}
