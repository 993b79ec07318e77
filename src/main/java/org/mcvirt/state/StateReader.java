package org.mcvirt.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.mcvirt.model.Names;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.node.LibvirtNode;
import org.mcvirt.node.NodeException;
import org.mcvirt.render.Xml;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Reads one node through libvirt and parses what it returns into observed-state records. Only reads. */
public final class StateReader {
    private StateReader() {
    }

    /** Reads a node for any cluster: no pool is refreshed (see {@link #read(LibvirtNode, String)}). */
    public static NodeObservation read(LibvirtNode node) throws NodeException {
        return read(node, null);
    }

    /**
     * Reads a node for a cluster. Only the cluster's own pools are refreshed; a pool of someone else's that cannot be
     * read is a warning naming it, never a reason to give up on the node.
     */
    public static NodeObservation read(LibvirtNode node, String cluster) throws NodeException {
        java.util.function.Predicate<String> ours = name -> cluster != null && Names.manifestName(cluster, name).isPresent();
        // parsing is pure and per domain: on more than one core it runs alongside (order is kept)
        List<ObservedDomain> domains = node.domains().parallelStream().map(StateReader::domain).toList();
        List<ObservedNetwork> networks = node.networks().stream().map(StateReader::network).toList();
        List<ObservedPool> pools = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (LibvirtNode.PoolRecord record : node.pools(ours)) {
            pools.add(pool(record));
            if (record.error() != null && !ours.test(record.name())) {
                warnings.add("storage pool " + record.name() + " on node " + node.node() + " is not this cluster's and"
                        + " cannot be read (" + record.error() + "); it was left alone");
            }
        }
        return new NodeObservation(node.node(), true, null, node.libvirtVersion(), node.hypervisorVersion(), domains,
                networks, pools, warnings);
    }

    /** One domain as libvirt gave it, parsed (pure: also for tests that build observed states by hand). */
    public static ObservedDomain domain(LibvirtNode.DomainRecord record) {
        Element root = Xml.parse(record.inactiveXml()).getDocumentElement();
        int vcpus;
        long memoryKib;
        int liveVcpus;
        long liveMemoryKib;
        Element live = record.liveXml() == null ? null : Xml.parse(record.liveXml()).getDocumentElement();
        try {
            vcpus = Xml.childText(root, "vcpu").map(text -> count("<vcpu>", text)).orElse(1);
            memoryKib = Xml.child(root, "memory").map(StateReader::kib).orElse(0L);
            liveVcpus = live == null ? vcpus : Xml.child(live, "vcpu")
                    .map(e -> e.hasAttribute("current") ? e.getAttribute("current") : e.getTextContent().strip())
                    .map(text -> count("<vcpu> (running)", text)).orElse(vcpus);
            liveMemoryKib = live == null ? memoryKib
                    : Xml.child(live, "currentMemory").map(StateReader::kib).orElse(memoryKib);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("domain " + record.name() + ": " + e.getMessage(), e);
        }
        Integer vncPort = null;
        if (live != null) {
            vncPort = Xml.child(live, "devices").flatMap(d -> Xml.children(d, "graphics").stream()
                    .filter(g -> "vnc".equals(g.getAttribute("type"))).findFirst())
                    .map(g -> g.getAttribute("port")).filter(p -> p.matches("\\d{1,5}")).map(Integer::valueOf).orElse(null);
        }
        List<ObservedDomain.ObservedDisk> disks = new ArrayList<>();
        List<ObservedDomain.ObservedNic> nics = new ArrayList<>();
        Optional<Element> devices = Xml.child(root, "devices");
        if (devices.isPresent()) {
            for (Element disk : Xml.children(devices.get(), "disk")) {
                if (!"disk".equals(disk.getAttribute("device"))) {
                    continue;
                }
                String source = Xml.child(disk, "source")
                        .map(s -> s.hasAttribute("file") ? s.getAttribute("file") : s.getAttribute("dev")).orElse(null);
                disks.add(new ObservedDomain.ObservedDisk(Xml.childAttribute(disk, "target", "dev").orElse(null),
                        Xml.childAttribute(disk, "target", "bus").orElse(null), source));
            }
            for (Element nic : Xml.children(devices.get(), "interface")) {
                String type = nic.getAttribute("type");
                String source = Xml.child(nic, "source").map(s -> s.hasAttribute("network") ? s.getAttribute("network")
                        : s.getAttribute("bridge")).orElse(null);
                nics.add(new ObservedDomain.ObservedNic(
                        Xml.childAttribute(nic, "mac", "address").map(m -> m.toLowerCase(Locale.ROOT)).orElse(null),
                        type, source));
            }
        }
        return new ObservedDomain(record.name(), record.uuid(), record.active(), record.runState(), record.persistent(),
                record.autostart(), vcpus, memoryKib, liveVcpus, liveMemoryKib, disks, nics, vncPort,
                metadata(root).orElse(null), record.inactiveXml());
    }

    /** mcvirt's mark, if the domain carries it. */
    public static Optional<VmMetadata> metadata(Element domain) {
        return Xml.child(domain, "metadata").flatMap(m -> Xml.children(m, "vm").stream()
                .filter(e -> Names.METADATA_NAMESPACE.equals(e.getNamespaceURI())).findFirst())
                .map(vm -> new VmMetadata(Xml.childText(vm, "cluster").orElse(""), Xml.childText(vm, "name").orElse(""),
                        Xml.childText(vm, "protect").map("true"::equals).orElse(false),
                        Xml.children(vm, "disk").stream().map(d -> new VmMetadata.Disk(d.getAttribute("name"),
                                d.getAttribute("storage"), d.getAttribute("target"), d.getAttribute("source"),
                                d.hasAttribute("resource") ? d.getAttribute("resource") : null,
                                integer(d, "minor"), integer(d, "port"), image(d))).toList(),
                        Xml.children(vm, "pair-node").stream().map(e -> e.getTextContent().strip()).toList()));
    }

    /**
     * The image a mark's disk records it was made from; null when it records none (a mark of an older build, of an
     * adopted domain, or of a disk made empty). Either attribute alone reads as both, the other empty, for DomainMarks
     * to refuse.
     */
    private static VmMetadata.Image image(Element disk) {
        if (!disk.hasAttribute("image") && !disk.hasAttribute("image-sha256")) {
            return null;
        }
        return new VmMetadata.Image(disk.getAttribute("image"), disk.getAttribute("image-sha256"));
    }

    private static Integer integer(Element element, String attribute) {
        String value = element.getAttribute(attribute);
        return value.matches("\\d{1,9}") ? Integer.valueOf(value) : null;
    }

    public static Optional<VmMetadata> metadata(Document domain) {
        return metadata(domain.getDocumentElement());
    }

    static ObservedNetwork network(LibvirtNode.NetworkRecord record) {
        Element root = Xml.parse(record.xml()).getDocumentElement();
        // mcvirt renders one IPv4 <ip>; an IPv6 one a person added is not what the manifest describes
        Optional<Element> ip = Xml.children(root, "ip").stream()
                .filter(e -> !"ipv6".equals(e.getAttribute("family"))).findFirst();
        Optional<Element> range = ip.flatMap(e -> Xml.child(e, "dhcp")).flatMap(d -> Xml.child(d, "range"));
        return new ObservedNetwork(record.name(), record.active(), record.persistent(), record.autostart(),
                Xml.childAttribute(root, "forward", "mode").orElse(null),
                Xml.childAttribute(root, "bridge", "name").orElse(null),
                ip.map(e -> attribute(e, "address")).orElse(null),
                ip.map(StateReader::netmask).orElse(null),
                range.map(e -> attribute(e, "start")).orElse(null),
                range.map(e -> attribute(e, "end")).orElse(null));
    }

    /** libvirt takes an IPv4 mask as netmask='255.255.255.0' or as prefix='24'; both read as the netmask. */
    private static String netmask(Element ip) {
        String netmask = attribute(ip, "netmask");
        String prefix = attribute(ip, "prefix");
        if (netmask != null || prefix == null || !prefix.matches("\\d{1,2}") || Integer.parseInt(prefix) > 32) {
            return netmask;
        }
        long mask = (0xffffffffL << (32 - Integer.parseInt(prefix))) & 0xffffffffL;
        return (mask >> 24) + "." + ((mask >> 16) & 255) + "." + ((mask >> 8) & 255) + "." + (mask & 255);
    }

    private static String attribute(Element element, String name) {
        return element.hasAttribute(name) ? element.getAttribute(name) : null;
    }

    static ObservedPool pool(LibvirtNode.PoolRecord record) {
        Element root = record.xml() == null ? null : Xml.parse(record.xml()).getDocumentElement();
        String path = root == null ? null : Xml.child(root, "target").flatMap(t -> Xml.childText(t, "path")).orElse(null);
        return new ObservedPool(record.name(), root == null ? null : root.getAttribute("type"), record.active(),
                record.autostart(), path, record.volumes().stream()
                        .map(v -> new ObservedPool.ObservedVolume(v.name(), v.path(), v.capacityBytes())).toList(),
                record.error());
    }

    /** A libvirt memory element in KiB, whatever its unit attribute says. */
    public static long kib(Element memory) {
        String text = memory.getTextContent().strip();
        String what = "<" + memory.getLocalName() + ">";
        if (!text.matches("\\d{1,18}")) {
            throw new IllegalArgumentException(what + " is not a whole number: '" + text + "'");
        }
        long value = Long.parseLong(text);
        String unit = memory.getAttribute("unit");
        try {
            return switch (unit.isEmpty() ? "KiB" : unit) {
                case "b", "bytes" -> value / 1024;
                case "KB" -> Math.multiplyExact(value, 1000) / 1024;
                case "MiB", "M" -> Math.multiplyExact(value, 1024);
                case "MB" -> Math.multiplyExact(value, 1_000_000) / 1024;
                case "GiB", "G" -> Math.multiplyExact(value, 1024 * 1024);
                case "GB" -> Math.multiplyExact(value, 1_000_000_000) / 1024;
                default -> value;
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + " is too large: " + text + " " + unit);
        }
    }

    /** A count such as a number of vcpus; what names the element for the message. */
    private static int count(String what, String text) {
        if (!text.strip().matches("\\d{1,9}")) {
            throw new IllegalArgumentException(what + " is not a whole number: '" + text + "'");
        }
        return Integer.parseInt(text.strip());
    }
}
