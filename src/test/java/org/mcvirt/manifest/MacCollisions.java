package org.mcvirt.manifest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Test data: vm names whose derived MACs collide, found by a deterministic search. */
public final class MacCollisions {
    private MacCollisions() {
    }

    /** The derived MAC of a vm's NIC before any collision is resolved. */
    public static String derivedMac(String vm, int nic) {
        return ManifestBinder.derivedMac(vm, nic);
    }

    /** Two names vm-N whose first NICs derive the same MAC, in name order (the search stops at the first pair). */
    public static List<String> collidingVmNames() {
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; ; i++) {
            String name = "vm-" + i;
            String other = seen.putIfAbsent(derivedMac(name, 0), name);
            if (other != null) {
                return Stream.of(other, name).sorted().toList();
            }
        }
    }
}
