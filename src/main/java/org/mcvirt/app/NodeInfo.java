package org.mcvirt.app;

/**
 * What {@code mcvirt info} shows for one node. Fields other than node, address and reachable are null when
 * they could not be read; error says why.
 */
public record NodeInfo(String node, String address, boolean reachable, String error, String libvirtVersion,
                       String hypervisorVersion, String drbdKernel, String drbdUtilities, int vmsManaged,
                       int vmsUnmanaged, int vmsRunning, String lock) {
}
