package org.mcvirt.plan;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.mcvirt.model.Names;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.render.Xml;
import org.mcvirt.state.StateReader;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Produces a domain's new persistent definition by editing its current one, so everything mcvirt does not
 * manage (PCI addresses, machine type, devices added by hand) is kept as it is.
 */
public final class DomainEditor {
    private DomainEditor() {
    }

    static String edit(String currentXml, Views.DomainView desired, Renderer renderer) {
        Document document = Xml.parse(currentXml);
        Element root = document.getDocumentElement();
        Xml.child(root, "vcpu").ifPresent(v -> {
            v.setTextContent(Integer.toString(desired.cpus()));
            v.removeAttribute("current");
        });
        for (String name : List.of("memory", "currentMemory")) {
            Element memory = Xml.child(root, name).orElseGet(() -> (Element) root.appendChild(document.createElement(name)));
            memory.setAttribute("unit", "KiB");
            memory.setTextContent(Long.toString(desired.memoryKib()));
        }
        Element devices = Xml.child(root, "devices").orElseGet(() -> (Element) root.appendChild(document.createElement("devices")));
        Set<String> wantedMacs = desired.nics().stream().map(Views.NicView::mac).collect(Collectors.toSet());
        Set<String> presentMacs = new HashSet<>();
        for (Element nic : Xml.children(devices, "interface")) {
            String mac = Xml.childAttribute(nic, "mac", "address").map(String::toLowerCase).orElse("");
            String network = Xml.childAttribute(nic, "source", "network").orElse("");
            boolean wanted = desired.nics().stream().anyMatch(n -> n.mac().equals(mac) && n.network().equals(network));
            if (wanted) {
                presentMacs.add(mac);
            } else if (wantedMacs.contains(mac) || isManagedNic(desired, network)) {
                devices.removeChild(nic);
            }
        }
        for (Views.NicView nic : desired.nics()) {
            if (!presentMacs.contains(nic.mac())) {
                Xml.append(devices, renderer.nic(nic));
            }
        }
        // A disk is identified by mcvirt's current mark: the entry with its target and source names the manifest
        // disk it is, whether its source is a file or a block device (a DRBD disk is <source dev='/dev/drbdN'/>).
        // It is kept in place only while the manifest still has that disk at that target and source; otherwise it
        // goes, and the manifest's disk for the target is added below. A disk the mark does not record is matched
        // by target and source, and removed only when its source is one of mcvirt's; anything else stays.
        List<VmMetadata.Disk> recorded = StateReader.metadata(root).map(VmMetadata::disks).orElse(List.of());
        Set<String> managedSources = desired.metadata().disks().stream().map(Views.DiskView::source).collect(Collectors.toSet());
        Set<String> recordedSources = recorded.stream().map(VmMetadata.Disk::source).collect(Collectors.toSet());
        Set<String> presentTargets = new HashSet<>();
        for (Element disk : Xml.children(devices, "disk")) {
            String target = Xml.childAttribute(disk, "target", "dev").orElse("");
            String source = source(disk);
            Optional<VmMetadata.Disk> mark = recorded.stream()
                    .filter(d -> d.target().equals(target) && d.source().equals(source)).findFirst();
            boolean wanted = desired.disks().stream().anyMatch(d -> d.target().equals(target) && d.source().equals(source)
                    && mark.map(m -> m.name().equals(d.name())).orElse(true));
            if (wanted) {
                presentTargets.add(target);
            } else if (recordedSources.contains(source) || managedSources.contains(source)) {
                devices.removeChild(disk);
            }
        }
        for (Views.DiskView disk : desired.disks()) {
            if (!presentTargets.contains(disk.target())) {
                Xml.append(devices, renderer.disk(disk));
            }
        }
        seed(devices, desired, renderer);
        cdrom(devices, desired, renderer);
        boot(root, devices, desired);
        replaceMark(root, desired.metadata(), renderer);
        return Xml.serialize(document);
    }

    /**
     * The vm's cloud-init seed: a CD-ROM whose file is one of this vm's seeds ({@code seed.VM.*.iso}) other than the
     * one wanted goes; the wanted one is added, with a virtio-scsi controller when the domain has no SCSI controller.
     */
    private static void seed(Element devices, Views.DomainView desired, Renderer renderer) {
        Views.SeedView seed = desired.seed();
        boolean added = keepOnly(devices, source -> isSeedOf(desired.name(), source), seed == null ? null
                : seed.source(), seed == null ? null : seed.target(), () -> renderer.seed(seed));
        boolean scsi = Xml.children(devices, "controller").stream().anyMatch(c -> "scsi".equals(c.getAttribute("type")));
        if (added && !scsi) {
            Xml.append(devices, renderer.scsiController());
        }
    }

    /** The installer ISO: a CD-ROM with one of mcvirt's ISOs other than the one wanted goes; the wanted one is added. */
    private static void cdrom(Element devices, Views.DomainView desired, Renderer renderer) {
        Views.CdromView cdrom = desired.cdrom();
        keepOnly(devices, DomainEditor::isIso, cdrom == null ? null : cdrom.source(), cdrom == null ? null
                : cdrom.target(), () -> renderer.cdrom(cdrom));
    }

    /**
     * Of the CD-ROMs whose file is one of mcvirt's kind (ours), keeps one with the wanted file at the wanted name
     * (source null: none) and removes the others; when none was kept, adds the rendered one. A CD-ROM whose name a
     * disk now has is added again under the name it gets now. Returns whether it added one.
     */
    private static boolean keepOnly(Element devices, java.util.function.Predicate<String> ours, String source,
                                    String target, java.util.function.Supplier<String> rendered) {
        boolean present = false;
        for (Element disk : cdroms(devices)) {
            String file = source(disk);
            if (!ours.test(file)) {
                continue;
            }
            if (source != null && source.equals(file) && !present
                    && target.equals(Xml.childAttribute(disk, "target", "dev").orElse(""))) {
                present = true;
            } else {
                devices.removeChild(disk);
            }
        }
        if (source == null || present) {
            return false;
        }
        Xml.append(devices, rendered.get());
        return true;
    }

    private static List<Element> cdroms(Element devices) {
        return Xml.children(devices, "disk").stream().filter(d -> "cdrom".equals(d.getAttribute("device"))).toList();
    }

    /** The first CD-ROM file of a definition that is of mcvirt's kind (ours). */
    private static Optional<String> cdromSource(String definitionXml, java.util.function.Predicate<String> ours) {
        return Xml.child(Xml.parse(definitionXml).getDocumentElement(), "devices").stream()
                .flatMap(devices -> cdroms(devices).stream()).map(DomainEditor::source).filter(ours).findFirst();
    }

    /**
     * The boot order: with the manifest's {@code boot:}, the first disk and the ISO carry their order and the os
     * element none (libvirt refuses both); without it, no disk or CD-ROM carries one and the os element boots the
     * first disk, then the network, as a new vm's does.
     */
    private static void boot(Element root, Element devices, Views.DomainView desired) {
        Element os = Xml.child(root, "os").orElse(null);
        String firstDisk = desired.disks().isEmpty() ? null : desired.disks().get(0).target();
        for (Element disk : Xml.children(devices, "disk")) {
            Xml.children(disk, "boot").forEach(disk::removeChild);
            String target = Xml.childAttribute(disk, "target", "dev").orElse("");
            int order = 0;
            if ("disk".equals(disk.getAttribute("device")) && target.equals(firstDisk)) {
                order = desired.firstDiskBoot();
            } else if (desired.cdrom() != null && "cdrom".equals(disk.getAttribute("device"))
                    && desired.cdrom().source().equals(source(disk))) {
                order = desired.cdrom().boot();
            }
            if (order > 0) {
                Element boot = disk.getOwnerDocument().createElement("boot");
                boot.setAttribute("order", Integer.toString(order));
                disk.appendChild(boot);
            }
        }
        if (os == null) {
            return;
        }
        List<Element> osBoot = Xml.children(os, "boot");
        if (desired.perDeviceBoot()) {
            osBoot.forEach(os::removeChild);
        } else if (osBoot.isEmpty()) {
            for (String dev : List.of("hd", "network")) {
                Element boot = os.getOwnerDocument().createElement("boot");
                boot.setAttribute("dev", dev);
                os.appendChild(boot);
            }
        }
    }

    /** Whether a file is one of mcvirt's installer ISOs ({@code iso.NAME.SHA12.iso}). */
    static boolean isIso(String source) {
        String file = source.substring(source.lastIndexOf('/') + 1);
        return file.startsWith("iso.") && file.endsWith(".iso");
    }

    /** What a definition has of the media mcvirt manages: the vm's seed, its installer ISO, the devices' boot order. */
    public record Media(Optional<String> seed, Optional<String> iso, List<org.mcvirt.model.VmSpec.BootDevice> boot) {
        static final Media NONE = new Media(Optional.empty(), Optional.empty(), List.of());
    }

    /**
     * The media of a definition, read with one parse, and with none when its text names no CD-ROM and no boot order
     * (no {@code cdrom}, no {@code order}): the plan of every vm reads this, and most have neither.
     */
    public static Media media(String definitionXml, String vm) {
        if (!definitionXml.contains("cdrom") && !definitionXml.contains("order")) {
            return Media.NONE;
        }
        return new Media(seedSource(definitionXml, vm), isoSource(definitionXml), bootOrder(definitionXml));
    }

    /** The vm's installer ISO in a definition, if it has one. */
    public static Optional<String> isoSource(String definitionXml) {
        return cdromSource(definitionXml, DomainEditor::isIso);
    }

    /**
     * The boot order a definition gives its devices, as the manifest says it: cdrom for mcvirt's ISO, disk for a disk;
     * empty when no disk or CD-ROM carries one (the os element's order, the default).
     */
    public static List<org.mcvirt.model.VmSpec.BootDevice> bootOrder(String definitionXml) {
        Element devices = Xml.child(Xml.parse(definitionXml).getDocumentElement(), "devices").orElse(null);
        java.util.TreeMap<Integer, org.mcvirt.model.VmSpec.BootDevice> orders = new java.util.TreeMap<>();
        if (devices != null) {
            for (Element disk : Xml.children(devices, "disk")) {
                Optional<String> order = Xml.childAttribute(disk, "boot", "order");
                if (order.isEmpty() || !order.get().matches("\\d{1,3}")) {
                    continue;
                }
                boolean cdrom = "cdrom".equals(disk.getAttribute("device"));
                orders.put(Integer.parseInt(order.get()), cdrom ? org.mcvirt.model.VmSpec.BootDevice.CDROM
                        : org.mcvirt.model.VmSpec.BootDevice.DISK);
            }
        }
        return List.copyOf(orders.values());
    }

    /** Whether a file is one of the vm's cloud-init seeds, by mcvirt's name for them. */
    static boolean isSeedOf(String vm, String source) {
        String file = source.substring(source.lastIndexOf('/') + 1);
        return file.startsWith("seed." + vm + ".") && file.endsWith(".iso");
    }

    /** The file of the vm's cloud-init seed in a definition, if it has one. */
    public static Optional<String> seedSource(String definitionXml, String vm) {
        return cdromSource(definitionXml, source -> isSeedOf(vm, source));
    }

    /** The definition as it is with mcvirt's mark (adopting a domain): nothing else changes. */
    static String mark(String currentXml, Views.MetadataView mark, Renderer renderer) {
        Document document = Xml.parse(currentXml);
        replaceMark(document.getDocumentElement(), mark, renderer);
        return Xml.serialize(document);
    }

    private static void replaceMark(Element root, Views.MetadataView mark, Renderer renderer) {
        Document document = root.getOwnerDocument();
        Element metadata = Xml.child(root, "metadata").orElseGet(() -> (Element) root.insertBefore(
                document.createElement("metadata"), root.getFirstChild()));
        for (Element old : Xml.children(metadata, "vm")) {
            if (Names.METADATA_NAMESPACE.equals(old.getNamespaceURI())) {
                metadata.removeChild(old);
            }
        }
        Xml.append(metadata, renderer.metadata(mark));
    }

    /** A disk's source: its file, or its device for a block disk; empty when it has neither (an empty cdrom). */
    private static String source(Element disk) {
        return Xml.childAttribute(disk, "source", "file").or(() -> Xml.childAttribute(disk, "source", "dev")).orElse("");
    }

    private static boolean isManagedNic(Views.DomainView desired, String network) {
        return Names.manifestName(desired.metadata().cluster(), network).isPresent();
    }
}
