package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.PermissionsSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.node.NodeConfig;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.state.ObservedPermissions;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.StorageReader;

/**
 * Who may do what through libvirt on the nodes ({@code cluster.permissions.superusers}, each vm's {@code owners} and
 * {@code users}): on every node, the cluster's polkit rules file (templates/polkit/rules.ftl) and libvirtd's polkit
 * access driver. Written when missing or different (a hand edit is drift), the access driver set when it is not;
 * with no permissions left in the manifest, the driver mcvirt set is unset and the file removed. One step per node,
 * a change of kind node; the plan says when libvirtd restarts. A user or group the node does not know is a warning.
 */
final class PermissionsDiffer implements ResourceDiffer {
    private final Renderer renderer;

    PermissionsDiffer(Renderer renderer) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    /** What the storage read asks a node about permissions for this manifest. */
    static StorageReader.PermissionsQuery query(DesiredState desired) {
        Map<String, List<String>> roles = roles(desired);
        return new StorageReader.PermissionsQuery(NodeConfig.polkitRulesPath(desired.cluster().name()),
                NodeConfig.LIBVIRTD_CONF, !roles.isEmpty(), List.copyOf(roles.keySet()));
    }

    /** Each user and @group the manifest names, with where (superuser, owner of web1, ...), in name order. */
    static Map<String, List<String>> roles(DesiredState desired) {
        Map<String, List<String>> roles = new java.util.TreeMap<>();
        desired.cluster().superusers().forEach(name -> roles.computeIfAbsent(name, n -> new ArrayList<>())
                .add("superuser"));
        for (VmSpec vm : desired.vms()) {
            vm.owners().forEach(name -> roles.computeIfAbsent(name, n -> new ArrayList<>()).add("owner of "
                    + vm.name()));
            vm.users().forEach(name -> roles.computeIfAbsent(name, n -> new ArrayList<>()).add("user of "
                    + vm.name()));
        }
        return roles;
    }

    /**
     * The user libvirtd sees mcvirt as, whom the polkit access driver judges: the user of a remote URI, else (a local
     * URI, or a remote one without a user, where libvirt logs in with the local login name) this process's user.
     */
    static String libvirtLogin(String libvirtUri) {
        java.net.URI uri = java.net.URI.create(libvirtUri);
        String user = uri.getHost() == null ? null : uri.getUserInfo();
        return user != null && !user.isEmpty() ? user : System.getProperty("user.name");
    }

    /** The rules file's text for this manifest. */
    String rules(DesiredState desired) {
        String cluster = desired.cluster().name();
        List<Views.VmRolesView> vms = desired.vms().stream()
                .filter(vm -> !vm.owners().isEmpty() || !vm.users().isEmpty())
                .map(vm -> new Views.VmRolesView(vm.name(), vm.owners(), vm.users(), vm.nics().stream()
                        .map(nic -> Names.networkName(cluster, nic.network())).toList()))
                .toList();
        return renderer.polkitRules(new Views.PolkitRulesView(cluster, desired.cluster().superusers(), vms,
                desired.vms().stream().map(VmSpec::name).toList()));
    }

    @Override
    public Diff diff(DesiredState desired, ObservedState observed, Planner.Options options) {
        if (!options.includesInfrastructure()) {
            return Diff.EMPTY;
        }
        String cluster = desired.cluster().name();
        String path = NodeConfig.polkitRulesPath(cluster);
        Map<String, List<String>> roles = roles(desired);
        String wanted = roles.isEmpty() ? null : rules(desired);
        Diff.Builder diff = new Diff.Builder();
        for (ReadNode node : ResourceDiffer.readNodes(desired, observed)) {
            ObservedPermissions seen = node.observation().permissions();
            String address = "node." + node.name() + ".permissions";
            String subject = Subjects.permissions(node.name());
            List<AttributeChange> changes = new ArrayList<>();
            StepPayload.ConfigurePermissions.AccessDriver driver;
            if (wanted == null) {
                boolean ours = seen.driverSetBy(cluster);
                if (seen.rulesFile() == null && !ours) {
                    continue;
                }
                if (seen.rulesFile() != null) {
                    changes.add(new AttributeChange("rules", path, null, Effect.LIVE));
                }
                if (ours) {
                    changes.add(new AttributeChange("access_drivers", "[\"polkit\"]", "(libvirt's default)",
                            Effect.LIVE));
                }
                driver = ours ? StepPayload.ConfigurePermissions.AccessDriver.DISABLE
                        : StepPayload.ConfigurePermissions.AccessDriver.KEEP;
                // an update, not a destroy: the rules and the setting go, no data does (no --allow-destroy)
                diff.change(new ResourceChange(address, ChangeKind.NODE, "permissions", node.name(), Action.UPDATE,
                        changes, "the manifest gives no permissions: " + (ours ? "libvirtd's polkit access driver is"
                        + " unset (libvirtd restarts; running vms keep running) and " : "") + "the rules file is"
                        + " removed"));
                diff.step(node.name(), subject, List.of(), address, (ours ? "unset libvirtd's polkit access driver"
                        + " (restarts libvirtd) and " : "") + "remove the polkit rules " + path,
                        new StepPayload.ConfigurePermissions(cluster, path, null, NodeConfig.LIBVIRTD_CONF, driver));
                continue;
            }
            if (seen.polkitd() == null) {
                // the node's storage read did not run (it failed, and says so): nothing known, nothing planned
                continue;
            }
            roles.forEach((name, where) -> {
                if (!seen.knows(name).orElse(true)) {
                    diff.problem(PlanFinding.Code.PERMISSIONS_UNKNOWN_NAME, PlanFinding.Subject.node(node.name()),
                            "node " + node.name() + " has no " + (PermissionsSpec.isGroup(name) ? "group '" + name.substring(1)
                            : "user '" + name) + "' (" + String.join(", ", where) + "): polkit never matches it there");
                }
            });
            String login = libvirtLogin(node.spec().libvirtUri());
            if (!login.equals("root") && !desired.cluster().superusers().contains(login)) {
                diff.problem(PlanFinding.Code.PERMISSIONS_LOCKOUT, PlanFinding.Subject.node(node.name()),
                        "node " + node.name() + ": mcvirt uses libvirt there as '" + login + "', not root; under"
                        + " libvirtd's polkit access driver it would lose its own access to libvirt: add '" + login
                        + "' to cluster.permissions.superusers (by name: a group is not checked)");
                continue;
            }
            if (Boolean.FALSE.equals(seen.polkitd())) {
                diff.problem(PlanFinding.Code.PERMISSIONS_NO_POLKIT, PlanFinding.Subject.node(node.name()),
                        "node " + node.name() + " has no polkitd (/usr/lib/polkit-1/polkitd): with libvirtd's polkit"
                        + " access driver nobody could use libvirt there, root included; install polkitd (Debian:"
                        + " apt-get install polkitd) or remove cluster.permissions and the vms' owners and users");
                continue;
            }
            if (seen.rulesFile() == null) {
                changes.add(new AttributeChange("rules", null, path, Effect.LIVE));
            } else if (!seen.rulesFile().stripTrailing().equals(wanted.stripTrailing())) {
                changes.add(new AttributeChange("rules", path + " (differs)", path, Effect.LIVE));
            }
            boolean enable = !seen.polkitDriver();
            if (enable) {
                List<String> drivers = seen.accessDrivers();
                changes.add(new AttributeChange("access_drivers", drivers.isEmpty() ? "(libvirt's default)"
                        : drivers.toString(), "[\"polkit\"]", Effect.LIVE));
            }
            if (changes.isEmpty()) {
                continue;
            }
            driver = enable ? StepPayload.ConfigurePermissions.AccessDriver.ENABLE
                    : StepPayload.ConfigurePermissions.AccessDriver.KEEP;
            boolean created = seen.rulesFile() == null;
            diff.change(new ResourceChange(address, ChangeKind.NODE, "permissions", node.name(),
                    created ? Action.CREATE : Action.UPDATE, changes, (created ? "no polkit rules of this cluster here"
                    : "the polkit rules here are not what the manifest says") + (enable ? "; libvirtd's polkit access"
                    + " driver is set, which restarts libvirtd (running vms keep running)" : "")));
            diff.step(node.name(), subject, List.of(), address, "write the polkit rules " + path + (enable
                    ? " and set libvirtd's polkit access driver (restarts libvirtd)" : ""),
                    new StepPayload.ConfigurePermissions(cluster, path, wanted, NodeConfig.LIBVIRTD_CONF, driver));
        }
        return diff.build();
    }
}
