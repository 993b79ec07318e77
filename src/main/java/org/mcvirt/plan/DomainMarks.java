package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.IntRange;
import org.mcvirt.model.Names;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.render.Xml;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.StateReader;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Checks the values mcvirt reads back from a node before any of them is used: the mark on a domain of this cluster
 * (and the one in a saved definition register defines) names a DRBD resource, minor, port, pair and storage that go
 * into drbdadm, lvremove, file paths in the state and DRBD configuration directories and commands on the pair's
 * nodes. Whoever can edit a domain's XML on a node can change them, so a mark is used only when it is what mcvirt
 * itself would have written: the mark's name is the domain's, each replicated disk's resource is
 * {@link Names#drbdResource} of the vm and disk, its minor and port lie in the cluster's ranges and its source is
 * that minor's device, a file disk's source ends in its volume {@link Names#volumeName} (the name a removed vm's volume
 * is deleted by), every pair node is a manifest node, disk and storage names are manifest names, and the image a disk
 * records it was made from (if any) is a manifest name with the first 12 lowercase hex digits of a SHA-256. Anything
 * else makes the vm a plan problem ({@link PlanFinding.Code#MARK_UNTRUSTED}), and nothing of it is planned.
 */
public final class DomainMarks {
    private DomainMarks() {
    }

    /** What is wrong with the mark of a domain of this cluster; empty when it can be used. */
    public static List<String> problems(DesiredState desired, String domain, VmMetadata mark) {
        return problems(desired.nodes().stream().map(NodeSpec::name).collect(Collectors.toSet()),
                desired.cluster().drbdIfEnabled(), true, domain, mark);
    }

    /** Whether a managed domain of this cluster carries a mark that can be used (true for any other domain). */
    static boolean trusted(DesiredState desired, ObservedDomain domain) {
        return !ours(desired, domain) || problems(desired, domain.name(), domain.metadata()).isEmpty();
    }

    private static boolean ours(DesiredState desired, ObservedDomain domain) {
        return domain.managed() && domain.metadata().cluster().equals(desired.cluster().name());
    }

    /**
     * One problem for every domain of this cluster on a read node whose mark cannot be used, for the vms the options
     * include: about the vm, naming the domain, the node and what is wrong.
     */
    static List<PlanFinding> findings(DesiredState desired, ObservedState observed, Planner.Options options) {
        List<PlanFinding> findings = new ArrayList<>();
        for (NodeObservation node : observed.nodes()) {
            if (!node.reachable()) {
                continue;
            }
            for (ObservedDomain domain : node.domains()) {
                if (!ours(desired, domain) || !options.includes(domain.name())) {
                    continue;
                }
                List<String> wrong = problems(desired, domain.name(), domain.metadata());
                if (!wrong.isEmpty()) {
                    findings.add(new PlanFinding(PlanFinding.Code.MARK_UNTRUSTED, PlanFinding.Subject.vm(domain.name(),
                            node.node()), message(domain.name(), node.node(), wrong)));
                }
            }
        }
        return findings;
    }

    /** The vms whose domain on some read node carries a mark that cannot be used. */
    static Set<String> untrustedVms(DesiredState desired, ObservedState observed) {
        Set<String> vms = new HashSet<>();
        for (NodeObservation node : observed.nodes()) {
            node.domains().stream().filter(d -> !trusted(desired, d)).forEach(d -> vms.add(d.name()));
        }
        return vms;
    }

    /** The message of an untrusted mark: the vm, the domain, the node and what is wrong. */
    public static String message(String domain, String node, List<String> problems) {
        return "vm " + domain + ": the mcvirt mark of domain " + domain + " on node " + node + " is not what mcvirt"
                + " writes (" + String.join("; ", problems) + "), so none of its values is used and nothing of the vm"
                + " is planned; put the mark right by hand ('virsh edit " + domain + "' on " + node + ") or remove"
                + " the domain";
    }

    /** rangesKnown: false when the cluster's DRBD ranges are not known (a saved plan applied without its manifests). */
    private static List<String> problems(Set<String> nodes, Optional<DrbdSpec> drbd, boolean rangesKnown, String domain,
                                         VmMetadata mark) {
        List<String> wrong = new ArrayList<>();
        if (!mark.name().equals(domain)) {
            wrong.add("it names vm '" + mark.name() + "'");
        }
        if (mark.pair().size() > 2 || new HashSet<>(mark.pair()).size() != mark.pair().size()) {
            wrong.add("its pair " + mark.pair() + " is not two different nodes");
        }
        for (String member : mark.pair()) {
            if (!nodes.contains(member)) {
                wrong.add("pair node '" + member + "' is not a node of the manifest");
            }
        }
        Set<String> diskNames = new HashSet<>();
        for (VmMetadata.Disk disk : mark.disks()) {
            String which = "disk '" + disk.name() + "'";
            if (!Names.validName(disk.name())) {
                wrong.add(which + " is not a manifest name");
            } else if (!diskNames.add(disk.name())) {
                wrong.add(which + " is recorded twice");
            }
            if (!Names.validName(disk.storage())) {
                wrong.add(which + " has storage '" + disk.storage() + "', not a manifest name");
            }
            if (disk.image() != null) {
                wrong.addAll(image(disk.image(), which));
            }
            if (disk.replicated()) {
                wrong.addAll(replicated(drbd, rangesKnown, domain, disk, which));
            } else if (Names.validName(disk.name())
                    && !disk.source().endsWith("/" + Names.volumeName(domain, disk.name()))) {
                // a removed vm's volume is deleted by the name at the end of its source
                wrong.add(which + " has source '" + disk.source() + "', not a volume " + Names.volumeName(domain,
                        disk.name()));
            }
        }
        return wrong;
    }

    private static final java.util.regex.Pattern SHA12 = java.util.regex.Pattern.compile("[0-9a-f]{12}");

    /** The image a disk records it was made from: a manifest name and the first 12 lowercase hex of a SHA-256. */
    private static List<String> image(VmMetadata.Image image, String which) {
        List<String> wrong = new ArrayList<>();
        if (!Names.validName(image.name())) {
            wrong.add(which + " has image '" + image.name() + "', not a manifest name");
        }
        if (!SHA12.matcher(image.sha256()).matches()) {
            wrong.add(which + " has image-sha256 '" + image.sha256() + "', not 12 lowercase hex digits");
        }
        return wrong;
    }

    /** DRBD's own limits: what a minor and port must lie in when the cluster's ranges are not known. */
    private static final IntRange ANY_MINOR = new IntRange(0, (1 << 20) - 1);
    private static final IntRange ANY_PORT = new IntRange(1, 65535);

    private static List<String> replicated(Optional<DrbdSpec> drbd, boolean rangesKnown, String domain,
                                           VmMetadata.Disk disk, String which) {
        List<String> wrong = new ArrayList<>();
        String resource = Names.drbdResource(domain, disk.name());
        if (!disk.resource().equals(resource)) {
            wrong.add(which + " has resource '" + disk.resource() + "', not " + resource);
        }
        // without ranges to hold them to (drbd off in the manifest, where only removing such a disk is planned, by its
        // resource name; or a saved plan applied without its manifests) DRBD's own limits
        boolean ranges = rangesKnown && drbd.isPresent();
        IntRange minors = ranges ? drbd.get().minors() : ANY_MINOR;
        IntRange ports = ranges ? drbd.get().ports() : ANY_PORT;
        String of = ranges ? "the cluster's " : "DRBD's ";
        if (!within(disk.minor(), minors)) {
            wrong.add(which + " has minor " + disk.minor() + ", outside " + of + "minors " + minors);
        } else if (!("/dev/drbd" + disk.minor()).equals(disk.source())) {
            wrong.add(which + " has source '" + disk.source() + "', not /dev/drbd" + disk.minor());
        }
        if (!within(disk.port(), ports)) {
            wrong.add(which + " has port " + disk.port() + ", outside " + of + "ports " + ports);
        }
        return wrong;
    }

    private static boolean within(Integer value, IntRange range) {
        return value != null && value >= range.first() && value <= range.last();
    }

    /**
     * What is wrong with a saved definition (STATE/domains/VM.xml) that register is about to define for vm: it must
     * be vm's domain and carry mcvirt's mark of this cluster, a mark {@link #problems} finds nothing wrong with whose
     * disks are all replicated, and its devices may use no disk but those DRBD devices (at the targets the mark
     * records). Empty when it can be defined.
     *
     * @param desired the manifests the plan was made from, for the cluster's DRBD ranges; null when a saved plan is
     *                applied without them (then the minor and port are checked against the device only)
     */
    public static List<String> savedDefinitionProblems(String xml, String vm, String cluster, Set<String> nodes,
                                                       DesiredState desired) {
        Document document;
        try {
            document = Xml.parse(xml);
        } catch (RuntimeException e) {
            return List.of("it is not well-formed XML");
        }
        Element root = document.getDocumentElement();
        List<String> wrong = new ArrayList<>();
        String name = Xml.childText(root, "name").map(String::strip).orElse("");
        if (!"domain".equals(Xml.localName(root)) || !name.equals(vm)) {
            wrong.add("it is not the definition of domain " + vm + (name.isEmpty() ? "" : " (it names " + name + ")"));
        }
        Optional<VmMetadata> mark = StateReader.metadata(root);
        if (mark.isEmpty()) {
            wrong.add("it has no mcvirt mark");
            return wrong;
        }
        if (!mark.get().cluster().equals(cluster)) {
            wrong.add("its mark is of cluster '" + mark.get().cluster() + "', not " + cluster);
        }
        wrong.addAll(problems(nodes, desired == null ? Optional.empty() : desired.cluster().drbdIfEnabled(),
                desired != null, vm, mark.get()));
        Set<String> devices = new TreeSet<>();
        for (VmMetadata.Disk disk : mark.get().disks()) {
            if (!disk.replicated()) {
                wrong.add("disk '" + disk.name() + "' is not replicated");
            } else {
                devices.add(disk.target() + "=" + disk.source());
            }
        }
        Optional<Element> deviceList = Xml.child(root, "devices");
        for (Element disk : deviceList.map(d -> Xml.children(d, "disk")).orElse(List.of())) {
            Optional<Element> source = Xml.child(disk, "source");
            String path = source.map(s -> s.hasAttribute("dev") ? s.getAttribute("dev") : s.hasAttribute("file")
                    ? s.getAttribute("file") : s.hasAttribute("name") ? s.getAttribute("name") : "?").orElse(null);
            if (path == null) {
                continue; // an empty drive (a cdrom without media)
            }
            String target = Xml.childAttribute(disk, "target", "dev").orElse("");
            if (!"block".equals(disk.getAttribute("type")) || !devices.contains(target + "=" + path)) {
                wrong.add("its disk at " + (target.isEmpty() ? "no target" : target) + " uses " + path
                        + ", not one of the vm's DRBD devices " + devices);
            }
        }
        return wrong;
    }
}
