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
import java.util.stream.Stream;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.plan.AttributeChange;
import org.mcvirt.plan.ChangeKind;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.ResourceChange;
import org.mcvirt.plan.StepKind;
import org.mcvirt.plan.StepPayload;
import org.mcvirt.render.Xml;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedLvm;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.StateReader;
import org.w3c.dom.Element;

/**
 * What {@code mcvirt import} makes of the domains on the nodes: for each one a manifest vm that plans as no change, and
 * a note for everything of the domain the manifest cannot say (mcvirt then leaves that part as it is, or the note says
 * what a plan would do with it). Pure: it works on the observed state, so it is tested without a node.
 *
 * <p>Only what mcvirt itself would derive the same way is written: a file disk is expressible only as the volume
 * {@code VM-DISK.qcow2} in a file storage of the node (mcvirt derives a disk's path from its names), a replicated disk
 * only as DRBD resource {@code mcvirt_VM_DISK} on LVs of that name in an lvm storage on both nodes of a pair, and disks
 * only at the targets mcvirt gives them (vda, vdb ... per bus, in manifest order). A NIC is expressible only on a
 * network of this cluster in the manifests.
 */
public final class Importer {
    private static final Pattern DRBD_DEVICE = Pattern.compile("/dev/drbd(\\d+)");
    private static final long MINIMUM_MEMORY = 16L << 20;
    private static final long MINIMUM_DISK = 1L << 20;

    private Importer() {
    }

    /** A vm import writes: the manifest's vm, the node it was found on, and what the manifest leaves out. */
    public record ImportedVm(VmSpec vm, boolean managed, List<String> notes) {
        public ImportedVm {
            notes = List.copyOf(notes);
        }
    }

    /**
     * What import does with the domains: the vms to write, the vms already in the manifests whose domain is unmanaged
     * (adopted as the manifests describe them), and one line for each domain left out, with why.
     */
    public record Selection(List<ImportedVm> vms, List<String> inManifests, List<String> skipped) {
        public Selection {
            vms = List.copyOf(vms);
            inManifests = List.copyOf(inManifests);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * The domains to import: those named, or every domain on the manifests' nodes that is unmanaged or this cluster's
     * and not in the manifests. A named domain found on no node that was read is refused before anything is written.
     */
    public static Selection select(DesiredState desired, ObservedState observed, List<String> names) throws McvirtException {
        String cluster = desired.cluster().name();
        Map<String, List<NodeObservation>> where = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        for (NodeSpec spec : desired.nodes()) {
            Optional<NodeObservation> node = observed.node(spec.name());
            if (node.isEmpty() || !node.get().reachable()) {
                skipped.add("node " + spec.name() + " could not be read, so none of its domains is imported"
                        + node.map(n -> " (" + n.error() + ")").orElse(""));
                continue;
            }
            for (ObservedDomain domain : node.get().domains()) {
                where.computeIfAbsent(domain.name(), n -> new ArrayList<>()).add(node.get());
            }
        }
        List<String> missing = names.stream().filter(n -> !where.containsKey(n)).distinct().toList();
        if (!missing.isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "no domain named " + String.join(", ", missing)
                    + " on the nodes that were read; nothing was written");
        }
        List<ImportedVm> vms = new ArrayList<>();
        List<String> inManifests = new ArrayList<>();
        for (String name : names.isEmpty() ? List.copyOf(where.keySet()) : names.stream().distinct().sorted().toList()) {
            List<NodeObservation> nodes = where.get(name);
            if (nodes.size() > 1) {
                skipped.add(name + ": defined on nodes " + String.join(", ", nodes.stream().map(NodeObservation::node)
                        .toList()) + "; a vm has one definition: undefine the stale one first");
                continue;
            }
            NodeObservation node = nodes.get(0);
            ObservedDomain domain = node.domain(name).orElseThrow();
            if (domain.managed() && !domain.metadata().cluster().equals(cluster)) {
                skipped.add(name + ": managed by mcvirt cluster " + domain.metadata().cluster() + ", not " + cluster);
                continue;
            }
            if (desired.vm(name).isPresent()) {
                if (domain.managed()) {
                    skipped.add(name + ": already in the manifests and managed by mcvirt; nothing to import");
                } else {
                    skipped.add(name + ": already in the manifests, so no file is written for it; --adopt adopts it"
                            + " as the manifests describe it");
                    inManifests.add(name);
                }
                continue;
            }
            String refused = refusal(domain);
            if (refused != null) {
                skipped.add(name + ": " + refused);
                continue;
            }
            vms.add(describe(desired, desired.node(node.node()).orElseThrow(), node, observed, domain));
        }
        return new Selection(vms, inManifests, skipped);
    }

    /** Why a domain cannot be a manifest vm at all, or null. */
    private static String refusal(ObservedDomain domain) {
        if (!Names.validName(domain.name())) {
            return "its name is not a manifest name (1-63 lowercase letters, digits and '-'; mcvirt names the domain"
                    + " after the vm); rename it first (virsh domrename)";
        }
        if (!domain.persistent()) {
            return "it is transient (running without a definition); mcvirt manages defined domains (virsh define it"
                    + " first)";
        }
        if (domain.memoryKib() * 1024 < MINIMUM_MEMORY) {
            return "its memory (" + Sizes.formatKib(domain.memoryKib()) + ") is below the manifest's"
                    + " minimum of 16MiB";
        }
        if (domain.vcpus() < 1 || domain.vcpus() > 256) {
            return "its " + domain.vcpus() + " vcpus are outside the manifest's 1-256";
        }
        return null;
    }

    /** A disk the manifest can express, before its target is checked. */
    private record Candidate(ObservedDomain.ObservedDisk disk, VmSpec.DiskSpec spec, String peer) {
    }

    static ImportedVm describe(DesiredState desired, NodeSpec node, NodeObservation observation, ObservedState observed,
                               ObservedDomain domain) {
        List<String> notes = new ArrayList<>();
        String vm = domain.name();
        Element root = Xml.parse(domain.definition()).getDocumentElement();
        Xml.child(root, "vcpu").filter(v -> v.hasAttribute("current")).map(v -> v.getAttribute("current"))
                .filter(current -> !current.equals(Integer.toString(domain.vcpus())))
                .ifPresent(current -> notes.add("the domain starts with " + current + " of its " + domain.vcpus()
                        + " vcpus (vcpu current); the manifest says cpus: " + domain.vcpus() + ", which mcvirt sets as"
                        + " both when it next changes the domain's definition"));
        Xml.child(root, "currentMemory").map(m -> kib(m)).filter(current -> current != domain.memoryKib())
                .ifPresent(current -> notes.add("the domain's current memory is " + Sizes
                        .formatKib(current) + " of its " + Sizes.formatKib(domain.memoryKib())
                        + "; the manifest says memory: " + Sizes.formatKib(domain.memoryKib())
                        + ", which mcvirt sets as both when it next changes the domain's definition"));
        if ("paused".equals(domain.runState())) {
            notes.add("the domain is paused; the manifest says state: running (mcvirt neither pauses nor resumes)");
        }
        List<Candidate> candidates = new ArrayList<>();
        for (ObservedDomain.ObservedDisk disk : domain.disks()) {
            String why = diskCandidate(desired, node, observation, observed, vm, disk, candidates);
            if (why != null) {
                notes.add(describe(disk) + ": " + why + "; mcvirt leaves it in the domain as it is, unmanaged");
            }
        }
        List<VmSpec.DiskSpec> disks = targets(candidates, notes);
        List<String> peers = candidates.stream().filter(c -> c.spec().replicated()
                && disks.contains(c.spec())).map(Candidate::peer).distinct().toList();
        List<VmSpec.DiskSpec> kept = new ArrayList<>();
        for (VmSpec.DiskSpec disk : disks) {
            Candidate from = candidates.stream().filter(c -> c.spec() == disk).findFirst().orElseThrow();
            if (disk.replicated() && peers.size() > 1) {
                notes.add(describe(from.disk()) + ": its DRBD peer is " + from.peer() + ", but the vm's replicated disks"
                        + " are on more than one pair (" + String.join(", ", peers) + "); a vm has one pair, so mcvirt"
                        + " leaves it in the domain as it is, unmanaged");
                continue;
            }
            kept.add(disk);
        }
        List<VmSpec.NicSpec> nics = new ArrayList<>();
        for (ObservedDomain.ObservedNic nic : domain.nics()) {
            Optional<String> network = "network".equals(nic.type())
                    ? Names.manifestName(desired.cluster().name(), nic.source()) : Optional.empty();
            String what = "nic " + (nic.mac() == null ? "without a MAC" : nic.mac()) + " (" + nic.type() + " "
                    + nic.source() + ")";
            if (nic.mac() == null) {
                notes.add(what + ": it has no MAC address; mcvirt leaves it in the domain as it is, unmanaged");
            } else if (network.isPresent() && desired.network(network.get()).isPresent()) {
                nics.add(new VmSpec.NicSpec(network.get(), nic.mac()));
            } else if (network.isPresent()) {
                notes.add(what + ": network " + network.get() + " is this cluster's but not in the manifests; a plan"
                        + " removes this nic (add the network to the manifests, then import again)");
            } else {
                notes.add(what + ": not on a network of cluster " + desired.cluster().name() + " (mcvirt's are named "
                        + Names.networkName(desired.cluster().name(), "NAME") + "); mcvirt leaves it in the domain as it"
                        + " is, unmanaged");
            }
        }
        List<String> pair = kept.stream().anyMatch(VmSpec.DiskSpec::replicated)
                ? Stream.of(node.name(), peers.get(0)).sorted().toList() : List.of();
        boolean managed = domain.managed();
        VmSpec spec = new VmSpec(vm, node.name(), domain.vcpus(), domain.memoryKib() * 1024,
                domain.active() ? VmSpec.PowerState.RUNNING : VmSpec.PowerState.STOPPED, domain.autostart(),
                managed && domain.metadata().protect(), kept, nics, List.of(), List.of(), pair, VmSpec.Migration.OFFLINE);
        return new ImportedVm(spec, managed, notes);
    }

    private static String describe(ObservedDomain.ObservedDisk disk) {
        return "disk " + disk.target() + " (" + disk.bus() + ", " + (disk.source() == null ? "no source" : disk.source())
                + ")";
    }

    /** Adds the disk to candidates when the manifest can express it; otherwise returns why not. */
    private static String diskCandidate(DesiredState desired, NodeSpec node, NodeObservation observation,
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
    private static List<VmSpec.DiskSpec> targets(List<Candidate> candidates, List<String> notes) {
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

    private static long kib(Element memory) {
        return StateReader.kib(memory);
    }

    /**
     * What a plan made to adopt vms shows besides adopting them: every change other than a vm's {@code managed}
     * attribute, and every problem. Empty when adopting changes nothing else.
     */
    public static List<String> beyondAdoption(Plan plan) {
        List<String> findings = new ArrayList<>(plan.problemMessages());
        for (ResourceChange change : plan.changes()) {
            List<AttributeChange> other = change.attributes().stream().filter(a -> change.kind() != ChangeKind.VM
                    || !"managed".equals(a.name())).toList();
            if (change.kind() != ChangeKind.VM || change.action() != org.mcvirt.plan.Action.UPDATE) {
                findings.add(change.address() + ": " + change.action().verb() + (change.reason() == null ? ""
                        : " (" + change.reason() + ")"));
                continue;
            }
            for (AttributeChange attribute : other) {
                findings.add(change.address() + ": " + attribute.name() + " = " + attribute.before() + " -> "
                        + attribute.after());
            }
        }
        plan.steps().stream().filter(step -> step.kind() != StepKind.DEFINE_DOMAIN
                || !step.payload(StepPayload.DefineDomain.class).adoptionOnly()).forEach(step -> findings.add("step "
                + step.kind() + " on " + step.node() + ": " + step.description()));
        return findings.stream().distinct().toList();
    }
}
