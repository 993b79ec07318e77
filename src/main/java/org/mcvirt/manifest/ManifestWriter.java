package org.mcvirt.manifest;

import java.util.ArrayList;
import java.util.List;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.VmSpec;

/**
 * Writes a vm as a manifest file ({@code mcvirt import}): the fields the loader reads back to the same vm, each
 * default left out only where leaving it out means the same, and notes as comments. Names are manifest names and MACs
 * are quoted, so nothing written needs escaping.
 */
public final class ManifestWriter {
    /** The first line of every file import writes; import overwrites only files that start with it. */
    public static final String HEADER = "# Written by 'mcvirt import'";

    private ManifestWriter() {
    }

    /**
     * One file with one vm. origin says where it was read (shown in the header); notes are what the manifest could not
     * express, one comment each.
     */
    public static String vm(VmSpec vm, String origin, List<String> notes) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER + " from " + origin + ".");
        if (!notes.isEmpty()) {
            lines.add("# Not expressed in this manifest:");
            for (String note : notes) {
                lines.addAll(wrap("#   - ", "#     ", note));
            }
        }
        lines.add("apiVersion: " + ManifestBinder.API_VERSION);
        lines.add("vms:");
        lines.add("  - name: " + vm.name());
        lines.add("    node: " + vm.node());
        if (!vm.pair().isEmpty()) {
            lines.add("    nodes: [" + String.join(", ", vm.pair()) + "]");
        }
        lines.add("    cpus: " + vm.cpus());
        lines.add("    memory: " + Sizes.format(vm.memoryBytes()));
        lines.add("    state: " + vm.state().name().toLowerCase(java.util.Locale.ROOT));
        lines.add("    autostart: " + vm.autostart());
        if (vm.protect()) {
            lines.add("    protect: true");
        }
        if (vm.disks().isEmpty()) {
            lines.add("    disks: []");
        } else {
            lines.add("    disks:");
            for (VmSpec.DiskSpec disk : vm.disks()) {
                lines.add("      - {name: " + disk.name() + ", size: " + Sizes.format(disk.sizeBytes()) + ", storage: "
                        + disk.storage() + (disk.replicated() ? ", replicated: true" : "")
                        + (disk.bus() == VmSpec.DiskBus.VIRTIO ? "" : ", bus: " + disk.bus().libvirtName()) + "}");
            }
        }
        if (vm.nics().isEmpty()) {
            lines.add("    nics: []");
        } else {
            lines.add("    nics:");
            for (VmSpec.NicSpec nic : vm.nics()) {
                lines.add("      - {network: " + nic.network() + ", mac: \"" + nic.mac() + "\"}");
            }
        }
        if (vm.cdrom() != null) {
            lines.add("    cdrom: " + vm.cdrom());
        }
        if (!vm.boot().isEmpty()) {
            lines.add("    boot: [" + String.join(", ", vm.boot().stream().map(b -> b.name().toLowerCase(
                    java.util.Locale.ROOT)).toList()) + "]");
        }
        return String.join("\n", lines) + "\n";
    }

    /** A comment wrapped at about 116 columns, its first line after first, the others after rest (as long). */
    private static List<String> wrap(String first, String rest, String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(first);
        for (String word : text.strip().split("\\s+")) {
            if (line.length() > rest.length() && line.length() + 1 + word.length() > 116) {
                lines.add(line.toString());
                line = new StringBuilder(rest);
            }
            if (line.length() > rest.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
