package org.mcvirt.model;

/**
 * How live migrations run ({@code cluster.migration}). maxDowntimeMs: the longest the vm may be paused at the end of
 * a live migration, given to libvirt (virDomainMigrateSetMaxDowntime, QEMU's downtime-limit) before the migration
 * starts; QEMU keeps copying dirtied memory until what is left fits in it. autoConverge: libvirt's
 * VIR_MIGRATE_AUTO_CONVERGE, QEMU slows the vm's vCPUs while memory is dirtied faster than it is sent, so the
 * migration ends. Post-copy is not offered: once the vm runs on the target while its memory is still on the source,
 * losing either node or the link between them loses the vm.
 */
public record MigrationSpec(long maxDowntimeMs, boolean autoConverge) {
    /** The settings of a manifest without {@code cluster.migration}. */
    public static final MigrationSpec DEFAULT = new MigrationSpec(100, true);
    /** The longest maxDowntime accepted: a pause longer than this is an outage, not a live migration. */
    public static final long MAX_DOWNTIME_MS = 10_000;

    public MigrationSpec {
        if (maxDowntimeMs < 1 || maxDowntimeMs > MAX_DOWNTIME_MS) {
            throw new IllegalArgumentException("maxDowntime must be between 1 ms and " + MAX_DOWNTIME_MS
                    + " ms: " + maxDowntimeMs);
        }
    }

    /**
     * For {@code @JsonInclude(CUSTOM)}: the default settings are left out of the manifest digest, so the digest of a
     * manifest without {@code cluster.migration} is what it was before the key existed (saved plans still match).
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
