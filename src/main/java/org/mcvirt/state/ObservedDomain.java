package org.mcvirt.state;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Objects;
import org.mcvirt.model.VmMetadata;

/**
 * A libvirt domain as read from its persistent (inactive) definition, plus its run state and live values.
 * metadata is null for a domain without mcvirt's mark: such a domain is unmanaged and never changed.
 */
public record ObservedDomain(String name, String uuid, boolean active, String runState, boolean persistent,
                             boolean autostart, int vcpus, long memoryKib, int liveVcpus, long liveMemoryKib,
                             List<ObservedDisk> disks, List<ObservedNic> nics, Integer vncPort, VmMetadata metadata,
                             String definition) {
    public ObservedDomain {
        Objects.requireNonNull(name, "name");
        disks = List.copyOf(disks);
        nics = List.copyOf(nics);
    }

    @JsonIgnore
    public boolean managed() {
        return metadata != null;
    }

    public record ObservedDisk(String target, String bus, String source) {
    }

    public record ObservedNic(String mac, String type, String source) {
    }
}
