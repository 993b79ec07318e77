package org.mcvirt.node;

/**
 * The primitive mutations apply runs on one node, one per step kind (apply.LibvirtStepRunner maps kinds to these).
 * {@link LibvirtNode} performs them through libvirt; tests use a recording fake.
 */
public interface NodePrimitives {
    void createPool(String name, String xml) throws NodeException;

    void startPool(String name) throws NodeException;

    /**
     * Stops (virStoragePoolDestroy) and undefines a storage pool; its directory and anything in it are kept. Refused,
     * changing nothing, when the pool holds volumes.
     */
    void deletePool(String name) throws NodeException;

    void createVolume(String pool, String volumeName, String xml) throws NodeException;

    void deleteVolume(String pool, String volumeName) throws NodeException;

    /** Rescans a storage pool's directory (a file written there by a command, not by libvirt). */
    void refreshPool(String name) throws NodeException;

    /** Creates the volume and uploads the local file into it; a failed upload leaves no volume. */
    void uploadVolume(String pool, String volumeName, String xml, java.nio.file.Path source,
                      java.util.function.Consumer<String> progress) throws NodeException;

    /** A volume from an image volume: a qcow2 overlay on it (linked), or a full copy grown to bytes. */
    void createVolumeFromImage(String pool, String volumeName, String xml, String imagePool, String imageVolume,
                               boolean linked, long bytes) throws NodeException;

    /** Defines, starts and autostarts the network. */
    void createNetwork(String name, String xml) throws NodeException;

    void startNetwork(String name) throws NodeException;

    /** Stops the network if it runs, then undefines it. */
    void deleteNetwork(String name) throws NodeException;

    void defineDomain(String xml) throws NodeException;

    void setLiveMemory(String name, long kib) throws NodeException;

    void attachDeviceLive(String name, String xml) throws NodeException;

    void detachDeviceLive(String name, String xml) throws NodeException;

    void setDomainAutostart(String name, boolean autostart) throws NodeException;

    void startDomain(String name) throws NodeException;

    /** Asks the guest to shut down; after the timeout powers it off. Returns true when it had to force. */
    boolean shutdownDomain(String name, long timeoutSeconds, java.util.function.Consumer<String> progress)
            throws NodeException;

    void undefineDomain(String name) throws NodeException;

    /**
     * Grows a file volume to bytes: through the domain (a live block resize of its disk at path) when it runs, else
     * through the pool. A volume already that large is left alone. Returns what it did, for the step's result.
     */
    String growVolume(String pool, String volumeName, String domain, String path, long bytes) throws NodeException;

    /** Tells a running domain that its block device at path is now bytes long; false when the domain is not running. */
    boolean blockResizeIfRunning(String domain, String path, long bytes) throws NodeException;

    /** The persistent definition as libvirt keeps it, or empty when the domain is not defined. */
    java.util.Optional<String> definition(String name) throws NodeException;

    /** The UUID of the domain of that name, or empty when there is none. */
    java.util.Optional<String> domainUuid(String name) throws NodeException;

    /** Whether the domain runs (false when it is not defined). */
    boolean domainActive(String name) throws NodeException;

    /**
     * Live migration to target. The domain then runs there as a transient domain and is still defined (inactive)
     * here: the caller defines it there and undefines it here. On failure the domain still runs here.
     */
    void migrateLive(String name, NodePrimitives target, String migrationUri, long maxDowntimeMs, boolean autoConverge,
                     java.util.function.Consumer<String> progress)
            throws NodeException;

    /**
     * Aborts the domain's job in progress (libvirt's virDomainAbortJob), here: a live migration that passed its
     * deadline. The migration call then fails and leaves the domain here.
     */
    void abortJob(String name) throws NodeException;

    /** Whether the domain is paused here (an aborted migration can leave the source paused); false when undefined. */
    boolean domainPaused(String name) throws NodeException;

    /** A new libvirt connection in place of the old one, which died when libvirtd restarted on the node. */
    void reconnect() throws NodeException;
}
