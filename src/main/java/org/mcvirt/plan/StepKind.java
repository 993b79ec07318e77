package org.mcvirt.plan;

/**
 * The primitive operations apply can run. Each maps to one libvirt call sequence or one LVM/DRBD operation on a
 * node in the executor. The order of the constants is the tie-break of the step order: new kinds go at the end.
 */
public enum StepKind {
    CREATE_POOL, START_POOL, CREATE_VOLUME, CREATE_NETWORK, START_NETWORK, DELETE_NETWORK,
    DEFINE_DOMAIN, SET_MEMORY_LIVE, ATTACH_DEVICE_LIVE, DETACH_DEVICE_LIVE, SET_AUTOSTART,
    START_DOMAIN, SHUTDOWN_DOMAIN, UNDEFINE_DOMAIN, DELETE_VOLUME,
    /** A tagged logical volume, the backing disk of one side of a DRBD resource. */
    CREATE_LV,
    /** The resource file, checked by drbd-utils, then put in place with mode 0600; the secret is put in here. */
    WRITE_DRBD_CONFIG,
    /** DRBD's internal metadata; never over data. */
    CREATE_DRBD_METADATA,
    /** drbdadm adjust: up, or matching its file. */
    DRBD_UP,
    /** Made Primary with its data as the good copy, then waits until the peer is UpToDate. */
    DRBD_INITIAL_SYNC,
    DRBD_PROMOTE, DRBD_DEMOTE,
    /** Down, metadata wiped, resource file removed: this side's replica is gone. */
    DELETE_DRBD,
    DELETE_LV,
    /** A file volume grown: by the running domain (block resize, live) or by the pool when it is stopped. */
    GROW_VOLUME,
    /** lvextend of one side's backing LV; never shrinks. */
    GROW_LV,
    /** drbdadm resize once both LVs are grown (checked: it does nothing otherwise), then a live block resize. */
    GROW_DRBD,
    /**
     * Live migration to the peer (a step on both nodes): two primaries allowed, the peer promoted, libvirt migrates
     * the running domain live to a persistent definition there and undefines it here, then this side is demoted and
     * two primaries are forbidden again. A failure anywhere rolls back: the vm still runs here, single primary.
     */
    MIGRATE_LIVE,
    /**
     * The source's definition of a migrated vm, undefined once the target has the same domain (same UUID): checked on
     * the target first, so the vm is never left defined on no node. Not a destroy: the vm lives on the target.
     */
    UNDEFINE_MIGRATED,
    /** Defines a vm that is defined on no node from mcvirt's saved copy of its definition (checked by its SHA-256). */
    REGISTER_DOMAIN,
    /**
     * An empty storage pool of this cluster that the manifest no longer names: stopped (virStoragePoolDestroy) and
     * undefined. Its directory is kept (never virStoragePoolDelete). Refused at apply when it holds volumes by then.
     */
    DELETE_POOL,
    /**
     * The survivor's record that it takes a vm over from a node declared offline ({@code STATE/failover/VM.json}),
     * written before its disks are made primary there: from then on the failed node's copy is the stale one.
     */
    RECORD_FAILOVER,
    /**
     * On a node back after its vms failed over to the survivor: each of the vm's resources made secondary here and
     * connected discarding this node's copy (the survivor's overwrites it; the survivor connects too when StandAlone),
     * then the survivor's failover record removed. Destroys: what this node wrote after the failover is lost.
     */
    REJOIN_STALE_COPY,
    /**
     * The scheduled DRBD verify on a node: mcvirt's verify program copied to the state directory, its systemd
     * service and timer written (mode 0644), systemd reloaded, and the timer enabled and (re)started on the schedule.
     */
    INSTALL_VERIFY_SCHEDULE,
    /** The scheduled verify's timer disabled and stopped, its units, its run stamp and the program's copy removed. */
    REMOVE_VERIFY_SCHEDULE,
    /**
     * mcvirt's permissions on a node: the cluster's polkit rules file written (0644, renamed into place) and then
     * libvirtd's polkit access driver set; or the driver unset and then the file removed. libvirtd is restarted only
     * when its setting changes (running vms keep running), and apply reconnects to it.
     */
    CONFIGURE_PERMISSIONS,
    /**
     * A base image uploaded from the machine that runs mcvirt into a file pool of the node (libvirt's upload stream,
     * with progress), then its SHA-256 checked there; a mismatch deletes it and fails.
     */
    UPLOAD_IMAGE,
    /**
     * A vm's file disk from an image: the image's SHA-256 checked on the node first, then a full copy grown to the
     * disk's size, or a qcow2 overlay on the image (linked).
     */
    CREATE_VOLUME_FROM_IMAGE,
    /** A vm's cloud-init NoCloud seed ISO, built on the node from the user data, meta-data and network config. */
    WRITE_SEED,
    /**
     * An image written onto a new replicated disk's DRBD device on the vm's node, after its initial sync and before
     * the domain is defined: written once, DRBD copies it to the peer. The image's SHA-256 is checked first.
     */
    WRITE_IMAGE,
    /**
     * A cloud-init seed no longer named by its vm's definition (an older one, or the seeds of a vm deleted), removed
     * from its pool: not a destroy, the manifest makes it again. Never while the vm runs, which may still read it.
     */
    DELETE_SEED;

    /** Steps that destroy something: they need --allow-destroy. Every kind says which it is. */
    public boolean destructive() {
        return switch (this) {
            case DELETE_NETWORK, UNDEFINE_DOMAIN, DELETE_VOLUME, DELETE_DRBD, DELETE_LV, DELETE_POOL, REJOIN_STALE_COPY -> true;
            case CREATE_POOL, START_POOL, CREATE_VOLUME, CREATE_NETWORK, START_NETWORK, DEFINE_DOMAIN, SET_MEMORY_LIVE,
                 ATTACH_DEVICE_LIVE, DETACH_DEVICE_LIVE, SET_AUTOSTART, START_DOMAIN, SHUTDOWN_DOMAIN, CREATE_LV,
                 WRITE_DRBD_CONFIG, CREATE_DRBD_METADATA, DRBD_UP, DRBD_INITIAL_SYNC, DRBD_PROMOTE, DRBD_DEMOTE,
                 GROW_VOLUME, GROW_LV, GROW_DRBD, MIGRATE_LIVE, UNDEFINE_MIGRATED, REGISTER_DOMAIN, RECORD_FAILOVER,
                 INSTALL_VERIFY_SCHEDULE, REMOVE_VERIFY_SCHEDULE, CONFIGURE_PERMISSIONS, UPLOAD_IMAGE, CREATE_VOLUME_FROM_IMAGE, WRITE_SEED,
                 WRITE_IMAGE, DELETE_SEED -> false;
        };
    }

    /**
     * Whether a step of this kind may run on its node while other such steps of other vms run there (up to apply's
     * --parallelism): libvirt serialises what must be, per domain and per pool, and these touch one vm's domain or
     * volume only. Every other kind has its nodes to itself (DRBD, LVM, pools, networks, migrations). Every kind says
     * which it is.
     */
    public boolean overlapsOnItsNode() {
        return switch (this) {
            case CREATE_VOLUME, DEFINE_DOMAIN, SET_AUTOSTART, START_DOMAIN, SHUTDOWN_DOMAIN, UNDEFINE_DOMAIN,
                 DELETE_VOLUME, CREATE_VOLUME_FROM_IMAGE, WRITE_SEED, DELETE_SEED -> true;
            case CREATE_POOL, START_POOL, CREATE_NETWORK, START_NETWORK, DELETE_NETWORK, SET_MEMORY_LIVE,
                 ATTACH_DEVICE_LIVE, DETACH_DEVICE_LIVE, CREATE_LV, WRITE_DRBD_CONFIG, CREATE_DRBD_METADATA, DRBD_UP,
                 DRBD_INITIAL_SYNC, DRBD_PROMOTE, DRBD_DEMOTE, DELETE_DRBD, DELETE_LV, GROW_VOLUME, GROW_LV, GROW_DRBD,
                 MIGRATE_LIVE, UNDEFINE_MIGRATED, REGISTER_DOMAIN, DELETE_POOL, RECORD_FAILOVER,
                 REJOIN_STALE_COPY, INSTALL_VERIFY_SCHEDULE, REMOVE_VERIFY_SCHEDULE, CONFIGURE_PERMISSIONS,
                 UPLOAD_IMAGE, WRITE_IMAGE -> false;
        };
    }

    /** How long a step of this kind may take, as a category; apply turns it into a duration from its options. */
    public enum Timeout {
        /** The step timeout. */
        PLAIN,
        /** The step timeout plus the shutdown timeout (the guest is asked first, then powered off). */
        SHUTDOWN,
        /** The step timeout plus the sync timeout: an initial DRBD sync waits by design, with progress. */
        SYNC,
        /** The step timeout plus the sync timeout: a live migration copies the guest's memory, with progress. */
        MIGRATION,
        /** The step timeout plus the sync timeout: an image is uploaded or copied, with progress. */
        TRANSFER
    }

    /** The timeout category of this kind. Every kind says which it is, so a new long-running kind cannot miss one. */
    public Timeout timeout() {
        return switch (this) {
            case SHUTDOWN_DOMAIN -> Timeout.SHUTDOWN;
            case DRBD_INITIAL_SYNC -> Timeout.SYNC;
            case MIGRATE_LIVE -> Timeout.MIGRATION;
            case UPLOAD_IMAGE, CREATE_VOLUME_FROM_IMAGE, WRITE_IMAGE -> Timeout.TRANSFER;
            case CREATE_POOL, START_POOL, CREATE_VOLUME, CREATE_NETWORK, START_NETWORK, DELETE_NETWORK, DEFINE_DOMAIN,
                 SET_MEMORY_LIVE, ATTACH_DEVICE_LIVE, DETACH_DEVICE_LIVE, SET_AUTOSTART, START_DOMAIN, UNDEFINE_DOMAIN,
                 DELETE_VOLUME, CREATE_LV, WRITE_DRBD_CONFIG, CREATE_DRBD_METADATA, DRBD_UP, DRBD_PROMOTE, DRBD_DEMOTE,
                 DELETE_DRBD, DELETE_LV, GROW_VOLUME, GROW_LV, GROW_DRBD, UNDEFINE_MIGRATED, REGISTER_DOMAIN,
                 DELETE_POOL, RECORD_FAILOVER, REJOIN_STALE_COPY, INSTALL_VERIFY_SCHEDULE,
                 REMOVE_VERIFY_SCHEDULE, CONFIGURE_PERMISSIONS, WRITE_SEED, DELETE_SEED -> Timeout.PLAIN;
        };
    }
}
