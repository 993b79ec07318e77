package org.mcvirt.state;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mcvirt.model.ByName;

/**
 * A libvirt storage pool and its volumes (volumes are listed only when the pool is active). error is set when the
 * pool could not be read fully (its directory is gone, say); what could be read is still there.
 */
public record ObservedPool(String name, String type, boolean active, boolean autostart, String path,
                           List<ObservedVolume> volumes, String error) {
    public ObservedPool {
        Objects.requireNonNull(name, "name");
        volumes = volumes.stream().sorted(Comparator.comparing(ObservedVolume::name)).toList();
    }

    public Optional<ObservedVolume> volume(String name) {
        return ByName.find(volumes, ObservedVolume::name, name);
    }

    public record ObservedVolume(String name, String path, long capacityBytes) {
    }
}
