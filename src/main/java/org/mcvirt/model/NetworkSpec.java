package org.mcvirt.model;

import java.util.Objects;

/** A network present on every node: a host bridge (bridge set) or a libvirt NAT network (nat with cidr). */
public record NetworkSpec(String name, String bridge, boolean nat, String cidr) {
    public NetworkSpec {
        Objects.requireNonNull(name, "name");
    }
}
