package org.mcvirt.plan;

import java.util.List;
import java.util.Optional;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedNetwork;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;

/** Small hand-built desired and observed states for the differ tests: cluster c, node n with file storage images. */
final class DifferFixture {
    static final Renderer RENDERER = new Renderer(Optional.empty());
    static final ClusterSpec CLUSTER = new ClusterSpec("c", null);
    static final StorageSpec IMAGES = new StorageSpec("images", StorageSpec.StorageType.FILE, null, "/img");
    static final NodeSpec NODE = node("n", IMAGES);

    private DifferFixture() {
    }

    static NodeSpec node(String name, StorageSpec... storage) {
        return new NodeSpec(name, true, null, null, null, null, "qemu:///system", NodeSpec.DomainType.QEMU,
                "/var/lib/mcvirt", "/etc/drbd.d", List.of(storage));
    }

    static DesiredState desired(List<NetworkSpec> networks, List<VmSpec> vms) {
        return new DesiredState(CLUSTER, List.of(NODE), networks, vms);
    }

    static VmSpec vm(String name, long memoryMib, VmSpec.PowerState state, boolean protect, List<VmSpec.DiskSpec> disks,
                     List<VmSpec.NicSpec> nics) {
        return new VmSpec(name, "n", 1, memoryMib << 20, state, false, protect, disks, nics, List.of(), List.of());
    }

    static VmSpec.DiskSpec disk(String name, long sizeMib) {
        return new VmSpec.DiskSpec(name, sizeMib << 20, "images", false, VmSpec.DiskBus.VIRTIO);
    }

    static ObservedState observed(List<ObservedDomain> domains, List<ObservedNetwork> networks, List<ObservedPool> pools) {
        return new ObservedState(List.of(new NodeObservation("n", true, null, "9.0.0", "QEMU 7.2.0", domains, networks,
                pools, List.of())));
    }

    static ObservedPool images(boolean active, ObservedPool.ObservedVolume... volumes) {
        return new ObservedPool("mcvirt.c.images", "dir", active, true, "/img", List.of(volumes), null);
    }

    /** A domain of cluster c with one virtio file disk per name, at vda, vdb ..., and its mark. */
    static ObservedDomain domain(String name, boolean running, long memoryMib, boolean protect, String... disks) {
        List<VmMetadata.Disk> recorded = new java.util.ArrayList<>();
        StringBuilder devices = new StringBuilder();
        StringBuilder mark = new StringBuilder();
        for (int i = 0; i < disks.length; i++) {
            String target = "vd" + (char) ('a' + i);
            String source = "/img/" + name + "-" + disks[i] + ".qcow2";
            recorded.add(new VmMetadata.Disk(disks[i], "images", target, source));
            devices.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='")
                    .append(source).append("'/><target dev='").append(target).append("' bus='virtio'/></disk>");
            mark.append("<mcvirt:disk name='").append(disks[i]).append("' storage='images' target='").append(target)
                    .append("' source='").append(source).append("'/>");
        }
        String definition = "<domain type='qemu'><name>" + name + "</name><uuid>00000000-0000-0000-0000-000000000001</uuid>"
                + "<metadata><mcvirt:vm xmlns:mcvirt='https://mcvirt.org/xmlns/domain/1'><mcvirt:cluster>c</mcvirt:cluster>"
                + "<mcvirt:name>" + name + "</mcvirt:name><mcvirt:protect>" + protect + "</mcvirt:protect>" + mark
                + "</mcvirt:vm></metadata><memory unit='KiB'>" + (memoryMib << 10) + "</memory><currentMemory unit='KiB'>"
                + (memoryMib << 10) + "</currentMemory><vcpu placement='static'>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os><devices>" + devices
                + "</devices></domain>";
        return new ObservedDomain(name, "00000000-0000-0000-0000-000000000001", running, running ? "running" : "shut-off",
                true, false, 1, memoryMib << 10, 1, memoryMib << 10,
                recorded.stream().map(d -> new ObservedDomain.ObservedDisk(d.target(), "virtio", d.source())).toList(),
                List.of(), null, new VmMetadata("c", name, protect, recorded), definition);
    }
}
