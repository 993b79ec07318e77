package org.mcvirt.app;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedLvm;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;

/**
 * Which of a domain's disks a manifest can express for {@code mcvirt import}. Only what mcvirt itself would derive the
 * same way: a file disk only as the volume {@code VM-DISK.qcow2} in a file storage of the node (mcvirt derives a disk's
 * path from its names), a replicated disk only as DRBD resource {@code mcvirt_VM_DISK} on LVs of that name in an lvm
 * storage on both nodes of a pair, and disks only at the targets mcvirt gives them (vda, vdb ... per bus, in manifest
 * order). Pure.
 */
final class DiskImport {
    private static final Pattern DRBD_DEVICE = Pattern.compile("/dev/drbd(\\d+)");
    private static final long MINIMUM_DISK = 1L << 20;

    private DiskImport() {
    }

    /** A disk the manifest can express, before its target is checked. */
    record Candidate(ObservedDomain.ObservedDisk disk, VmSpec.DiskSpec spec, String peer) {
    }

    /** A disk as the notes name it: its target, bus and source. */
    static String describe(ObservedDomain.ObservedDisk disk) {
        return "disk " + disk.target() + " (" + disk.bus() + ", " + (disk.source() == null ? "no source" : disk.source())
                + ")";
    }

    /** Adds the disk to candidates when the manifest can express it; otherwise returns why not. */
    static String diskCandidate(DesiredState desired, NodeSpec node, NodeObservation observation,
                                ObservedState observed, String vm, ObservedDomain.ObservedDisk disk,
                                List<Candidate> candidates) {
        Optional<VmSpec.DiskBus> bus = bus(disk.bus());
        if (bus.isEmpty()) {
            return "bus " + disk.bus() + " cannot be written in a manifest (virtio, sata or scsi)";
        }
        if (disk.source() == null || disk.source().isEmpty()) {
            return "it has no file or block device source";
        }
        Matcher drbd = DRBD_DEVICE.matcher(disk.source());
        if (drbd.matches()) {
            return replicated(desired, node, observation, observed, vm, disk, bus.get(), Integer.parseInt(drbd.group(1)),
                    candidates);
        }
        for (StorageSpec storage : node.storage()) {
            if (storage.type() == StorageSpec.StorageType.LVM && disk.source().startsWith("/dev/"
                    + storage.volumeGroup() + "/")) {
                return "a logical volume that is not replicated: the manifest has lvm storage (" + storage.name()
                        + ") only for replicated disks";
            }
            if (storage.type() != StorageSpec.StorageType.FILE) {
                continue;
            }
            String directory = trimSlash(storage.path());
            if (!disk.source().startsWith(directory + "/") || disk.source().indexOf('/', directory.length() + 1) >= 0) {
                continue;
            }
            String file = disk.source().substring(directory.length() + 1);
            String name = file.startsWith(vm + "-") && file.endsWith(".qcow2")
                    ? file.substring(vm.length() + 1, file.length() - ".qcow2".length()) : "";
            if (!Names.validName(name)) {
                return "its volume is in storage " + storage.name() + " but named " + file + "; mcvirt derives a disk's"
                        + " volume name from the vm and disk names (" + Names.volumeName(vm, "DISK") + ") and cannot keep"
                        + " another";
            }
            Optional<Long> capacity = capacity(desired, observation, storage, file);
            if (capacity.isEmpty()) {
                return "its size cannot be read: no storage pool on node " + node.name() + " at " + directory
                        + " lists " + file + " (apply the manifest's storage first, then import again)";
            }
            if (capacity.get() % 1024 != 0 || capacity.get() < MINIMUM_DISK) {
                return "its size (" + capacity.get() + " bytes) cannot be written as a manifest size (whole KiB, at"
                        + " least 1MiB)";
            }
            candidates.add(new Candidate(disk, new VmSpec.DiskSpec(name, capacity.get(), storage.name(), false,
                    bus.get()), null));
            return null;
        }
        return "not in a storage of node " + node.name() + " in the manifests";
    }

    private static String replicated(DesiredState desired, NodeSpec node, NodeObservation observation,
                                     ObservedState observed, String vm, ObservedDomain.ObservedDisk disk,
                                     VmSpec.DiskBus bus, int minor, List<Candidate> candidates) {
        if (desired.cluster().drbdIfEnabled().isEmpty()) {
            return "a DRBD device, but cluster.drbd is not enabled in the manifests";
        }
        Optional<ObservedDrbd.Resource> resource = observation.drbd().resources().stream()
                .filter(r -> r.minor() == minor).findFirst();
        if (resource.isEmpty()) {
            return "no DRBD resource with minor " + minor + " was read on node " + node.name() + " (DRBD "
                    + observation.drbd().availability().toString().toLowerCase(Locale.ROOT) + ")";
        }
        String name = resource.get().name();
        String prefix = Names.drbdResource(vm, "");
        String diskName = name != null && name.startsWith(prefix) ? name.substring(prefix.length()) : "";
        if (!Names.validName(diskName)) {
            return "DRBD resource " + name + ": mcvirt names a replicated disk's resource and LVs mcvirt_VM_DISK (here "
                    + prefix + "DISK) and cannot keep another name";
        }
        if (resource.get().volume() != 0) {
            return "volume " + resource.get().volume() + " of DRBD resource " + name + "; mcvirt's resources have one"
                    + " volume, 0";
        }
        Optional<StorageSpec> storage = node.storage().stream().filter(s -> s.type() == StorageSpec.StorageType.LVM
                && ("/dev/" + s.volumeGroup() + "/" + name).equals(resource.get().backingDisk())).findFirst();
        if (storage.isEmpty()) {
            return "DRBD resource " + name + " is backed by " + resource.get().backingDisk() + ", not by LV " + name
                    + " in an lvm storage of node " + node.name() + " in the manifests";
        }
        List<NodeObservation> peers = observed.nodes().stream().filter(n -> !n.node().equals(node.name())
                && n.reachable() && desired.node(n.node()).isPresent() && !n.drbd().resource(name).isEmpty()).toList();
        if (peers.size() != 1) {
            return "DRBD resource " + name + " is on " + (peers.isEmpty() ? "no other node that was read"
                    : "nodes " + String.join(", ", peers.stream().map(NodeObservation::node).toList()))
                    + "; a replicated disk has exactly one peer";
        }
        NodeObservation peer = peers.get(0);
        Optional<StorageSpec> peerStorage = desired.node(peer.node()).orElseThrow().storage(storage.get().name())
                .filter(s -> s.type() == StorageSpec.StorageType.LVM);
        if (peerStorage.isEmpty() || peer.drbd().resource(name).stream().noneMatch(r -> ("/dev/"
                + peerStorage.get().volumeGroup() + "/" + name).equals(r.backingDisk()))) {
            return "DRBD resource " + name + " on " + peer.node() + " is not on LV " + name + " of lvm storage "
                    + storage.get().name() + " there";
        }
        Optional<ObservedLvm.LogicalVolume> here = observation.lvm().logicalVolume(storage.get().volumeGroup(), name);
        Optional<ObservedLvm.LogicalVolume> there = peer.lvm().logicalVolume(peerStorage.get().volumeGroup(), name);
        if (here.isEmpty() || there.isEmpty()) {
            return "the size of LV " + name + " could not be read on " + (here.isEmpty() ? node.name() : peer.node());
        }
        long size = Math.min(here.get().sizeBytes(), there.get().sizeBytes());
        if (size % 1024 != 0 || size < MINIMUM_DISK) {
            return "its size (" + size + " bytes) cannot be written as a manifest size (whole KiB, at least 1MiB)";
        }
        candidates.add(new Candidate(disk, new VmSpec.DiskSpec(diskName, size, storage.get().name(), true, bus),
                peer.node()));
        return null;
    }

    /** The capacity of the volume, from this cluster's pool for the storage or any pool at the same directory. */
    private static Optional<Long> capacity(DesiredState desired, NodeObservation observation, StorageSpec storage,
                                           String file) {
        String ours = Names.poolName(desired.cluster().name(), storage.name());
        return observation.pools().stream()
                .filter(p -> p.name().equals(ours) || trimSlash(storage.path()).equals(trimSlash(p.path())))
                .sorted(Comparator.comparing((ObservedPool p) -> !p.name().equals(ours)))
                .flatMap(p -> p.volume(file).stream()).map(ObservedPool.ObservedVolume::capacityBytes).findFirst();
    }

    /**
     * The candidates in manifest order, by target: mcvirt gives a vm's disks the targets vda, vdb ... (virtio) and
     * sda, sdb ... (sata and scsi together) in manifest order, so a disk is expressible only where the ones before it
     * on its bus fill the targets before its own.
     */
    static List<VmSpec.DiskSpec> targets(List<Candidate> candidates, List<String> notes) {
        List<VmSpec.DiskSpec> disks = new ArrayList<>();
        Map<String, Integer> next = new TreeMap<>();
        Set<String> names = new HashSet<>();
        for (Candidate candidate : candidates.stream().sorted(Comparator.comparing(c -> c.disk().target())).toList()) {
            VmSpec.DiskBus bus = candidate.spec().bus();
            String group = bus.targetDevice(0);
            int index = next.getOrDefault(group, 0);
            String expected = index < 26 ? bus.targetDevice(index) : null;
            if (!candidate.disk().target().equals(expected)) {
                notes.add(describe(candidate.disk()) + ": mcvirt gives this vm's " + bus.libvirtName() + " disks the"
                        + " targets " + bus.targetDevice(0) + ", " + bus.targetDevice(1) + " ... in manifest order, and"
                        + " this one is at " + candidate.disk().target() + " where mcvirt would put it at "
                        + (expected == null ? "no target" : expected) + "; mcvirt leaves it in the domain as it is,"
                        + " unmanaged");
                continue;
            }
            if (!names.add(candidate.spec().name())) {
                notes.add(describe(candidate.disk()) + ": another disk of the vm has the name " + candidate.spec().name()
                        + "; mcvirt leaves it in the domain as it is, unmanaged");
                continue;
            }
            next.put(group, index + 1);
            disks.add(candidate.spec());
        }
        return disks;
    }

    private static Optional<VmSpec.DiskBus> bus(String libvirtBus) {
        for (VmSpec.DiskBus bus : VmSpec.DiskBus.values()) {
            if (bus.libvirtName().equals(libvirtBus)) {
                return Optional.of(bus);
            }
        }
        return Optional.empty();
    }

    private static String trimSlash(String path) {
        if (path == null) {
            return "";
        }
        String trimmed = path;
        while (trimmed.length() > 1 && trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }

}
