package org.mcvirt.model;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code cluster.permissions}: who, besides root, may use libvirt on the nodes. superusers may do everything; each
 * vm's {@code owners} and {@code users} (in {@link VmSpec}) get their role on that vm. A name is a user, or a group
 * written {@code @group}. mcvirt writes them as polkit rules for libvirt's polkit access driver.
 */
public record PermissionsSpec(List<String> superusers) {
    /** A user name, or {@code @} and a group name (the same rule as user names). */
    public static final Pattern PRINCIPAL = Pattern.compile("@?" + LibvirtUris.USER.pattern());

    public PermissionsSpec {
        superusers = List.copyOf(superusers);
    }

    /** Whether a name is a group ({@code @ops}). */
    public static boolean isGroup(String principal) {
        return principal.startsWith("@");
    }
}
