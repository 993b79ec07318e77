package org.mcvirt.model;

import java.util.List;
import java.util.Objects;

/** A VM as the manifest declares it. NIC MAC addresses are always resolved (given or derived). */
public record VmSpec(String name, String node, int cpus, long memoryBytes, PowerState state, boolean autostart,
                     boolean protect, List<DiskSpec> disks, List<NicSpec> nics, List<String> owners,
                     List<String> users) {
    public VmSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(state, "state");
        disks = List.copyOf(disks);
        nics = List.copyOf(nics);
        owners = List.copyOf(owners);
        users = List.copyOf(users);
    }

    public long memoryKib() {
        return memoryBytes / 1024;
    }

    public enum PowerState { RUNNING, STOPPED }

    /** One disk of a VM. */
    public record DiskSpec(String name, long sizeBytes, String storage, boolean replicated, DiskBus bus) {
        public DiskSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(storage, "storage");
            Objects.requireNonNull(bus, "bus");
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
