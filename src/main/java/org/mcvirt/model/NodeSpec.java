package org.mcvirt.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One node of the cluster as the manifest declares it. */
public record NodeSpec(String name, boolean local, String address, String clusterIp, String drbdIp,
                       SshSpec ssh, String libvirtUri, DomainType domainType, String stateDirectory,
                       String drbdConfigDirectory, List<StorageSpec> storage) {
    public NodeSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(libvirtUri, "libvirtUri");
        Objects.requireNonNull(domainType, "domainType");
        storage = List.copyOf(storage);
    }

    public Optional<StorageSpec> storage(String storageName) {
        return storage.stream().filter(s -> s.name().equals(storageName)).findFirst();
    }

    /** SSH settings of a remote node. */
    public record SshSpec(String user, int port, String identityFile, String knownHosts) {
        public SshSpec {
            Objects.requireNonNull(user, "user");
        }
    }

    /** The libvirt domain type: kvm where the node has /dev/kvm, qemu (TCG) elsewhere. */
    public enum DomainType {
        KVM, QEMU;

        public String libvirtName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
