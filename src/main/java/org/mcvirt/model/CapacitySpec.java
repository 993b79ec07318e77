package org.mcvirt.model;

import java.util.Objects;

/**
 * The cluster's capacity rule ({@code cluster.capacity}). nPlusOne: what a plan does when, if one node of a pair
 * failed, the other could not hold the running vms that would move to it: {@link NPlusOne#WARN} (the default) shows a
 * warning, {@link NPlusOne#ENFORCE} makes it a plan problem.
 */
public record CapacitySpec(NPlusOne nPlusOne) {
    /** The rule of a manifest without {@code cluster.capacity}. */
    public static final CapacitySpec DEFAULT = new CapacitySpec(NPlusOne.WARN);

    public CapacitySpec {
        Objects.requireNonNull(nPlusOne, "nPlusOne");
    }

    /** How a plan treats a pair whose survivor could not hold its running vms. */
    public enum NPlusOne { WARN, ENFORCE }

    /**
     * For {@code @JsonInclude(CUSTOM)}: the default rule is left out of the manifest digest, so the digest of a
     * manifest without {@code cluster.capacity} is what it was before the key existed (saved plans still match).
     */
    public static final class DefaultFilter {
        @Override
        public boolean equals(Object other) {
            return other == null || DEFAULT.equals(other);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
