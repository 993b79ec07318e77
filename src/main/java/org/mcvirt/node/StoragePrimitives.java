package org.mcvirt.node;

import java.util.Objects;
import org.mcvirt.node.ssh.NodeTransport;

/**
 * What apply does on one node over its command transport, besides libvirt, in its parts: LVM, DRBD, the saved
 * definitions, libvirt's job record and the node's configuration for mcvirt's permissions, and images and cloud-init seeds. Tests give recording fakes for the parts.
 */
public record StoragePrimitives(LvmPrimitives lvm, DrbdPrimitives drbd, DefinitionPrimitives definitions,
                                DomainJobPrimitives jobs, NodeConfigPrimitives config, ImagePrimitives images) {
    public StoragePrimitives {
        Objects.requireNonNull(lvm, "lvm");
        Objects.requireNonNull(drbd, "drbd");
        Objects.requireNonNull(definitions, "definitions");
        Objects.requireNonNull(jobs, "jobs");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(images, "images");
    }

    /** The real parts of a node, over its command transport. */
    public static StoragePrimitives over(String node, NodeTransport transport) {
        return new StoragePrimitives(new LvmNode(node, transport), new DrbdNode(node, transport),
                new SavedDefinitions(node, transport), new DomainJobs(node, transport),
                new NodeConfig(node, transport), new ImageNode(node, transport));
    }
}
