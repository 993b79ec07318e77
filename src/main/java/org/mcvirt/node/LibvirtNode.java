package org.mcvirt.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.Error;
import org.libvirt.LibvirtException;
import org.libvirt.Library;
import org.libvirt.Network;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * One node's libvirt, through libvirt-java over the native library. The only class that calls libvirt: it
 * returns raw XML and flags for the state readers and performs the primitive mutations the executor asks for.
 */
public final class LibvirtNode implements NodePrimitives, AutoCloseable {
    private static final int XML_INACTIVE = 2;
    private static final int UNDEFINE_NVRAM = 4;
    private static final int DEVICE_LIVE = 1;
    private static final long PROGRESS_SECONDS = 10;

    /** libvirt prints every error to stderr unless told otherwise; mcvirt reports errors itself. Kept in a
     *  static field so JNA's callback is never garbage collected. */
    private static final org.libvirt.ErrorCallback SILENT = new org.libvirt.ErrorCallback();

    static {
        try {
            Connect.setErrorCallback(SILENT);
        } catch (LibvirtException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            // without the native library open() reports the real problem
        }
    }

    private final String node;
    private final String uri;
    /** Replaced by {@link #reconnect()} after libvirtd restarted on the node. */
    private volatile NodeConnect connect;
    private final Duration keepAliveBudget;
    /** A call into libvirt under way and when it started. */
    private record Call(String what, long started) {
    }

    /**
     * The call in progress on each thread (steps of different vms may run at once on one node), so a stalled node can
     * be reported with what it stalled in: the one that has waited longest.
     */
    private final Map<Thread, Call> currentCalls = new java.util.concurrent.ConcurrentHashMap<>();
    /** Calls into libvirt that have not returned yet, on any thread (a migration abandoned at its deadline among them). */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    private LibvirtNode(String node, String uri, NodeConnect connect, Duration keepAliveBudget) {
        this.node = node;
        this.uri = uri;
        this.connect = connect;
        this.keepAliveBudget = keepAliveBudget;
    }

    /** Opens a connection without keepalive (for tests and one-off checks). */
    public static LibvirtNode open(String node, String uri) throws NodeException {
        return open(node, uri, null);
    }

    /**
     * Opens a connection. With a keepalive budget, libvirt sends keepalive probes and closes the connection when the
     * node has not answered for about that long, so a call blocked on a node that froze fails instead of waiting
     * forever. Drivers without keepalive (local, test) ignore it.
     */
    public static LibvirtNode open(String node, String uri, Duration keepAliveBudget) throws NodeException {
        Objects.requireNonNull(uri, "uri");
        return new LibvirtNode(node, uri, connection(node, uri, keepAliveBudget), keepAliveBudget);
    }

    /** A new connection to uri, with keepalive when a budget is given. */
    private static NodeConnect connection(String node, String uri, Duration keepAliveBudget) throws NodeException {
        try {
            if (keepAliveBudget != null) {
                EventLoop.ensureRunning();
            }
            NodeConnect connect = new NodeConnect(uri);
            if (keepAliveBudget != null) {
                int[] keepAlive = keepAlive(keepAliveBudget);
                try {
                    connect.setKeepAlive(keepAlive[0], keepAlive[1]);
                } catch (LibvirtException e) {
                    // in-process drivers (test:///) have no connection to keep alive; the deadlines still hold
                    if (e.getError() == null || e.getError().getCode() != Error.ErrorNumber.VIR_ERR_NO_SUPPORT) {
                        throw e;
                    }
                }
            }
            return connect;
        } catch (LibvirtException e) {
            throw new NodeException(node, "cannot connect to libvirt at " + uri + ": " + message(e), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new NodeException(node, "cannot load the libvirt native library (install libvirt0): " + e.getMessage(), e);
        }
    }

    /** libvirt's keepalive interval (seconds) and count for a budget: about count+1 intervals before it gives up. */
    static int[] keepAlive(Duration budget) {
        int count = 3;
        int interval = (int) Math.max(1, Math.min(15, budget.toSeconds() / (count + 1)));
        return new int[] {interval, count};
    }

    public String node() {
        return node;
    }

    /** The call in progress, with how long it has run ("list domains (for 12.5s)"), or null when idle. */
    public String activity() {
        Call oldest = currentCalls.values().stream().min(java.util.Comparator.comparingLong(Call::started))
                .orElse(null);
        return oldest == null ? null : oldest.what() + " (for " + Deadline.describe(Duration.ofNanos(System.nanoTime()
                - oldest.started())) + ")";
    }

    public String uri() {
        return uri;
    }

    /**
     * Whether a call into libvirt through this node has not returned yet. Its connection (and the peer's, which a live
     * migration uses too) must then not be closed: libvirt would be left with freed connections under a running call.
     */
    public boolean busy() {
        return inFlight.get() > 0;
    }

    /** A domain's persistent definition, live definition and flags. */
    public record DomainRecord(String name, String uuid, boolean active, String runState, boolean persistent,
                               boolean autostart, String inactiveXml, String liveXml) {
    }

    public record NetworkRecord(String name, boolean active, boolean persistent, boolean autostart, String xml) {
    }

    public record VolumeRecord(String name, String path, long capacityBytes) {
    }

    /** A storage pool; error is set (and the rest may be empty) when it could not be read. */
    public record PoolRecord(String name, boolean active, boolean autostart, String xml, List<VolumeRecord> volumes,
                             String error) {
    }

    public String libvirtVersion() throws NodeException {
        return call("read the libvirt version", () -> version(connect.getLibVersion()));
    }

    public String hypervisorVersion() throws NodeException {
        return call("read the hypervisor version", () -> connect.getType() + " " + version(connect.getVersion()));
    }

    public List<DomainRecord> domains() throws NodeException {
        List<String> all = call("list domains", connect::allDomainNames);
        if (all != null) {
            List<DomainRecord> result = new ArrayList<>(all.size());
            for (String name : all) {
                DomainRecord domain = call("read domain " + name, () -> {
                    Domain found = lookupByName(name);
                    try {
                        return found == null ? null : record(found);
                    } catch (LibvirtException e) {
                        if (isNoDomain(e)) {
                            return null; // undefined while it was read
                        }
                        throw e;
                    }
                });
                if (domain != null) {
                    result.add(domain);
                }
            }
            return result;
        }
        int[] ids = call("list running domains", connect::listDomains);
        List<DomainRecord> result = new ArrayList<>();
        for (int id : ids) {
            DomainRecord running = call("read running domain " + id, () -> {
                Domain domain = lookupById(id);
                return domain == null ? null : record(domain);
            });
            if (running != null) {
                result.add(running);
            }
        }
        for (String name : call("list defined domains", connect::listDefinedDomains)) {
            result.add(call("read domain " + name, () -> record(connect.domainLookupByName(name))));
        }
        return result;
    }

    /** The domain, or null when it went away between list and lookup; any other failure is the node's. */
    private Domain lookupByName(String name) throws LibvirtException {
        try {
            return connect.domainLookupByName(name);
        } catch (LibvirtException e) {
            if (isNoDomain(e)) {
                return null; // undefined (or a transient one stopped) since the list
            }
            throw e;
        }
    }

    private Domain lookupById(int id) throws LibvirtException {
        try {
            return connect.domainLookupByID(id);
        } catch (LibvirtException e) {
            if (isNoDomain(e)) {
                return null; // stopped between list and lookup: it is listed by name next
            }
            throw e;
        }
    }

    private static boolean isNoDomain(LibvirtException e) {
        return e.getError() != null && e.getError().getCode() == Error.ErrorNumber.VIR_ERR_NO_DOMAIN;
    }

    private static DomainRecord record(Domain domain) throws LibvirtException {
        boolean active = domain.isActive() == 1;
        DomainInfo.DomainState state = domain.getInfo().state;
        String runState = switch (state) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> "running";
            case VIR_DOMAIN_PAUSED -> "paused";
            case VIR_DOMAIN_SHUTDOWN -> "shutting-down";
            case VIR_DOMAIN_SHUTOFF -> "shut-off";
            case VIR_DOMAIN_CRASHED -> "crashed";
            default -> "unknown";
        };
        boolean persistent = domain.isPersistent() == 1;
        return new DomainRecord(domain.getName(), domain.getUUIDString(), active, runState, persistent,
                persistent && domain.getAutostart(), domain.getXMLDesc(persistent ? XML_INACTIVE : 0),
                active ? domain.getXMLDesc(0) : null);
    }

    public List<NetworkRecord> networks() throws NodeException {
        List<String> names = call("list networks", () -> {
            List<String> all = new ArrayList<>(List.of(connect.listNetworks()));
            all.addAll(List.of(connect.listDefinedNetworks()));
            return all;
        });
        List<NetworkRecord> result = new ArrayList<>();
        for (String name : names) {
            result.add(call("read network " + name, () -> {
                Network network = connect.networkLookupByName(name);
                boolean persistent = network.isPersistent() == 1;
                return new NetworkRecord(name, network.isActive() == 1, persistent,
                        persistent && network.getAutostart(), network.getXMLDesc(0));
            }));
        }
        return result;
    }

    /**
     * Every storage pool. Only the pools {@code ours} accepts are refreshed (a refresh that fails stops the pool in
     * libvirt, and reading must not change someone else's pool); a pool that cannot be read is returned with its
     * error instead of failing the whole node.
     */
    public List<PoolRecord> pools(Predicate<String> ours) throws NodeException {
        List<String> names = call("list storage pools", () -> {
            List<String> all = new ArrayList<>(List.of(connect.listStoragePools()));
            all.addAll(List.of(connect.listDefinedStoragePools()));
            return all;
        });
        List<PoolRecord> result = new ArrayList<>();
        for (String name : names) {
            String xml = null;
            boolean active = false;
            boolean autostart = false;
            try {
                StoragePool pool = call("look up storage pool " + name, () -> connect.storagePoolLookupByName(name));
                active = call("read state of storage pool " + name, pool::isActive) == 1;
                autostart = call("read autostart of storage pool " + name, pool::getAutostart);
                xml = call("read storage pool " + name, () -> pool.getXMLDesc(0));
                List<VolumeRecord> volumes = new ArrayList<>();
                if (active) {
                    if (ours.test(name)) {
                        run("refresh storage pool " + name, () -> pool.refresh(0));
                    }
                    for (String volumeName : call("list volumes of storage pool " + name, pool::listVolumes)) {
                        volumes.add(call("read volume " + volumeName + " of storage pool " + name, () -> {
                            StorageVol volume = pool.storageVolLookupByName(volumeName);
                            return new VolumeRecord(volumeName, volume.getPath(), volume.getInfo().capacity);
                        }));
                    }
                }
                result.add(new PoolRecord(name, active, autostart, xml, volumes, null));
            } catch (NodeException e) {
                if (e.unresponsive()) {
                    throw e;
                }
                String prefix = "node " + node + ": ";
                result.add(new PoolRecord(name, active, autostart, xml, List.of(),
                        e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage()));
            }
        }
        return result;
    }

    // ---- mutations: each is one primitive the executor runs for one step ----

    public void defineDomain(String xml) throws NodeException {
        run("define domain", () -> connect.domainDefineXML(xml));
    }

    public void startDomain(String name) throws NodeException {
        run("start domain " + name, () -> connect.domainLookupByName(name).create());
    }

    /**
     * Asks the guest to shut down (ACPI); after the timeout powers it off. Returns true when it had to force. While
     * it waits, progress hears every few seconds how long it has waited.
     */
    public boolean shutdownDomain(String name, long timeoutSeconds, Consumer<String> progress) throws NodeException {
        Domain domain = call("look up domain " + name, () -> connect.domainLookupByName(name));
        run("shut down domain " + name, domain::shutdown);
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long nextReport = start + TimeUnit.SECONDS.toNanos(PROGRESS_SECONDS);
        while (System.nanoTime() < deadline) {
            if (call("read state of domain " + name, () -> domain.isActive()) == 0) {
                return false;
            }
            if (System.nanoTime() >= nextReport) {
                progress.accept("waiting for the guest to shut down: " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime()
                        - start) + "s of " + timeoutSeconds + "s");
                nextReport += TimeUnit.SECONDS.toNanos(PROGRESS_SECONDS);
            }
            sleep(250);
        }
        run("power off domain " + name + " after " + timeoutSeconds + "s", domain::destroy);
        return true;
    }

    /**
     * Undefines a domain (and its NVRAM file). A managed-save image (the saved memory of a guest that was running) is
     * never discarded here: a domain that has one is refused before anything changes, and without
     * VIR_DOMAIN_UNDEFINE_MANAGED_SAVE libvirt itself refuses too if one appears in between.
     */
    public void undefineDomain(String name) throws NodeException {
        Domain domain = call("look up domain " + name, () -> connect.domainLookupByName(name));
        if (call("check domain " + name + " for a managed-save image", domain::hasManagedSaveImage) == 1) {
            throw new NodeException(node, "domain " + name + " has a managed-save image (the saved memory of a guest"
                    + " that was running), which undefining would discard; mcvirt does not: start the vm to resume it,"
                    + " or remove the image with 'virsh managedsave-remove " + name + "' on node " + node
                    + ", then apply again", null);
        }
        run("undefine domain " + name, () -> domain.undefine(UNDEFINE_NVRAM));
    }

    /** The persistent definition of a domain as libvirt keeps it (with what libvirt added), or empty. */
    public java.util.Optional<String> definition(String name) throws NodeException {
        return call("read the definition of domain " + name, () -> {
            try {
                return java.util.Optional.of(connect.domainLookupByName(name).getXMLDesc(XML_INACTIVE));
            } catch (LibvirtException e) {
                if (isNoDomain(e)) {
                    return java.util.Optional.empty();
                }
                throw e;
            }
        });
    }

    /** The UUID of a domain defined here, or empty when there is none of that name. */
    public java.util.Optional<String> domainUuid(String name) throws NodeException {
        return call("look up domain " + name, () -> {
            try {
                return java.util.Optional.of(connect.domainLookupByName(name).getUUIDString());
            } catch (LibvirtException e) {
                if (isNoDomain(e)) {
                    return java.util.Optional.empty();
                }
                throw e;
            }
        });
    }

    /** Whether the domain runs here (false when it is not defined). */
    public boolean domainActive(String name) throws NodeException {
        return call("read state of domain " + name, () -> {
            try {
                return connect.domainLookupByName(name).isActive() == 1;
            } catch (LibvirtException e) {
                if (isNoDomain(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public void abortJob(String name) throws NodeException {
        run("abort the job of domain " + name, () -> connect.domainLookupByName(name).abortJob());
    }

    @Override
    public boolean domainPaused(String name) throws NodeException {
        return call("read state of domain " + name, () -> {
            Domain domain = lookupByName(name);
            return domain != null && domain.getInfo().state == DomainInfo.DomainState.VIR_DOMAIN_PAUSED;
        });
    }

    /**
     * Migrates the running domain live to target, where it runs transient (libvirt's LIVE, client-managed: this
     * process holds both connections, and qemu sends the memory directly to migrationUri, {@code tcp://ADDRESS} of the
     * target; the caller then defines it there and undefines it here), with QEMU's pause at the end kept under
     * maxDowntimeMs and, with autoConverge, the vCPUs slowed while memory is dirtied faster than it is sent. While it runs, progress hears every few
     * seconds how much memory is sent. On failure libvirt leaves the domain running here.
     */
    public void migrateLive(String name, NodePrimitives targetNode, String migrationUri, long maxDowntimeMs,
                            boolean autoConverge, Consumer<String> progress) throws NodeException {
        if (!(targetNode instanceof LibvirtNode target)) {
            throw new IllegalArgumentException("a live migration needs libvirt on both nodes");
        }
        Domain domain = call("look up domain " + name, () -> connect.domainLookupByName(name));
        // neither PERSIST_DEST nor UNDEFINE_SOURCE: libvirt writes the target's definition before it resumes the vm,
        // inside the downtime (a libvirtd trace on the lab: the target's Finish took 179 ms to resume it with the flag,
        // 95 ms without); the caller defines and undefines once the vm runs
        long flags = org.libvirt.Domain.MigrateFlags.LIVE
                | (autoConverge ? org.libvirt.Domain.MigrateFlags.AUTO_CONVERGE : 0);
        // QEMU's downtime-limit, set before the migration starts: libvirt keeps it for the migration that follows
        run("set the maximum downtime of domain " + name + " to " + maxDowntimeMs + " ms",
                () -> domain.migrateSetMaxDowntime(maxDowntimeMs));
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread reporter = new Thread(() -> {
            long start = System.nanoTime();
            while (running.get()) {
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(PROGRESS_SECONDS));
                    if (!running.get()) {
                        return;
                    }
                    org.libvirt.DomainJobInfo job = domain.getJobInfo();
                    progress.accept("migrating: " + (job.getMemProcessed() >> 20) + " MiB of memory sent, "
                            + (job.getMemRemaining() >> 20) + " MiB left, after "
                            + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + "s");
                } catch (InterruptedException | LibvirtException | RuntimeException e) {
                    return; // progress is best effort
                }
            }
        }, "mcvirt-" + node + "-migrate-progress");
        reporter.setDaemon(true);
        reporter.start();
        try {
            call("migrate domain " + name + " live to node " + target.node() + " (" + migrationUri + ")",
                    () -> domain.migrate(target.connect, flags, null, null, migrationUri, 0));
        } finally {
            running.set(false);
            reporter.interrupt();
        }
    }

    public void setDomainAutostart(String name, boolean autostart) throws NodeException {
        run("set autostart of domain " + name, () -> connect.domainLookupByName(name).setAutostart(autostart));
    }

    public void setLiveMemory(String name, long kib) throws NodeException {
        run("set live memory of domain " + name, () -> connect.domainLookupByName(name).setMemory(kib));
    }

    public void attachDeviceLive(String name, String xml) throws NodeException {
        run("attach a device to running domain " + name,
                () -> connect.domainLookupByName(name).attachDeviceFlags(xml, DEVICE_LIVE));
    }

    public void detachDeviceLive(String name, String xml) throws NodeException {
        run("detach a device from running domain " + name,
                () -> connect.domainLookupByName(name).detachDeviceFlags(xml, DEVICE_LIVE));
    }

    public void createNetwork(String name, String xml) throws NodeException {
        run("define network " + name, () -> connect.networkDefineXML(xml));
        run("start network " + name, () -> connect.networkLookupByName(name).create());
        run("set autostart of network " + name, () -> connect.networkLookupByName(name).setAutostart(true));
    }

    public void deleteNetwork(String name) throws NodeException {
        Network network = call("look up network " + name, () -> connect.networkLookupByName(name));
        if (call("read state of network " + name, network::isActive) == 1) {
            run("stop network " + name, network::destroy);
        }
        run("undefine network " + name, network::undefine);
    }

    public void startNetwork(String name) throws NodeException {
        run("start network " + name, () -> connect.networkLookupByName(name).create());
    }

    public void createPool(String name, String xml) throws NodeException {
        run("define storage pool " + name, () -> connect.storagePoolDefineXML(xml, 0));
        StoragePool pool = call("look up storage pool " + name, () -> connect.storagePoolLookupByName(name));
        run("build storage pool " + name, () -> pool.build(0));
        run("start storage pool " + name, () -> pool.create(0));
        run("set autostart of storage pool " + name, () -> pool.setAutostart(1));
    }

    public void startPool(String name) throws NodeException {
        run("start storage pool " + name, () -> connect.storagePoolLookupByName(name).create(0));
    }

    /**
     * Stops and undefines the pool, never deletes it (virStoragePoolDelete would remove its directory). The pool is
     * refreshed and its volumes counted first: one that holds volumes is refused as it is.
     */
    @Override
    public void deletePool(String name) throws NodeException {
        StoragePool pool = call("look up storage pool " + name, () -> connect.storagePoolLookupByName(name));
        if (call("read state of storage pool " + name, pool::isActive) == 1) {
            run("refresh storage pool " + name, () -> pool.refresh(0));
            String[] volumes = call("list volumes of storage pool " + name, pool::listVolumes);
            if (volumes.length > 0) {
                throw new NodeException(node, "storage pool " + name + " is not removed: it holds volumes now ("
                        + String.join(", ", java.util.Arrays.stream(volumes).sorted().toList()) + ")", null);
            }
            run("stop storage pool " + name, pool::destroy);
        }
        run("undefine storage pool " + name, pool::undefine);
    }

    public void createVolume(String pool, String volumeName, String xml) throws NodeException {
        run("create volume " + volumeName + " in pool " + pool,
                () -> connect.storagePoolLookupByName(pool).storageVolCreateXML(xml, 0));
    }

    @Override
    public void refreshPool(String name) throws NodeException {
        run("refresh storage pool " + name, () -> connect.storagePoolLookupByName(name).refresh(0));
    }

    /** How much of an image one stream send carries (what virStreamSendAll uses is 64 KiB). */
    private static final int UPLOAD_CHUNK = 256 * 1024;

    /**
     * Creates the volume from xml (its capacity the file's length) and uploads the local file into it through
     * libvirt's storage-volume upload stream, over the node's own libvirt connection; progress every
     * {@value #PROGRESS_SECONDS} s. On any failure the stream is aborted and the half-written volume deleted.
     */
    @Override
    public void uploadVolume(String pool, String volumeName, String xml, java.nio.file.Path source,
                             Consumer<String> progress) throws NodeException {
        long total;
        try {
            total = java.nio.file.Files.size(source);
        } catch (java.io.IOException e) {
            throw new NodeException(node, "cannot read " + source + ": " + e.getMessage(), e);
        }
        StoragePool storagePool = call("look up storage pool " + pool, () -> connect.storagePoolLookupByName(pool));
        StorageVol volume = call("create volume " + volumeName + " in pool " + pool,
                () -> storagePool.storageVolCreateXML(xml, 0));
        org.libvirt.Stream stream = null;
        boolean finished = false;
        try {
            org.libvirt.Stream opened = call("open an upload stream", () -> connect.streamNew(0));
            stream = opened;
            run("start the upload of " + volumeName, () -> volume.upload(opened, 0, total, 0));
            long sent = 0;
            long start = System.nanoTime();
            long nextReport = start + TimeUnit.SECONDS.toNanos(PROGRESS_SECONDS);
            byte[] buffer = new byte[UPLOAD_CHUNK];
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(source)) {
                for (int n; (n = in.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                    int offset = 0;
                    while (offset < n) {
                        byte[] chunk = offset == 0 && n == buffer.length ? buffer
                                : java.util.Arrays.copyOfRange(buffer, offset, n);
                        int wrote = call("send " + volumeName + " to the node", () -> opened.send(chunk));
                        if (wrote <= 0) {
                            throw new NodeException(node, "cannot upload " + volumeName + ": the stream took no data",
                                    null);
                        }
                        offset += wrote;
                    }
                    sent += n;
                    if (System.nanoTime() >= nextReport) {
                        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
                        progress.accept("uploaded " + (sent >> 20) + " MiB of " + (total >> 20) + " MiB ("
                                + sent * 100 / total + "%), " + (sent >> 20) / seconds + " MiB/s");
                        nextReport += TimeUnit.SECONDS.toNanos(PROGRESS_SECONDS);
                    }
                }
            } catch (java.io.IOException e) {
                throw new NodeException(node, "cannot read " + source + ": " + e.getMessage(), e);
            }
            if (sent != total) {
                throw new NodeException(node, "cannot upload " + volumeName + ": " + source + " changed while it was"
                        + " read (" + sent + " of " + total + " bytes)", null);
            }
            run("finish the upload of " + volumeName, opened::finish);
            finished = true;
            run("refresh storage pool " + pool, () -> storagePool.refresh(0));
        } finally {
            if (!finished) {
                if (stream != null) {
                    try {
                        stream.abort();
                    } catch (LibvirtException e) {
                        // the upload failed already; the volume is deleted next
                    }
                }
                try {
                    volume.delete(0);
                } catch (LibvirtException e) {
                    // the node stopped answering: the next plan finds the volume and its check fails
                }
            }
            if (stream != null) {
                try {
                    stream.free();
                } catch (LibvirtException e) {
                    // nothing left to free
                }
            }
        }
    }

    /**
     * A disk from an image: linked, the volume xml names the image as its backing store and is created as it is; else
     * a full copy of the image is made (virStorageVolCreateXMLFrom, qemu-img convert on the node) and grown to bytes.
     */
    @Override
    public void createVolumeFromImage(String pool, String volumeName, String xml, String imagePool, String imageVolume,
                                      boolean linked, long bytes) throws NodeException {
        StoragePool storagePool = call("look up storage pool " + pool, () -> connect.storagePoolLookupByName(pool));
        if (linked) {
            run("create volume " + volumeName + " on image " + imageVolume, () -> storagePool.storageVolCreateXML(xml,
                    0));
            return;
        }
        StorageVol image = call("look up image " + imageVolume + " in pool " + imagePool,
                () -> connect.storagePoolLookupByName(imagePool).storageVolLookupByName(imageVolume));
        StorageVol volume = call("copy image " + imageVolume + " to volume " + volumeName,
                () -> storagePool.storageVolCreateXMLFrom(xml, image, 0));
        long capacity = call("read the size of volume " + volumeName, () -> volume.getInfo().capacity);
        if (capacity < bytes) {
            run("grow volume " + volumeName + " to " + bytes + " bytes", () -> volume.resize(bytes, 0));
        }
    }

    public void deleteVolume(String pool, String volumeName) throws NodeException {
        run("delete volume " + volumeName + " in pool " + pool,
                () -> connect.storagePoolLookupByName(pool).storageVolLookupByName(volumeName).delete(0));
    }

    private static final int BLOCK_RESIZE_BYTES = 1;

    @Override
    public String growVolume(String pool, String volumeName, String domain, String path, long bytes)
            throws NodeException {
        StorageVol volume = call("look up volume " + volumeName + " in pool " + pool,
                () -> connect.storagePoolLookupByName(pool).storageVolLookupByName(volumeName));
        long capacity = call("read the size of volume " + volumeName, () -> volume.getInfo().capacity);
        if (capacity >= bytes) {
            return "it was already that large";
        }
        if (blockResizeIfRunning(domain, path, bytes)) {
            return "grown live by the running domain " + domain;
        }
        run("grow volume " + volumeName + " in pool " + pool, () -> volume.resize(bytes, 0));
        return "";
    }

    @Override
    public boolean blockResizeIfRunning(String domain, String path, long bytes) throws NodeException {
        Domain found = call("look up domain " + domain, () -> lookupByName(domain));
        if (found == null || call("read state of domain " + domain, found::isActive) != 1) {
            return false;
        }
        run("block resize " + path + " of running domain " + domain + " to " + bytes + " bytes",
                () -> found.blockResize(path, bytes, BLOCK_RESIZE_BYTES));
        return true;
    }

    /**
     * Opens a new connection in place of this one, after libvirtd restarted on the node (the old connection died with
     * the daemon). Every later call, from any holder of this node, goes over the new one.
     */
    @Override
    public void reconnect() throws NodeException {
        NodeConnect old = connect;
        connect = connection(node, uri, keepAliveBudget);
        if (busy()) {
            // a call still runs on it (closing would free the connection under it); it dies with the process
            return;
        }
        try {
            old.close();
        } catch (LibvirtException e) {
            // the daemon it talked to is gone: nothing left to close
        }
    }

    @Override
    public void close() {
        try {
            connect.close();
        } catch (LibvirtException e) {
            // closing a broken connection: nothing left to do
        }
    }

    private interface LibvirtCall<T> {
        T call() throws LibvirtException;
    }

    private interface LibvirtAction {
        void run() throws LibvirtException;
    }

    private <T> T call(String what, LibvirtCall<T> call) throws NodeException {
        long started = System.nanoTime();
        Thread thread = Thread.currentThread();
        Call outer = currentCalls.put(thread, new Call(what, started));
        inFlight.incrementAndGet();
        try {
            return call.call();
        } catch (LibvirtException e) {
            if (lostConnection(e)) {
                throw NodeException.unresponsive(node, "stopped answering: cannot " + what + " (waited "
                        + Deadline.describe(Duration.ofNanos(System.nanoTime() - started)) + "): "
                        + message(e), e);
            }
            throw new NodeException(node, "cannot " + what + ": " + message(e), e);
        } finally {
            inFlight.decrementAndGet();
            if (outer == null) {
                currentCalls.remove(thread);
            } else {
                currentCalls.put(thread, outer);
            }
        }
    }

    /** The connection itself failed (keepalive timeout, closed socket), not the operation. */
    private boolean lostConnection(LibvirtException e) {
        boolean rpc = e.getError() != null && (e.getError().getDomain() == Error.ErrorDomain.VIR_FROM_RPC
                || e.getError().getDomain() == Error.ErrorDomain.VIR_FROM_LIBSSH
                || e.getError().getDomain() == Error.ErrorDomain.VIR_FROM_SSH);
        if (rpc) {
            return true;
        }
        try {
            return !connect.isAlive();
        } catch (LibvirtException notAlive) {
            return true;
        }
    }

    private void run(String what, LibvirtAction action) throws NodeException {
        call(what, () -> {
            action.run();
            return null;
        });
    }

    private static String message(LibvirtException e) {
        return e.getError() != null && e.getError().getMessage() != null ? e.getError().getMessage() : e.getMessage();
    }

    private static String version(long number) {
        return (number / 1_000_000) + "." + (number / 1000 % 1000) + "." + (number % 1000);
    }

    private static void sleep(long millis) throws NodeException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
