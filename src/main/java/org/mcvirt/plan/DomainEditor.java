package org.mcvirt.plan;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.render.Xml;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Produces a domain's new persistent definition by editing its current one, so everything mcvirt does not
 * manage (PCI addresses, machine type, devices added by hand) is kept as it is.
 */
final class DomainEditor {
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
        Set<String> presentMacs = new java.util.HashSet<>();
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
        Set<String> managedSources = desired.metadata().disks().stream().map(Views.DiskView::source).collect(Collectors.toSet());
        // the disks mcvirt made, from the current mark: one removed from the manifest is removed here
        Set<String> madeByMcvirt = org.mcvirt.state.StateReader.metadata(root)
                .map(m -> m.disks().stream().map(d -> d.source()).collect(Collectors.toSet())).orElse(Set.of());
        Set<String> presentTargets = new java.util.HashSet<>();
        for (Element disk : Xml.children(devices, "disk")) {
            String target = Xml.childAttribute(disk, "target", "dev").orElse("");
            String source = Xml.childAttribute(disk, "source", "file").orElse("");
            boolean wanted = desired.disks().stream().anyMatch(d -> d.target().equals(target) && d.source().equals(source));
            if (wanted) {
                presentTargets.add(target);
            } else if (managedSources.contains(source) || madeByMcvirt.contains(source)) {
                devices.removeChild(disk);
            }
        }
        for (Views.DiskView disk : desired.disks()) {
            if (!presentTargets.contains(disk.target())) {
                Xml.append(devices, renderer.disk(disk));
            }
        }
        Element metadata = Xml.child(root, "metadata").orElseGet(() -> (Element) root.insertBefore(
                document.createElement("metadata"), root.getFirstChild()));
        for (Element old : Xml.children(metadata, "vm")) {
            if (org.mcvirt.model.Names.METADATA_NAMESPACE.equals(old.getNamespaceURI())) {
                metadata.removeChild(old);
            }
        }
        Xml.append(metadata, renderer.metadata(desired.metadata()));
        return Xml.serialize(document);
    }

    private static boolean isManagedNic(Views.DomainView desired, String network) {
        return org.mcvirt.model.Names.manifestName(desired.metadata().cluster(), network).isPresent();
    }
}
