package org.mcvirt.app;

import java.util.List;
import org.mcvirt.model.Sizes;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.VerifyRecord;

/**
 * What {@code mcvirt info} shows for one node. Fields other than node, address and reachable are null when
 * they could not be read; error says why. drbdResources lists every DRBD resource volume the node's kernel has, and
 * every resource with a verify record, sorted by name; drbdErrors say what of DRBD could not be read; lastApply
 * describes an apply that stopped part-way with a step on this node, or is null; memory is its N+1 headroom; state is
 * the manifest's (online, maintenance, offline: a node declared offline is not contacted, so only its name, address and
 * state are known); verifySchedule is the scheduled verify's next and last run, permissions the cluster's polkit rules
 * and libvirtd's access driver there (each null when mcvirt has none on the node).
 */
public record NodeInfo(String node, String address, boolean reachable, String error, String libvirtVersion,
                       String hypervisorVersion, String drbdKernel, String drbdUtilities, int vmsManaged,
                       int vmsUnmanaged, int vmsRunning, String lock, List<DrbdResource> drbdResources,
                       List<String> drbdErrors, String lastApply, Memory memory, String state,
                       @com.fasterxml.jackson.annotation.JsonInclude(
                               com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String verifySchedule,
                       @com.fasterxml.jackson.annotation.JsonInclude(
                               com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String permissions) {
    public NodeInfo {
        drbdResources = drbdResources == null ? List.of() : List.copyOf(drbdResources);
        drbdErrors = drbdErrors == null ? List.of() : List.copyOf(drbdErrors);
        state = state == null ? "online" : state;
    }

    /** Without mcvirt's permissions on the node. */
    public NodeInfo(String node, String address, boolean reachable, String error, String libvirtVersion,
                    String hypervisorVersion, String drbdKernel, String drbdUtilities, int vmsManaged,
                    int vmsUnmanaged, int vmsRunning, String lock, List<DrbdResource> drbdResources,
                    List<String> drbdErrors, String lastApply, Memory memory, String state, String verifySchedule) {
        this(node, address, reachable, error, libvirtVersion, hypervisorVersion, drbdKernel, drbdUtilities, vmsManaged,
                vmsUnmanaged, vmsRunning, lock, drbdResources, drbdErrors, lastApply, memory, state, verifySchedule,
                null);
    }

    /** Without a scheduled verify. */
    public NodeInfo(String node, String address, boolean reachable, String error, String libvirtVersion,
                    String hypervisorVersion, String drbdKernel, String drbdUtilities, int vmsManaged,
                    int vmsUnmanaged, int vmsRunning, String lock, List<DrbdResource> drbdResources,
                    List<String> drbdErrors, String lastApply, Memory memory, String state) {
        this(node, address, reachable, error, libvirtVersion, hypervisorVersion, drbdKernel, drbdUtilities, vmsManaged,
                vmsUnmanaged, vmsRunning, lock, drbdResources, drbdErrors, lastApply, memory, state, null);
    }

    /** An online node's info (the state the manifest gives by default). */
    public NodeInfo(String node, String address, boolean reachable, String error, String libvirtVersion,
                    String hypervisorVersion, String drbdKernel, String drbdUtilities, int vmsManaged,
                    int vmsUnmanaged, int vmsRunning, String lock, List<DrbdResource> drbdResources,
                    List<String> drbdErrors, String lastApply, Memory memory) {
        this(node, address, reachable, error, libvirtVersion, hypervisorVersion, drbdKernel, drbdUtilities, vmsManaged,
                vmsUnmanaged, vmsRunning, lock, drbdResources, drbdErrors, lastApply, memory, "online");
    }

    /** Whether the node should have been read and could not be: a node declared offline is not contacted. */
    public boolean failed() {
        return !reachable && !"offline".equals(state);
    }

    /**
     * The node's memory against the manifest's running vms (see {@code plan.Capacity}): totalBytes is the host's
     * MemTotal (null when not read); runningVmsBytes the memory of the running vms whose home it is; ifFailed the pair
     * peer whose failure would move the most running vms' memory to it (null when no peer's failure moves any);
     * neededBytes what it would run then (runningVmsBytes when ifFailed is null); headroomBytes total minus needed,
     * negative when it would not fit (null when the total was not read).
     */
    public record Memory(Long totalBytes, long runningVmsBytes, String ifFailed, long neededBytes, Long headroomBytes) {
        /**
         * "15.6 GiB total, 1.0 GiB for its running vms, 3.0 GiB if node1 failed: headroom 12.6 GiB", with
         * "SHORT by 0.5 GiB" in place of the headroom when it would not fit.
         */
        public String describe() {
            String text = (totalBytes == null ? "total not read" : Sizes.approximate(totalBytes) + " total") + ", "
                    + Sizes.approximate(runningVmsBytes) + " for its running vms"
                    + (ifFailed == null ? "" : ", " + Sizes.approximate(neededBytes) + " if " + ifFailed + " failed");
            if (headroomBytes == null) {
                return text;
            }
            return text + ": " + (headroomBytes < 0 ? "SHORT by " + Sizes.approximate(-headroomBytes)
                    + " (headroom " + Sizes.approximate(headroomBytes) + ")" : "headroom " + Sizes.approximate(headroomBytes));
        }
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
