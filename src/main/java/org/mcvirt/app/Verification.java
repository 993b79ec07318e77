package org.mcvirt.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.mcvirt.model.DesiredState;
import org.mcvirt.state.ObservedState;

/** mcvirt verify and mcvirt resync: the imperative DRBD operations ({@link Replication}) under the cluster lock. */
public final class Verification {
    private final ClusterAccess access;

    public Verification(ClusterAccess access) {
        this.access = access;
    }

    /**
     * DRBD online verify of the replicated disks of the named vms (every replicated disk when vms is empty), one at a
     * time under the cluster lock, each waited for with progress within limit. Each result is recorded on both nodes
     * of the pair; an out-of-sync result marks the vm (plan and apply refuse to start it).
     */
    public List<Replication.VerifyOutcome> verify(List<String> vms, Duration limit, String command,
                                                  Consumer<String> progress) throws McvirtException {
        DesiredState desired = access.validate();
        try (Cluster cluster = access.connect(desired); ClusterLock lock = ClusterLock.acquire(cluster, command, true)) {
            List<Replication.ReplicatedDisk> disks = Replication.disks(desired, cluster.read(), vms);
            if (disks.isEmpty()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "no vm of cluster " + desired.cluster().name()
                        + " has a replicated disk on the nodes; nothing to verify");
            }
            List<Replication.VerifyOutcome> outcomes = new ArrayList<>();
            for (Replication.ReplicatedDisk disk : disks) {
                outcomes.add(Replication.verify(cluster, disk, limit, progress));
            }
            return outcomes;
        }
    }

    /**
     * Resyncs every replicated disk of a vm from sourceNode, overwriting the other node's copy, under the cluster lock.
     * confirm is asked (with the direction) before anything changes.
     */
    public List<Replication.ReplicatedDisk> resync(String vm, String sourceNode, Duration limit, String command,
                                                   Predicate<String> confirm, Consumer<String> progress)
            throws McvirtException {
        DesiredState desired = access.validate();
        try (Cluster cluster = access.connect(desired); ClusterLock lock = ClusterLock.acquire(cluster, command)) {
            ObservedState observed = cluster.read();
            List<Replication.ReplicatedDisk> disks = Replication.disks(desired, observed, List.of(vm));
            boolean running = observed.nodes().stream().flatMap(n -> n.domains().stream())
                    .anyMatch(d -> d.managed() && d.metadata().name().equals(vm)
                            && d.metadata().cluster().equals(desired.cluster().name()) && d.active());
            for (Replication.ReplicatedDisk disk : disks) {
                if (!disk.pair().contains(sourceNode)) {
                    throw new McvirtException(McvirtException.Category.REFUSED, "node " + sourceNode + " is not in the"
                            + " DRBD pair of vm " + vm + " (" + String.join(", ", disk.pair()) + "); nothing was changed");
                }
            }
            String peer = disks.get(0).peerOf(sourceNode);
            String question = "Resync vm " + vm + " from " + sourceNode + ": the copy on " + peer + " of "
                    + disks.stream().map(d -> d.disk() + " (" + d.resource() + ")").reduce((a, b) -> a + ", " + b)
                    .orElse("") + " is overwritten with " + sourceNode + "'s. Go on?";
            if (!confirm.test(question)) {
                throw new McvirtException(McvirtException.Category.REFUSED, "resync cancelled; nothing was changed");
            }
            for (Replication.ReplicatedDisk disk : disks) {
                Replication.resync(cluster, disk, sourceNode, running, limit, progress);
            }
            return disks;
        }
    }
}
