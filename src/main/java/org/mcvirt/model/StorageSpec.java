package org.mcvirt.model;

import java.util.Objects;

/** A place on a node where VM disks live. */
public record StorageSpec(String name, StorageType type, String volumeGroup, String path) {
    public StorageSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    public enum StorageType { FILE, LVM }
}
