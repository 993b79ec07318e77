package org.mcvirt.app;

import java.util.List;

/**
 * What {@code mcvirt info VM} shows. pendingRestart lists what the running VM has not picked up yet; health the
 * findings on its replicated disks ({@link org.mcvirt.state.DiskHealth}), each with its fix.
 */
public record VmInfo(String name, String node, boolean managed, boolean inManifest, String runState, int cpus,
                     String memory, boolean autostart, List<Disk> disks, List<Nic> nics, Integer vncPort,
                     List<String> pendingRestart, List<String> health) {
    public VmInfo {
        health = health == null ? List.of() : List.copyOf(health);
        disks = List.copyOf(disks);
        nics = List.copyOf(nics);
        pendingRestart = List.copyOf(pendingRestart);
    }

    /** drbd is the state of the DRBD resource behind a /dev/drbdN (or by-res) source on the vm's node, or null. */
    public record Disk(String name, String target, String bus, String source, String size,
                       NodeInfo.DrbdResource drbd) {
    }

    public record Nic(String mac, String network) {
    }
}
