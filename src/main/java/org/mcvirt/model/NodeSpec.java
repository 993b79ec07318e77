package org.mcvirt.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One node of the cluster as the manifest declares it. state: online (the default), maintenance (its vms run on
 * their peers) or offline (declared powered off or fenced: never contacted, its vms fail over to their peers).
 */
public record NodeSpec(String name, boolean local, String address, String clusterIp, String drbdIp,
                       SshSpec ssh, String libvirtUri, DomainType domainType, String stateDirectory,
                       String drbdConfigDirectory, List<StorageSpec> storage,
                       @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Online.class) State state) {
    public NodeSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(libvirtUri, "libvirtUri");
        Objects.requireNonNull(domainType, "domainType");
        storage = List.copyOf(storage);
        state = state == null ? State.ONLINE : state;
    }

    /** An online node. */
    public NodeSpec(String name, boolean local, String address, String clusterIp, String drbdIp, SshSpec ssh,
                    String libvirtUri, DomainType domainType, String stateDirectory, String drbdConfigDirectory,
                    List<StorageSpec> storage) {
        this(name, local, address, clusterIp, drbdIp, ssh, libvirtUri, domainType, stateDirectory, drbdConfigDirectory,
                storage, State.ONLINE);
    }

    /** The same node in another state. */
    public NodeSpec withState(State newState) {
        return new NodeSpec(name, local, address, clusterIp, drbdIp, ssh, libvirtUri, domainType, stateDirectory,
                drbdConfigDirectory, storage, newState);
    }

    /** Whether mcvirt may contact the node (not declared offline). */
    public boolean contacted() {
        return state != State.OFFLINE;
    }

    /** Whether the node's vms run on it (online), rather than on their peers (maintenance, offline). */
    public boolean hostsItsVms() {
        return state == State.ONLINE;
    }

    /**
     * Leaves an online node's state out of the manifest digest's JSON, so the digest of a manifest without states is
     * what it was before states existed (saved plans stay valid). Jackson omits the value when this equals it.
     */
    static final class Online {
        @Override
        public boolean equals(Object value) {
            return value == null || value == State.ONLINE;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** What the manifest says of the node: its vms run on it, on their peers while it is serviced, or it is down. */
    public enum State {
        ONLINE, MAINTENANCE, OFFLINE;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
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
