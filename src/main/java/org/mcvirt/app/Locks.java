package org.mcvirt.app;

import java.util.List;

/**
 * mcvirt lock status and lock break, and the one way a use case runs under the cluster lock ({@link #holding}).
 */
public final class Locks {
    private final ClusterAccess access;

    public Locks(ClusterAccess access) {
        this.access = access;
    }

    /** The lock on every node. Read-only: takes no lock. */
    public List<ClusterLock.NodeLock> status() throws McvirtException {
        try (Cluster cluster = access.connect(access.validate())) {
            return ClusterLock.status(cluster);
        }
    }

    /**
     * Removes the locks shown (by {@link #status()}) on every node, each only if it is still the lock shown (same
     * holder token, or the same text of a damaged file); refuses an active holder unless forced.
     */
    public ClusterLock.Broken breakLock(List<ClusterLock.NodeLock> shown, boolean force) throws McvirtException {
        if (!force) {
            for (ClusterLock.NodeLock lock : shown) {
                if (lock.holder() != null && ClusterLock.isActive(lock.holder())) {
                    throw new McvirtException(McvirtException.Category.REFUSED, "the lock on node " + lock.node()
                            + " is held by " + ClusterLock.describe(lock.holder()) + "; "
                            + ClusterLock.state(lock.holder()) + ". Not breaking an active lock without --force");
                }
            }
        }
        try (Cluster cluster = access.connect(access.validate())) {
            return LockBreak.breakLock(LockNodes.of(cluster), shown);
        }
    }

    /** Work done while the cluster lock is held. */
    @FunctionalInterface
    interface Locked<T> {
        T run(ClusterLock lock) throws McvirtException;
    }

    /**
     * Runs work under the cluster lock, released when it ends. When work fails and the lock could not be released on
     * a node that stopped answering, the error says where it was left and how to clear it.
     */
    static <T> T holding(Cluster cluster, String command, Locked<T> work) throws McvirtException {
        try (ClusterLock lock = ClusterLock.acquire(cluster, command)) {
            try {
                return work.run(lock);
            } catch (McvirtException e) {
                lock.close();
                if (lock.leftOn().isEmpty()) {
                    throw e;
                }
                throw new McvirtException(e.category(), e.getMessage() + "\nThe cluster lock is left on "
                        + String.join(", ", lock.leftOn()) + ", which did not answer: once it does, check 'mcvirt lock"
                        + " status' and run 'mcvirt lock break'.", e);
            }
        }
    }
}
