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
 * and libvirtd's access driver there (each null when mcvirt has none on the node); files are the base images,
 * installer ISOs and cloud-init seeds in the cluster's pools there (empty when none, or the node was not read).
 */
public record NodeInfo(String node, String address, boolean reachable, String error, String libvirtVersion,
                       String hypervisorVersion, String drbdKernel, String drbdUtilities, int vmsManaged,
                       int vmsUnmanaged, int vmsRunning, String lock, List<DrbdResource> drbdResources,
                       List<String> drbdErrors, String lastApply, Memory memory, String state,
                       @com.fasterxml.jackson.annotation.JsonInclude(
                               com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String verifySchedule,
                       @com.fasterxml.jackson.annotation.JsonInclude(
                               com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String permissions,
                       List<File> files) {
    public NodeInfo {
        drbdResources = drbdResources == null ? List.of() : List.copyOf(drbdResources);
        drbdErrors = drbdErrors == null ? List.of() : List.copyOf(drbdErrors);
        state = state == null ? "online" : state;
        files = files == null ? List.of() : List.copyOf(files);
    }

    /** Without files in mcvirt's pools. */
    public NodeInfo(String node, String address, boolean reachable, String error, String libvirtVersion,
                    String hypervisorVersion, String drbdKernel, String drbdUtilities, int vmsManaged,
                    int vmsUnmanaged, int vmsRunning, String lock, List<DrbdResource> drbdResources,
                    List<String> drbdErrors, String lastApply, Memory memory, String state, String verifySchedule,
                    String permissions) {
        this(node, address, reachable, error, libvirtVersion, hypervisorVersion, drbdKernel, drbdUtilities, vmsManaged,
                vmsUnmanaged, vmsRunning, lock, drbdResources, drbdErrors, lastApply, memory, state, verifySchedule,
                permissions, List.of());
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
     * A base image, installer ISO or cloud-init seed mcvirt keeps in a pool of the cluster on this node (see
     * {@link org.mcvirt.model.PoolFile}): kind is image, iso or seed; name the image's or ISO's name, or the seed's vm;
     * digest the 12 hex digits of its volume name; format qcow2, raw or iso; capacityBytes libvirt's capacity of the
     * volume (a qcow2 image's virtual size, else the file's size). inManifest: the manifest declares the image or ISO
     * with that digest, format and storage, or has the seed's vm; a file not in it is left over (an old image may still
     * be the backing file of a linked clone's disk).
     */
    public record File(String kind, String name, String digest, String format, long capacityBytes, String pool,
                       String path, boolean inManifest) {
        /**
         * "image debian-12 (3f2a9c1b7d4e, qcow2, 2.0 GiB virtual) in pool mcvirt.c.images:
         * /img/image.debian-12.3f2a9c1b7d4e.qcow2, in the manifest", with "NOT in the manifest (left over)" when not.
         */
        public String describe() {
            return kind + " " + name + " (" + digest + ", " + format + ", " + Sizes.approximate(capacityBytes)
                    + ("qcow2".equals(format) ? " virtual" : "") + ") in pool " + pool + ": "
                    + (path == null ? "-" : path) + ", " + (inManifest ? "in the manifest"
                    : "NOT in the manifest (left over)");
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
