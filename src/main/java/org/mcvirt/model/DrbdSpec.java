package org.mcvirt.model;

import java.util.Objects;

/** Replicated storage settings. The secret is a reference, never a value. */
public record DrbdSpec(boolean enabled, String protocol, String syncRate, String verifyAlg,
                       IntRange ports, IntRange minors, SecretRef secret) {
    public DrbdSpec {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(minors, "minors");
    }

    /** Where the shared secret comes from: a file on the controller or an environment variable. */
    public record SecretRef(String file, String environmentVariable) {
    }
}
