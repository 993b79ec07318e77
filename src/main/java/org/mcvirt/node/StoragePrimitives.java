package org.mcvirt.node;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The LVM and DRBD operations apply runs for replicated disks, each idempotent ({@link DrbdNode} on a real node).
 * An interface so the step runner can be tested with a recording fake.
 */
public interface StoragePrimitives {
    boolean createLogicalVolume(String volumeGroup, String name, long bytes, String tag) throws NodeException;

    boolean growLogicalVolume(String volumeGroup, String name, long bytes, String tag) throws NodeException;

    /**
     * drbdadm resize to the grown backing disks; returns the new size of the device in bytes, checked to be at least
     * minimumBytes (a resource already that large is left as it is).
     */
    long resize(int minor, String resource, long minimumBytes) throws NodeException;

    boolean removeLogicalVolume(String volumeGroup, String name, String tag) throws NodeException;

    void writeResourceFile(String configDirectory, String stateDirectory, String resource, String text)
            throws NodeException;

    void removeResourceFile(String configDirectory, String resource) throws NodeException;

    boolean createMetadata(String resource) throws NodeException;

    void up(String resource) throws NodeException;

    boolean startInitialSync(int minor, String resource) throws NodeException;

    void awaitInSync(int minor, String resource, Duration limit, Consumer<String> progress) throws NodeException;

    void promote(int minor, String resource) throws NodeException;

    void demote(int minor, String resource) throws NodeException;

    void down(String resource) throws NodeException;

    void wipeMetadata(String resource) throws NodeException;

    /** Removes mcvirt's verify record of a deleted resource, so a later resource of that name starts unmarked. */
    void forgetVerify(String stateDirectory, String resource) throws NodeException;

    /**
     * Keeps a copy of a domain's definition in the state directory ({@code domains/NAME.xml}, mode 0600), so a vm
     * defined on no node can be registered again.
     */
    void saveDefinition(String stateDirectory, String domain, String xml) throws NodeException;

    /** The saved copy of a domain's definition, or empty. */
    java.util.Optional<String> readDefinition(String stateDirectory, String domain) throws NodeException;

    /** Removes the saved copy of a deleted vm's definition (none is fine). */
    void forgetDefinition(String stateDirectory, String domain) throws NodeException;

    /**
     * Allows or forbids both nodes being Primary (DRBD 8.4: net-options on one node reach the peer). Forbidding
     * fails while both are Primary.
     */
    void allowTwoPrimaries(String resource, boolean allow) throws NodeException;

    /**
     * The downtime of the last migration that completed into domain on this node, as libvirt reports it
     * ({@code virsh domjobinfo --completed}: "Total downtime"), e.g. "35 ms"; null when libvirt does not say.
     */
    String completedMigrationDowntime(String domain) throws NodeException;
}
