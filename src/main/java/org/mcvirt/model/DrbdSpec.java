package org.mcvirt.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Duration;
import java.util.Objects;

/**
 * Replicated storage settings. The secret is a reference, never a value. verifyMaxAge is how old the last online
 * verify of a replicated disk may be before {@code drift} reports it (null: the age is not checked). verifySchedule is
 * when each node verifies the replicated disks of the vms it runs, a systemd calendar expression ({@link CalendarSpec};
 * null: no scheduled verify).
 */
public record DrbdSpec(boolean enabled, String protocol, String syncRate, String verifyAlg,
                       IntRange ports, IntRange minors, SecretRef secret,
                       // absent from the manifest digest when not set, so older saved plans still match
                       @JsonInclude(JsonInclude.Include.NON_NULL) @JsonSerialize(using = ToStringSerializer.class)
                       Duration verifyMaxAge,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String verifySchedule) {
    public DrbdSpec {
        if (verifySchedule != null) {
            CalendarSpec.problem(verifySchedule).ifPresent(problem -> {
                throw new IllegalArgumentException("verifySchedule is not a systemd calendar expression: " + problem);
            });
        }
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(minors, "minors");
        if (verifyMaxAge != null && (verifyMaxAge.isNegative() || verifyMaxAge.isZero())) {
            throw new IllegalArgumentException("verifyMaxAge must be positive: " + verifyMaxAge);
        }
    }

    /** Without a verify schedule. */
    public DrbdSpec(boolean enabled, String protocol, String syncRate, String verifyAlg, IntRange ports,
                    IntRange minors, SecretRef secret, Duration verifyMaxAge) {
        this(enabled, protocol, syncRate, verifyAlg, ports, minors, secret, verifyMaxAge, null);
    }

    /** Without a verify age limit. */
    public DrbdSpec(boolean enabled, String protocol, String syncRate, String verifyAlg, IntRange ports,
                    IntRange minors, SecretRef secret) {
        this(enabled, protocol, syncRate, verifyAlg, ports, minors, secret, null);
    }

    /** Where the shared secret comes from: a file on the controller or an environment variable. */
    public record SecretRef(String file, String environmentVariable) {
    }
}
