package org.mcvirt.app;

import java.io.IOException;
import java.util.List;
import org.mcvirt.manifest.ManifestEditor;
import org.mcvirt.model.DesiredState;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedState;

/** mcvirt cluster add-node and remove-node: a node enrolled into, or removed from, the manifest. */
public final class Nodes {
    private final ClusterAccess access;

    public Nodes(ClusterAccess access) {
        this.access = access;
    }

    /**
     * Adds a node: shows and records its host key, logs in once with a password to install mcvirt's public key,
     * checks the node over key authentication (tools, libvirt, no colliding vms), then adds it to the manifest.
     * Returns what was done, for the operator.
     */
    public String addNode(NodeEnrolmentRequest request, HostKeyConfirmation confirmation, PasswordSource passwords)
            throws McvirtException {
        DesiredState desired = access.validate();
        AddNode adder = new AddNode(access.manifests(), desired, request);
        return adder.run(confirmation, passwords);
    }

    /**
     * Removes a node from the manifest (editing the file in place). Refuses while vms live there, in the manifest
     * or on the node, naming them; a node that cannot be read is only removed with force.
     */
    public String removeNode(String node, boolean force, String command) throws McvirtException {
        DesiredState desired = access.validate();
        if (desired.node(node).isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "no node named " + node + " in the manifests");
        }
        List<String> declared = desired.vms().stream().filter(v -> v.node().equals(node)).map(v -> v.name()).toList();
        if (!declared.isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "node " + node + " still has vms in the manifest: "
                    + String.join(", ", declared) + "; move them to another node (or remove them) and apply first");
        }
        try (Cluster cluster = access.connect(desired)) {
            ObservedState observed = cluster.read();
            NodeObservation seen = observed.node(node).orElseThrow();
            if (!seen.reachable() && !force) {
                throw new McvirtException(McvirtException.Category.NODE, "node " + node + " cannot be read, so mcvirt"
                        + " cannot check that no vm or disk lives there (" + seen.error() + "); use --force to remove it"
                        + " from the manifest anyway");
            }
            List<String> living = seen.domains().stream().filter(d -> d.managed()
                    && d.metadata().cluster().equals(desired.cluster().name())).map(d -> d.name()).toList();
            if (!living.isEmpty()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vms of this cluster still live on node "
                        + node + ": " + String.join(", ", living) + " (with their disks); migrate or destroy them first");
            }
            try (ClusterLock lock = seen.reachable() ? ClusterLock.acquire(cluster, command) : null) {
                ManifestEditor.NodeItem item = ManifestEditor.findNode(access.manifests(), node).orElseThrow(
                        () -> new McvirtException(McvirtException.Category.REFUSED, "cannot find node " + node
                                + " as a list item in the manifest files; remove it by hand"));
                ManifestEditor.removeNode(item);
                return "Removed node " + node + " from " + item.file() + " (lines " + item.firstLine() + "-"
                        + (item.endLine() - 1) + "). Networks and storage pools mcvirt made on it were left as they are.";
            }
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.REFUSED, "cannot edit the manifest: " + e.getMessage(), e);
        }
    }
}
