package org.mcvirt.state;

import java.util.Objects;

/** A libvirt network. Managed networks are those named by mcvirt's rule (see org.mcvirt.model.Names). */
public record ObservedNetwork(String name, boolean active, boolean persistent, boolean autostart, String forwardMode,
                              String bridge, String address, String netmask) {
    public ObservedNetwork {
        Objects.requireNonNull(name, "name");
    }
}
