package org.mcvirt.state;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;
import org.mcvirt.model.Names;

/** A libvirt network. Managed networks are those named with mcvirt's prefix (see {@link Names}). */
public record ObservedNetwork(String name, boolean active, boolean persistent, boolean autostart, String forwardMode,
                              String bridge, String address, String netmask) {
    public ObservedNetwork {
        Objects.requireNonNull(name, "name");
    }

    @JsonIgnore
    public boolean managed() {
        return name.startsWith(Names.MANAGED_PREFIX);
    }
}
