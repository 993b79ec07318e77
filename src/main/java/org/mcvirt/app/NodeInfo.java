package org.mcvirt.app;

import java.util.List;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.VerifyRecord;

/**
 * What {@code mcvirt info} shows for one node. Fields other than node, address and reachable are null when
 * they could not be read; error says why. drbdResources lists every DRBD resource volume the node's kernel has, and
 * every resource with a verify record, sorted by name; drbdErrors say what of DRBD could not be read; lastApply
 * describes an apply that stopped part-way with a step on this node, or is null.
 */
public record NodeInfo(String node, String address, boolean reachable, String error, String libvirtVersion,
                       String hypervisorVersion, String drbdKernel, String drbdUtilities, int vmsManaged,
                       int vmsUnmanaged, int vmsRunning, String lock, List<DrbdResource> drbdResources,
                       List<String> drbdErrors, String lastApply) {
    public NodeInfo {
        drbdResources = drbdResources == null ? List.of() : List.copyOf(drbdResources);
        drbdErrors = drbdErrors == null ? List.of() : List.copyOf(drbdErrors);
    }

    /**
     * One DRBD resource volume on this node. name is null for a minor the kernel has but drbdsetup did not name;
     * the states are null for a resource that is not up here (it has only a verify record). sync is set while a
     * resync or verify runs; lastVerify is mcvirt's record of the last online verify, or null.
     */
    public record DrbdResource(String name, Integer volume, Integer minor, String backingDisk, String peerAddress,
                               String connectionState, String role, String peerRole, String diskState,
                               String peerDiskState, Long outOfSyncKiB, ObservedDrbd.Sync sync,
                               VerifyRecord lastVerify) {
    }
}
