package org.mcvirt.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a node has of mcvirt's permissions (read by the storage read's script): this cluster's polkit rules file,
 * libvirtd.conf's {@code access_drivers} lines (and mcvirt's mark above the one it wrote), whether polkitd is
 * installed, and which of the manifest's users and groups exist there.
 *
 * @param rulesFile   the rules file's text, or null when there is none
 * @param accessLines the lines of libvirtd.conf that set access_drivers or carry mcvirt's mark, comments left out;
 *                    null when libvirtd.conf was not read (no permissions wanted and no rules file)
 * @param polkitd     whether polkitd is installed (null when not asked)
 * @param users       the users of the manifest that exist on the node (null when none were asked about)
 * @param groups      the groups (without @) of the manifest that exist on the node (null when none were asked about)
 */
public record ObservedPermissions(String rulesFile, List<String> accessLines, Boolean polkitd, Set<String> users,
                                  Set<String> groups) {
    /** The mark mcvirt writes on the line before its access_drivers line, followed by the cluster's name. */
    public static final String MARK = "# mcvirt-access-driver: ";
    private static final Pattern SETTING = Pattern.compile("\\s*access_drivers\\s*=\\s*\\[(.*)]\\s*(#.*)?");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    public ObservedPermissions {
        accessLines = accessLines == null ? null : List.copyOf(accessLines);
        users = users == null ? null : Set.copyOf(new TreeSet<>(users));
        groups = groups == null ? null : Set.copyOf(new TreeSet<>(groups));
    }

    /** Nothing read. */
    public static ObservedPermissions notRead() {
        return new ObservedPermissions(null, null, null, null, null);
    }

    /**
     * The access drivers libvirtd.conf sets, or empty when it sets none or was not read. libvirt's parser takes the
     * first access_drivers line; more than one (the first may be a hand setting above mcvirt's), or a value mcvirt
     * cannot parse (a list spread over lines), reads as {@code ["?"]}, which is not the polkit driver: the next apply
     * then comments out all but mcvirt's.
     */
    public List<String> accessDrivers() {
        if (accessLines == null) {
            return List.of();
        }
        List<String> active = accessLines.stream().filter(line -> !line.startsWith("#")).toList();
        if (active.isEmpty()) {
            return List.of();
        }
        Matcher setting = SETTING.matcher(active.get(0));
        if (active.size() > 1 || !setting.matches()) {
            return List.of("?");
        }
        List<String> found = new ArrayList<>();
        Matcher quoted = QUOTED.matcher(setting.group(1));
        while (quoted.find()) {
            found.add(quoted.group(1));
        }
        return List.copyOf(found);
    }

    /** Whether libvirtd's polkit access driver is set. */
    public boolean polkitDriver() {
        return accessDrivers().equals(List.of("polkit"));
    }

    /** Whether mcvirt set the access driver for this cluster (its mark is there). */
    public boolean driverSetBy(String cluster) {
        return accessLines != null && accessLines.contains(MARK + cluster);
    }

    /** Whether the node knows this user or @group; empty when it was not asked. */
    public Optional<Boolean> knows(String principal) {
        boolean group = org.mcvirt.model.PermissionsSpec.isGroup(principal);
        Set<String> known = group ? groups : users;
        return known == null ? Optional.empty() : Optional.of(known.contains(group ? principal.substring(1) : principal));
    }

    Map<String, Object> fingerprintView() {
        Map<String, Object> view = new TreeMap<>();
        view.put("rulesFile", rulesFile == null ? null : org.mcvirt.model.Digests.sha256(rulesFile));
        view.put("accessLines", accessLines);
        view.put("polkitd", polkitd);
        view.put("users", users == null ? null : new TreeSet<>(users));
        view.put("groups", groups == null ? null : new TreeSet<>(groups));
        return view;
    }
}
