package org.mcvirt.model;

import java.util.List;
import java.util.Objects;

/**
 * A VM as the manifest declares it. NIC MAC addresses are always resolved (given or derived). pair is the two
 * nodes its replicated disks live on (node is one of them; empty when it has no replicated disk); migration says
 * how a change of node is carried out.
 */
public record VmSpec(String name, String node, int cpus, long memoryBytes, PowerState state, boolean autostart,
                     boolean protect, List<DiskSpec> disks, List<NicSpec> nics, List<String> owners,
                     List<String> users, List<String> pair, Migration migration,
                     @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                     CloudInitSpec cloudInit,
                     @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                     String cdrom,
                     @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                     List<BootDevice> boot) {
    public VmSpec {
        boot = boot == null ? List.of() : List.copyOf(boot);
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(state, "state");
        disks = List.copyOf(disks);
        nics = List.copyOf(nics);
        owners = List.copyOf(owners);
        users = List.copyOf(users);
        pair = pair == null ? List.of() : List.copyOf(pair);
        migration = migration == null ? Migration.OFFLINE : migration;
    }

    /** A vm without an ISO and with the default boot order. */
    public VmSpec(String name, String node, int cpus, long memoryBytes, PowerState state, boolean autostart,
                  boolean protect, List<DiskSpec> disks, List<NicSpec> nics, List<String> owners, List<String> users,
                  List<String> pair, Migration migration, CloudInitSpec cloudInit) {
        this(name, node, cpus, memoryBytes, state, autostart, protect, disks, nics, owners, users, pair, migration,
                cloudInit, null, List.of());
    }

    /** What {@code boot:} may name, in the order the vm tries them: its ISO, its first disk. */
    public enum BootDevice { CDROM, DISK }

    /** A vm without cloud-init. */
    public VmSpec(String name, String node, int cpus, long memoryBytes, PowerState state, boolean autostart,
                  boolean protect, List<DiskSpec> disks, List<NicSpec> nics, List<String> owners, List<String> users,
                  List<String> pair, Migration migration) {
        this(name, node, cpus, memoryBytes, state, autostart, protect, disks, nics, owners, users, pair, migration, null);
    }

    /** A vm without a DRBD pair, migrated offline. */
    public VmSpec(String name, String node, int cpus, long memoryBytes, PowerState state, boolean autostart,
                  boolean protect, List<DiskSpec> disks, List<NicSpec> nics, List<String> owners, List<String> users) {
        this(name, node, cpus, memoryBytes, state, autostart, protect, disks, nics, owners, users, List.of(),
                Migration.OFFLINE);
    }

    /** The same vm with another pair (the loader fills in the default pair of a two-node cluster). */
    public VmSpec withPair(List<String> newPair) {
        return new VmSpec(name, node, cpus, memoryBytes, state, autostart, protect, disks, nics, owners, users, newPair,
                migration, cloudInit, cdrom, boot);
    }

    /** The same vm with other NICs (the MACs assigned), everything else kept. */
    public VmSpec withNics(List<NicSpec> newNics) {
        return new VmSpec(name, node, cpus, memoryBytes, state, autostart, protect, disks, newNics, owners, users, pair,
                migration, cloudInit, cdrom, boot);
    }

    /** The same vm on another node of its pair, in the given power state (an imperative migrate or register). */
    public VmSpec withPlacement(String newNode, PowerState newState) {
        return new VmSpec(name, newNode, cpus, memoryBytes, newState, autostart, protect, disks, nics, owners, users, pair,
                migration, cloudInit, cdrom, boot);
    }

    /**
     * Whether libvirt starts the vm when its node boots: {@code autostart} for a vm without replicated disks. A
     * replicated vm is never autostarted by libvirt, since its node may boot with a stale copy (a node back after a
     * failover) or with its disk not primary: {@code mcvirt reconcile} starts it, where its disks are safely primary.
     */
    public boolean libvirtAutostart() {
        return autostart && !replicated();
    }

    public boolean replicated() {
        return disks.stream().anyMatch(DiskSpec::replicated);
    }

    /** The other node of the pair, if the vm has one. */
    public java.util.Optional<String> peer() {
        return pair.stream().filter(n -> !n.equals(node)).findFirst();
    }

    /** How a change of node is carried out: shut down and move, or move while running. */
    public enum Migration { OFFLINE, LIVE }

    public long memoryKib() {
        return memoryBytes / 1024;
    }

    public enum PowerState { RUNNING, STOPPED }

    /**
     * One disk of a VM. image: the base image it is created from (null: empty); linked: a qcow2 overlay on that image
     * instead of a full copy. The image is used only when the disk is created.
     */
    public record DiskSpec(String name, long sizeBytes, String storage, boolean replicated, DiskBus bus,
                           @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                           String image,
                           @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT)
                           boolean linked) {
        public DiskSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(storage, "storage");
            Objects.requireNonNull(bus, "bus");
        }

        /** An empty disk. */
        public DiskSpec(String name, long sizeBytes, String storage, boolean replicated, DiskBus bus) {
            this(name, sizeBytes, storage, replicated, bus, null, false);
        }
    }

    public enum DiskBus {
        VIRTIO("vd"), SATA("sd"), SCSI("sd");

        private final String devicePrefix;

        DiskBus(String devicePrefix) {
            this.devicePrefix = devicePrefix;
        }

        public String libvirtName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The guest device name of the disk at this index on this bus: vda, vdb, sda ... */
        public String targetDevice(int index) {
            return devicePrefix + (char) ('a' + index);
        }
    }

    /**
     * One network interface of a VM. derived: the manifest gave no mac, so mac is one mcvirt derived
     * ({@link Macs}) and may be another one when the vm's first candidate is taken.
     */
    public record NicSpec(String network, String mac, boolean derived) {
        public NicSpec {
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(mac, "mac");
        }

        /** A NIC with the MAC the manifest gives. */
        public NicSpec(String network, String mac) {
            this(network, mac, false);
        }
    }
}
