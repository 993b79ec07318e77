package org.mcvirt.model;

import java.util.List;
import java.util.Objects;

/**
 * mcvirt's ownership mark on a libvirt domain, stored as a {@code <metadata>} element in mcvirt's XML
 * namespace. A domain without it is unmanaged: listed, never touched.
 */
public record VmMetadata(String cluster, String name, boolean protect, List<Disk> disks) {
    public VmMetadata {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(name, "name");
        disks = List.copyOf(disks);
    }

    /** A disk mcvirt created for the domain: which manifest disk it is and where its volume lives. */
    public record Disk(String name, String storage, String target, String source) {
        public Disk {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(storage, "storage");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(source, "source");
        }
    }
}
