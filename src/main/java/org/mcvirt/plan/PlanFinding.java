package org.mcvirt.plan;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/**
 * A problem or a warning of a plan: what it is ({@link Code}), the object it is about ({@link Subject}) and the
 * message for people. Code and subject are for code that acts on a finding (the drift check files it under its
 * subject); the message never drives anything.
 *
 * <p>In a plan's JSON a finding is its message alone, as in format version 2, so a saved plan's problems and warnings
 * read back as messages with the code {@link Code#SAVED} and no subject. That is all a saved plan needs: apply refuses
 * a plan that has problems and only prints its warnings (see docs/plan-format.md).
 */
public record PlanFinding(Code code, Subject subject, String message) {
    public PlanFinding {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(message, "message");
    }

    /** What a finding is. */
    public enum Code {
        // problems: apply refuses the plan
        /** A node of the manifest could not be read: nothing is planned on it. */
        NODE_NOT_READ,
        /** Every derived MAC candidate of a nic is in use on the nodes. */
        MAC_ADDRESSES_TAKEN,
        /** A vm to adopt cannot be adopted as the manifest describes it. */
        ADOPTION_REFUSED,
        /** No free DRBD minor or port in the cluster's ranges. */
        DRBD_RANGE_FULL,
        /** A node of a vm's replicated-disk pair could not be read. */
        PAIR_NOT_READ,
        /** A node of the pair cannot take a new replica (DRBD missing, volume group missing or full, a foreign LV). */
        REPLICA_NOT_POSSIBLE,
        /** A replica to remove lives on a node or storage the manifest no longer has. */
        REPLICA_OUT_OF_REACH,
        /** A domain of the vm's name that is not mcvirt's. */
        UNMANAGED_DOMAIN,
        /** A domain of the vm's name that is another cluster's. */
        OTHER_CLUSTERS_DOMAIN,
        /** A volume of a new disk's name exists already. */
        VOLUME_EXISTS,
        /** A protected vm, or a disk of one, would be deleted. */
        PROTECTED,
        /** A disk is at another source or target than the manifest says. */
        DISK_MOVED,
        /** A disk is replicated on the node and not in the manifest, or the other way round. */
        DISK_CONVERTED,
        /** A disk is larger than the manifest says. */
        DISK_SHRINK,
        /** A vm whose disks carry a verify mark is not started. */
        START_REFUSED,
        /** A vm on another node cannot move to its node. */
        MIGRATION_REFUSED,
        /**
         * A domain's mcvirt mark (read back from a node) is not what mcvirt writes: a resource that is not the name
         * derived from the vm and disk, a pair node not in the manifest, a minor or port outside the cluster's ranges.
         * Nothing of the vm is planned and none of the mark's values is used.
         */
        MARK_UNTRUSTED,
        /**
         * A vm is not registered, or its disk not made primary on its node, while a disk of it is not UpToDate and
         * Connected on both nodes or its last verify did not pass (the checks of a migration).
         */
        DISK_NOT_HEALTHY,
        /** A vm defined on more than one node in a way mcvirt does not settle by itself. */
        DEFINED_TWICE,
        /** A network clashes with another on the node (bridge or address). */
        NETWORK_CLASH,
        /** A network to replace or remove is in use. */
        NETWORK_IN_USE,
        /** A storage path is another pool's already. */
        STORAGE_PATH_TAKEN,
        /** A pool cannot be read or is not what the manifest says. */
        POOL_MISMATCH,
        /**
         * A vm cannot run on its peer while its home node is in maintenance or offline: it is not replicated, its
         * peer is not online either, or the surviving copy of a disk is not UpToDate (without --accept-stale).
         */
        FAILOVER_REFUSED,
        /**
         * With {@code cluster.capacity.nPlusOne: enforce}: if a node failed, the other node of a pair could not hold
         * the running vms that would move to it as well as its own ({@link Capacity}).
         */
        CAPACITY_N_PLUS_ONE_ENFORCED,
        /** An image's source on this machine is not what the manifest's SHA-256 says, or cannot be read. */
        IMAGE_SOURCE,
        /** An image or ISO on a node is not the size it was uploaded with: it changed there (a warning; drift). */
        IMAGE_CHANGED,
        /** An image does not fit the replicated disk it is to be written onto (its size less DRBD's metadata). */
        IMAGE_TOO_LARGE,
        // warnings: shown, never refused
        /** Something on a node left alone because it could not be read (another owner's pool). */
        NODE_WARNING,
        /** A replicated disk's health (disconnected, out of sync, verify mark), with the command that fixes it. */
        DISK_HEALTH,
        /** The last apply stopped part-way. */
        INTERRUPTED_APPLY,
        /** Read from a saved plan, which keeps the message only. */
        SAVED,
        /** A pool of this cluster that the manifest no longer names is kept: it holds volumes, or cannot be read. */
        POOL_KEPT,
        /** A node declared offline: mcvirt does not contact it (shown before anything else). */
        NODE_OFFLINE,
        /** A vm that stays down with its offline home node, having no replicated disk to run on elsewhere. */
        VM_DOWN,
        /** A move waits for a resync of the vm's disks to finish (planned by the first plan after it). */
        MOVE_DEFERRED,
        /**
         * With {@code cluster.capacity.nPlusOne: warn} (the default): what {@link #CAPACITY_N_PLUS_ONE_ENFORCED}
         * refuses, shown only.
         */
        CAPACITY_N_PLUS_ONE,
        /** A replicated disk's resource file on a node differs from what mcvirt writes beyond its handlers: left alone. */
        DRBD_FILE_DIFFERS,
        /** A node's paths cannot be named in the scheduled verify's systemd service as they are. */
        VERIFY_SCHEDULE_PATHS,
        /** A user or group of the manifest's permissions does not exist on a node. */
        PERMISSIONS_UNKNOWN_NAME,
        /** A node lacks polkitd, without which libvirtd's polkit access driver would lock everyone out. */
        PERMISSIONS_NO_POLKIT,
        /** mcvirt logs in to a node as a user the permissions would shut out of libvirt (not root, not a superuser). */
        PERMISSIONS_LOCKOUT,
        /**
         * A disk's mark records the image it was made from and the manifest now names another image or none: the
         * image is used only when a disk is created, so the disk is not rewritten (a warning; not drift).
         */
        IMAGE_NOT_REWRITTEN;

        /**
         * Whether a finding of this code is a warning (shown, never refused). A differ reports both through its
         * problems; the planner sorts them by this. A code not named here is a problem.
         */
        public boolean warning() {
            switch (this) {
                case NODE_WARNING, DISK_HEALTH, INTERRUPTED_APPLY, SAVED, POOL_KEPT, NODE_OFFLINE, VM_DOWN, MOVE_DEFERRED,
                     CAPACITY_N_PLUS_ONE, DRBD_FILE_DIFFERS, PERMISSIONS_UNKNOWN_NAME, IMAGE_CHANGED,
                     IMAGE_NOT_REWRITTEN:
                    return true;
                default:
                    return false;
            }
        }
    }

    /** The object a finding is about: its kind, its manifest name, and the node it was found on when that matters. */
    public record Subject(Kind kind, String name, String node) {
        public enum Kind { CLUSTER, NODE, NETWORK, STORAGE, VM }

        public Subject {
            Objects.requireNonNull(kind, "kind");
        }

        public static Subject cluster(String name) {
            return new Subject(Kind.CLUSTER, name, null);
        }

        public static Subject node(String name) {
            return new Subject(Kind.NODE, name, name);
        }

        public static Subject vm(String name, String node) {
            return new Subject(Kind.VM, name, node);
        }

        public static Subject network(String name, String node) {
            return new Subject(Kind.NETWORK, name, node);
        }

        /** A storage of a node (for file storage, its pool). */
        public static Subject storage(String name, String node) {
            return new Subject(Kind.STORAGE, name, node);
        }
    }

    /** The JSON form: the message. */
    @JsonValue
    public String message() {
        return message;
    }

    /** A finding read from a saved plan: its message, nothing else. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static PlanFinding saved(String message) {
        return new PlanFinding(Code.SAVED, Subject.cluster(null), message);
    }

    /** The message, so a finding reads in text as it did when findings were strings. */
    @Override
    public String toString() {
        return message;
    }
}
