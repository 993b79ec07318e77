package org.mcvirt.node;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The DRBD operations apply runs for replicated disks, each idempotent ({@link DrbdNode} on a real node). An
 * interface so the step runner can be tested with a recording fake.
 */
public interface DrbdPrimitives {
    /**
     * drbdadm resize to the grown backing disks; returns the new size of the device in bytes, checked to be at least
     * minimumBytes (a resource already that large is left as it is).
     */
    long resize(int minor, String resource, long minimumBytes) throws NodeException;

    void writeResourceFile(String configDirectory, String stateDirectory, String resource, String text)
            throws NodeException;

    void removeResourceFile(String configDirectory, String resource) throws NodeException;

    boolean createMetadata(String resource) throws NodeException;

    void up(String resource) throws NodeException;

    boolean startInitialSync(int minor, String resource) throws NodeException;

    void awaitInSync(int minor, String resource, Duration limit, Consumer<String> progress) throws NodeException;

    void promote(int minor, String resource) throws NodeException;

    /**
     * Makes the resource primary here although its copy is not UpToDate ({@code drbdadm primary --force}): a failover
     * onto a stale copy the operator accepted.
     */
    void forcePromote(int minor, String resource) throws NodeException;

    /**
     * On a node coming back after its vms failed over: makes its copy of the resource the stale one and connects it to
     * the peer, which overwrites it ({@code drbdadm connect --discard-my-data}, from StandAlone; attached first when it
     * is not up). A copy already connected as the sync target, or in sync, is left as it is; one that would be the
     * sync source is refused.
     */
    void rejoinDiscardingHere(int minor, String resource) throws NodeException;

    /**
     * Disconnects the resource here when it waits for its peer (WFConnection and the like), so that a returning peer
     * with a stale copy cannot handshake before it is told to discard it (the survivor's side).
     */
    void disconnectUnlessConnected(int minor, String resource) throws NodeException;

    /** Connects the resource here when it is StandAlone (the survivor's side, after a split). */
    void connectIfStandAlone(int minor, String resource) throws NodeException;

    /** Waits until the resource here is connected to its peer (in sync or resyncing), at most limit. */
    void awaitConnected(int minor, String resource, Duration limit) throws NodeException;

    void demote(int minor, String resource) throws NodeException;

    void down(String resource) throws NodeException;

    void wipeMetadata(String resource) throws NodeException;

    /** Removes mcvirt's verify record of a deleted resource, so a later resource of that name starts unmarked. */
    void forgetVerify(String stateDirectory, String resource) throws NodeException;

    /**
     * Installs the scheduled verify: the program's copy (mode 0600, in a directory for root only), the service and
     * timer units (mode 0644), systemd reloaded, the timer enabled and restarted (re-armed on its schedule).
     */
    void installVerifySchedule(String timerUnit, String programPath, String program, String servicePath,
                               String service, String timerPath, String timer) throws NodeException;

    /** Removes the scheduled verify: the timer disabled and stopped, its run stamp cleaned, the files removed. */
    void removeVerifySchedule(String timerUnit, java.util.List<String> paths) throws NodeException;

    /**
     * Allows or forbids both nodes being Primary (DRBD 8.4: net-options on one node reach the peer). Forbidding
     * fails while both are Primary.
     */
    void allowTwoPrimaries(String resource, boolean allow) throws NodeException;
}
