package org.mcvirt.node;

/**
 * The LVM operations apply runs for replicated disks, each idempotent ({@link LvmNode} on a real node). An interface
 * so the step runner can be tested with a recording fake.
 */
public interface LvmPrimitives {
    boolean createLogicalVolume(String volumeGroup, String name, long bytes, String tag) throws NodeException;

    boolean growLogicalVolume(String volumeGroup, String name, long bytes, String tag) throws NodeException;

    boolean removeLogicalVolume(String volumeGroup, String name, String tag) throws NodeException;
}
