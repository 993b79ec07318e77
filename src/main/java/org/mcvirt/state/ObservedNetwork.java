package org.mcvirt.state;

import java.util.Objects;

/**
 * A libvirt network. Managed networks are those named by mcvirt's rule (see org.mcvirt.model.Names). address,
 * netmask and the DHCP range are those of its IPv4 {@code <ip>} element; null when it has none.
 */
public record ObservedNetwork(String name, boolean active, boolean persistent, boolean autostart, String forwardMode,
                              String bridge, String address, String netmask, String dhcpStart, String dhcpEnd) {
    public ObservedNetwork {
        Objects.requireNonNull(name, "name");
    }
}
