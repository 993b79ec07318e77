package org.mcvirt.model;

import java.util.List;
import java.util.Objects;

/**
 * mcvirt's ownership mark on a libvirt domain, stored as a {@code <metadata>} element in mcvirt's XML
 * namespace. A domain without it is unmanaged: listed, never touched.
 */
public record VmMetadata(String cluster, String name, boolean protect, List<Disk> disks, List<String> pair) {
    public VmMetadata {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(name, "name");
        disks = List.copyOf(disks);
        pair = pair == null ? List.of() : List.copyOf(pair);
    }

    /** A vm without replicated disks. */
    public VmMetadata(String cluster, String name, boolean protect, List<Disk> disks) {
        this(cluster, name, protect, disks, List.of());
    }

    /**
     * A disk mcvirt created for the domain: which manifest disk it is and where its volume lives. A replicated disk
     * also records its DRBD resource, minor and port (the same on both nodes), so every later plan agrees on them
     * without a state file; they are null for a file disk.
     */
    public record Disk(String name, String storage, String target, String source, String resource, Integer minor,
                       Integer port) {
        public Disk {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(storage, "storage");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(source, "source");
        }

        /** A file disk. */
        public Disk(String name, String storage, String target, String source) {
            this(name, storage, target, source, null, null, null);
        }

        public boolean replicated() {
            return resource != null;
        }
    }
}
