package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.testing.XmlValidator;

class DomainEditorTest {
    private static final String CURRENT = """
            <domain type='qemu'>
              <name>vm</name>
              <uuid>4b1c1c52-4d2f-4a4e-9b59-0c9f3f6a1a11</uuid>
              <metadata>
                <other:note xmlns:other='https://example.org/other'>kept</other:note>
                <mcvirt:vm xmlns:mcvirt='https://mcvirt.org/xmlns/domain/1'>
                  <mcvirt:cluster>c</mcvirt:cluster>
                  <mcvirt:name>vm</mcvirt:name>
                  <mcvirt:protect>false</mcvirt:protect>
                  <mcvirt:disk name='old' storage='images' target='vdb' source='/img/vm-old.qcow2'/>
                </mcvirt:vm>
              </metadata>
              <memory unit='KiB'>131072</memory>
              <currentMemory unit='KiB'>131072</currentMemory>
              <vcpu placement='static' current='1'>2</vcpu>
              <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>
              <devices>
                <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/vm-old.qcow2'/>
                  <target dev='vdb' bus='virtio'/><address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></disk>
                <disk type='file' device='cdrom'><source file='/iso/by-hand.iso'/><target dev='hdc' bus='ide'/></disk>
                <interface type='network'><mac address='52:54:00:00:00:01'/><source network='mcvirt.c.net'/>
                  <model type='virtio'/><address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/></interface>
                <interface type='network'><mac address='52:54:00:00:00:09'/><source network='default'/></interface>
              </devices>
            </domain>
            """;

    @Test
    void changesOnlyWhatMcvirtManagesAndKeepsEverythingElse() throws Exception {
        ClusterSpec cluster = new ClusterSpec("c", null);
        NodeSpec node = new NodeSpec("n", true, null, null, null, null, "qemu:///system", NodeSpec.DomainType.QEMU,
                "/var/lib/mcvirt", "/etc/drbd.d", List.of(new StorageSpec("images", StorageSpec.StorageType.FILE, null, "/img")));
        VmSpec vm = new VmSpec("vm", "n", 4, 256L << 20, VmSpec.PowerState.RUNNING, false, true,
                List.of(new VmSpec.DiskSpec("root", 1L << 30, "images", false, VmSpec.DiskBus.VIRTIO)),
                List.of(new VmSpec.NicSpec("net", "52:54:00:00:00:01"), new VmSpec.NicSpec("net", "52:54:00:00:00:02")),
                List.of(), List.of());
        Renderer renderer = new Renderer(Optional.empty());
        String edited = DomainEditor.edit(CURRENT, Views.domain(cluster, node, vm, "4b1c1c52-4d2f-4a4e-9b59-0c9f3f6a1a11"),
                renderer);
        XmlValidator.assertValid(edited, "domain");
        assertThat(edited)
                .contains("<vcpu placement=\"static\">4</vcpu>", "<memory unit=\"KiB\">262144</memory>",
                        "<currentMemory unit=\"KiB\">262144</currentMemory>")
                // mcvirt's own devices: the removed disk goes, the new disk and NIC come, the kept NIC keeps its address
                .doesNotContain("/img/vm-old.qcow2")
                .contains("/img/vm-root.qcow2", "52:54:00:00:00:02", "slot=\"0x03\"")
                // what mcvirt does not manage stays as it was
                .contains("/iso/by-hand.iso", "<source network=\"default\"/>", "machine=\"pc-i440fx-7.2\"",
                        "<other:note xmlns:other=\"https://example.org/other\">kept</other:note>")
                .contains("<mcvirt:protect>true</mcvirt:protect>", "name=\"root\"");
    }
}
