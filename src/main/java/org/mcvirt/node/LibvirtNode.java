package org.mcvirt.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;
import org.libvirt.Network;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * One node's libvirt, through libvirt-java over the native library. The only class that calls libvirt: it
 * returns raw XML and flags for the state readers and performs the primitive mutations the executor asks for.
 */
public final class LibvirtNode implements NodePrimitives, AutoCloseable {
    private static final int XML_INACTIVE = 2;
    private static final int UNDEFINE_MANAGED_SAVE = 1;
    private static final int UNDEFINE_NVRAM = 4;
    private static final int DEVICE_LIVE = 1;

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
    private final Connect connect;

    private LibvirtNode(String node, String uri, Connect connect) {
        this.node = node;
        this.uri = uri;
        this.connect = connect;
    }

    public static LibvirtNode open(String node, String uri) throws NodeException {
        Objects.requireNonNull(uri, "uri");
        try {
            return new LibvirtNode(node, uri, new Connect(uri));
        } catch (LibvirtException e) {
            throw new NodeException(node, "cannot connect to libvirt at " + uri + ": " + message(e), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new NodeException(node, "cannot load the libvirt native library (install libvirt0): " + e.getMessage(), e);
        }
    }

    public String node() {
        return node;
    }

    public String uri() {
        return uri;
    }

    /** A domain's persistent definition, live definition and flags. */
    public record DomainRecord(String name, String uuid, boolean active, String runState, boolean persistent,
                               boolean autostart, String inactiveXml, String liveXml) {
    }

    public record NetworkRecord(String name, boolean active, boolean persistent, boolean autostart, String xml) {
    }

    public record VolumeRecord(String name, String path, long capacityBytes) {
    }

    public record PoolRecord(String name, boolean active, boolean autostart, String xml, List<VolumeRecord> volumes) {
    }

    public String libvirtVersion() throws NodeException {
        return call("read the libvirt version", () -> version(connect.getLibVersion()));
    }

    public String hypervisorVersion() throws NodeException {
        return call("read the hypervisor version", () -> connect.getType() + " " + version(connect.getVersion()));
    }

    public List<DomainRecord> domains() throws NodeException {
        return call("list domains", () -> {
            List<DomainRecord> result = new ArrayList<>();
            for (int id : connect.listDomains()) {
                Domain domain = lookupById(id);
                if (domain != null) {
                    result.add(record(domain));
                }
            }
            for (String name : connect.listDefinedDomains()) {
                result.add(record(connect.domainLookupByName(name)));
            }
            return result;
        });
    }

    private Domain lookupById(int id) {
        try {
            return connect.domainLookupByID(id);
        } catch (LibvirtException e) {
            return null; // stopped between list and lookup: it will show up next read
        }
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
        return call("list networks", () -> {
            List<NetworkRecord> result = new ArrayList<>();
            List<String> names = new ArrayList<>(List.of(connect.listNetworks()));
            names.addAll(List.of(connect.listDefinedNetworks()));
            for (String name : names) {
                Network network = connect.networkLookupByName(name);
                boolean persistent = network.isPersistent() == 1;
                result.add(new NetworkRecord(name, network.isActive() == 1, persistent,
                        persistent && network.getAutostart(), network.getXMLDesc(0)));
            }
            return result;
        });
    }

    public List<PoolRecord> pools() throws NodeException {
        return call("list storage pools", () -> {
            List<PoolRecord> result = new ArrayList<>();
            List<String> names = new ArrayList<>(List.of(connect.listStoragePools()));
            names.addAll(List.of(connect.listDefinedStoragePools()));
            for (String name : names) {
                StoragePool pool = connect.storagePoolLookupByName(name);
                boolean active = pool.isActive() == 1;
                List<VolumeRecord> volumes = new ArrayList<>();
                if (active) {
                    pool.refresh(0);
                    for (String volumeName : pool.listVolumes()) {
                        StorageVol volume = pool.storageVolLookupByName(volumeName);
                        volumes.add(new VolumeRecord(volumeName, volume.getPath(), volume.getInfo().capacity));
                    }
                }
                result.add(new PoolRecord(name, active, pool.getAutostart(), pool.getXMLDesc(0), volumes));
            }
            return result;
        });
    }

    // ---- mutations: each is one primitive the executor runs for one step ----

    public void defineDomain(String xml) throws NodeException {
        run("define domain", () -> connect.domainDefineXML(xml));
    }

    public void startDomain(String name) throws NodeException {
        run("start domain " + name, () -> connect.domainLookupByName(name).create());
    }

    /** Asks the guest to shut down (ACPI); after the timeout powers it off. Returns true when it had to force. */
    public boolean shutdownDomain(String name, long timeoutSeconds) throws NodeException {
        Domain domain = call("look up domain " + name, () -> connect.domainLookupByName(name));
        run("shut down domain " + name, domain::shutdown);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (call("read state of domain " + name, () -> domain.isActive()) == 0) {
                return false;
            }
            sleep(250);
        }
        run("power off domain " + name + " after " + timeoutSeconds + "s", domain::destroy);
        return true;
    }

    public void undefineDomain(String name) throws NodeException {
        run("undefine domain " + name,
                () -> connect.domainLookupByName(name).undefine(UNDEFINE_MANAGED_SAVE | UNDEFINE_NVRAM));
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

    public void createVolume(String pool, String volumeName, String xml) throws NodeException {
        run("create volume " + volumeName + " in pool " + pool,
                () -> connect.storagePoolLookupByName(pool).storageVolCreateXML(xml, 0));
    }

    public void deleteVolume(String pool, String volumeName) throws NodeException {
        run("delete volume " + volumeName + " in pool " + pool,
                () -> connect.storagePoolLookupByName(pool).storageVolLookupByName(volumeName).delete(0));
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
        try {
            return call.call();
        } catch (LibvirtException e) {
            throw new NodeException(node, "cannot " + what + ": " + message(e), e);
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
