package org.mcvirt.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Xml;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.StateReader;
import org.w3c.dom.Element;

/**
 * One domain as a manifest vm for {@code mcvirt import}: its cpus, memory and power state, the disks {@link DiskImport}
 * finds expressible (on one pair at most), its NICs, and a note for each part the manifest cannot say. A NIC is
 * expressible only on a network of this cluster in the manifests. Pure.
 */
final class DomainImport {
    private DomainImport() {
    }

    /** The manifest vm for a domain on node, with its notes. */
    static Importer.ImportedVm describe(DesiredState desired, NodeSpec node, NodeObservation observation,
                                        ObservedState observed, ObservedDomain domain) {
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
        List<DiskImport.Candidate> candidates = new ArrayList<>();
        for (ObservedDomain.ObservedDisk disk : domain.disks()) {
            String why = DiskImport.diskCandidate(desired, node, observation, observed, vm, disk, candidates);
            if (why != null) {
                notes.add(DiskImport.describe(disk) + ": " + why
                        + "; mcvirt leaves it in the domain as it is, unmanaged");
            }
        }
        List<VmSpec.DiskSpec> disks = DiskImport.targets(candidates, notes);
        List<String> peers = candidates.stream().filter(c -> c.spec().replicated()
                && disks.contains(c.spec())).map(DiskImport.Candidate::peer).distinct().toList();
        List<VmSpec.DiskSpec> kept = new ArrayList<>();
        for (VmSpec.DiskSpec disk : disks) {
            DiskImport.Candidate from = candidates.stream().filter(c -> c.spec() == disk).findFirst().orElseThrow();
            if (disk.replicated() && peers.size() > 1) {
                notes.add(DiskImport.describe(from.disk()) + ": its DRBD peer is " + from.peer()
                        + ", but the vm's replicated disks are on more than one pair (" + String.join(", ", peers)
                        + "); a vm has one pair, so mcvirt leaves it in the domain as it is, unmanaged");
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
        String cdrom = cdrom(desired, domain, vm, notes);
        List<VmSpec.BootDevice> boot = domain.definition() == null ? List.of()
                : org.mcvirt.plan.DomainEditor.bootOrder(domain.definition());
        if (boot.contains(VmSpec.BootDevice.CDROM) && cdrom == null || boot.size() > 2) {
            notes.add("its boot order " + boot + " names devices the manifest does not have; the manifest keeps the"
                    + " default order (the first disk, then the network)");
            boot = List.of();
        }
        VmSpec spec = new VmSpec(vm, node.name(), domain.vcpus(), domain.memoryKib() * 1024,
                domain.active() ? VmSpec.PowerState.RUNNING : VmSpec.PowerState.STOPPED, domain.autostart(),
                managed && domain.metadata().protect(), kept, nics, List.of(), List.of(), pair, VmSpec.Migration.OFFLINE,
                null, cdrom, boot);
        return new Importer.ImportedVm(spec, managed, notes);
    }

    /**
     * The vm's installer ISO when its CD-ROM is one of mcvirt's ISOs that the manifests define (by the volume's name,
     * {@code iso.NAME.SHA12.iso}); any other CD-ROM, and a cloud-init seed, is a note (a seed's files are not read back:
     * give cloudInit its user data).
     */
    private static String cdrom(DesiredState desired, ObservedDomain domain, String vm, List<String> notes) {
        if (domain.definition() == null) {
            return null;
        }
        Optional<String> seed = org.mcvirt.plan.DomainEditor.seedSource(domain.definition(), vm);
        seed.ifPresent(s -> notes.add("cdrom " + s + ": its cloud-init seed; the seed's files are not read back, so"
                + " give the vm cloudInit: with its user data (a plan then writes a seed of its own)"));
        Optional<String> iso = org.mcvirt.plan.DomainEditor.isoSource(domain.definition());
        if (iso.isEmpty()) {
            return null;
        }
        String file = iso.get().substring(iso.get().lastIndexOf('/') + 1);
        Optional<org.mcvirt.model.IsoSpec> known = desired.isos().stream().filter(i -> i.volumeName().equals(file))
                .findFirst();
        if (known.isEmpty()) {
            notes.add("cdrom " + iso.get() + ": no ISO of the manifests is this file (by its name and SHA-256); add it"
                    + " to isos: and import again, or a plan ejects it");
            return null;
        }
        return known.get().name();
    }

    private static long kib(Element memory) {
        return StateReader.kib(memory);
    }
}
