package org.mcvirt.plan;

import java.util.List;
import java.util.Objects;
import org.mcvirt.model.NodeSpec;

/**
 * What apply needs to reach one node, carried in the plan so a saved plan is self-contained: address, SSH port,
 * user, key and known_hosts paths, the libvirt URI and the node-side state directory. Never a secret: the key file
 * is named, not read.
 */
public record PlanNode(String name, boolean local, String address, Integer port, String user, String identityFile,
                       String knownHosts, String libvirtUri, String stateDirectory) {
    public PlanNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(libvirtUri, "libvirtUri");
        Objects.requireNonNull(stateDirectory, "stateDirectory");
    }

    public static PlanNode of(NodeSpec spec) {
        NodeSpec.SshSpec ssh = spec.ssh();
        return new PlanNode(spec.name(), spec.local(), spec.address(), ssh == null ? null : ssh.port(),
                ssh == null ? null : ssh.user(), ssh == null ? null : ssh.identityFile(),
                ssh == null ? null : ssh.knownHosts(), spec.libvirtUri(), spec.stateDirectory());
    }

    /** The node as a spec for connecting: what the plan does not carry (storage, DRBD addresses) is empty. */
    public NodeSpec toSpec() {
        NodeSpec.SshSpec ssh = local || user == null ? null : new NodeSpec.SshSpec(user, port, identityFile, knownHosts);
        return new NodeSpec(name, local, address, null, null, ssh, libvirtUri, NodeSpec.DomainType.QEMU, stateDirectory,
                null, List.of());
    }
}
