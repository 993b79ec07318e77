package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
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

    private static String editedCurrent() throws Exception {
        ClusterSpec cluster = new ClusterSpec("c", null);
        NodeSpec node = new NodeSpec("n", true, null, null, null, null, "qemu:///system", NodeSpec.DomainType.QEMU,
                "/var/lib/mcvirt", "/etc/drbd.d", List.of(new StorageSpec("images", StorageSpec.StorageType.FILE, null, "/img")));
        VmSpec vm = new VmSpec("vm", "n", 4, 256L << 20, VmSpec.PowerState.RUNNING, false, true,
                List.of(new VmSpec.DiskSpec("root", 1L << 30, "images", false, VmSpec.DiskBus.VIRTIO)),
                List.of(new VmSpec.NicSpec("net", "52:54:00:00:00:01"), new VmSpec.NicSpec("net", "52:54:00:00:00:02")),
                List.of(), List.of());
        Renderer renderer = new Renderer(Optional.empty());
        return DomainEditor.edit(CURRENT, Views.domain(cluster, node, vm, "4b1c1c52-4d2f-4a4e-9b59-0c9f3f6a1a11"),
                renderer);
    }

    @Test
    void changesOnlyWhatMcvirtManagesAndKeepsEverythingElse() throws Exception {
        String edited = editedCurrent();
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

    /** A domain whose one disk is the DRBD block device /dev/drbd100, recorded in the mark as manifest disk data. */
    private static final String BLOCK = """
            <domain type='qemu'>
              <name>vm</name>
              <uuid>4b1c1c52-4d2f-4a4e-9b59-0c9f3f6a1a11</uuid>
              <metadata>
                <mcvirt:vm xmlns:mcvirt='https://mcvirt.org/xmlns/domain/1'>
                  <mcvirt:cluster>c</mcvirt:cluster>
                  <mcvirt:name>vm</mcvirt:name>
                  <mcvirt:protect>false</mcvirt:protect>
                  <mcvirt:disk name='data' storage='fast' target='vdb' source='/dev/drbd100'/>
                </mcvirt:vm>
              </metadata>
              <memory unit='KiB'>131072</memory>
              <currentMemory unit='KiB'>131072</currentMemory>
              <vcpu placement='static'>1</vcpu>
              <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>
              <devices>
                <disk type='block' device='disk'><driver name='qemu' type='raw' cache='none'/><source dev='/dev/drbd100'/>
                  <target dev='vdb' bus='virtio'/><address type='pci' domain='0x0000' bus='0x00' slot='0x08' function='0x0'/></disk>
              </devices>
            </domain>
            """;

    private static Views.DomainView desired(long memoryKib, Views.DiskView... disks) {
        return new Views.DomainView("qemu", "vm", "4b1c1c52-4d2f-4a4e-9b59-0c9f3f6a1a11", memoryKib, 1, List.of(disks),
                List.of(), new Views.MetadataView(org.mcvirt.model.Names.METADATA_NAMESPACE, "c", "vm", false, List.of(disks),
                        List.of()), null);
    }

    private static int disks(String xml) {
        return xml.split("<disk ", -1).length - 1;
    }

    private static Views.DomainView blockWithMoreMemory() {
        return desired(262144, new Views.DiskView("data", "fast", "vdb", "virtio", "/dev/drbd100"));
    }

    @Test
    void aBlockDeviceDiskRecordedInTheMarkIsKeptInPlaceWhenMemoryChangesNeverAddedAgain() throws Exception {
        Renderer renderer = new Renderer(Optional.empty());
        Views.DomainView desired = blockWithMoreMemory();
        String edited = DomainEditor.edit(BLOCK, desired, renderer);
        assertThat(edited).contains("<memory unit=\"KiB\">262144</memory>");
        // the one disk is the block device as it was: its type, driver, source and PCI address are untouched
        assertThat(disks(edited)).isEqualTo(1);
        assertThat(edited).contains("<disk device=\"disk\" type=\"block\">", "cache=\"none\"",
                        "<source dev=\"/dev/drbd100\"/>", "slot=\"0x08\"")
                .doesNotContain("<source file=");
        assertThat(edited).contains("<mcvirt:disk name=\"data\" source=\"/dev/drbd100\" storage=\"fast\""
                + " target=\"vdb\"/>");
        // and the next update of the edited definition still has that one disk
        String again = DomainEditor.edit(edited, desired(131072, desired.disks().get(0)), renderer);
        assertThat(disks(again)).isEqualTo(1);
        assertThat(again).contains("<source dev=\"/dev/drbd100\"/>", "slot=\"0x08\"");
    }

    // the mark says vdb is manifest disk data; the manifest has no data any more, and its disk logs is at vdb:
    // data's device goes (the planner deletes its storage as data loss) and logs is added, one disk at vdb
    private static String blockReplacedByLogs() throws Exception {
        Views.DomainView desired = desired(131072, new Views.DiskView("logs", "images", "vdb", "virtio",
                "/img/vm-logs.qcow2"));
        return DomainEditor.edit(BLOCK, desired, new Renderer(Optional.empty()));
    }

    @Test
    void aDiskAtTheTargetTheMarkRecordsAsAnotherManifestDiskIsRemovedAndTheManifestsDiskTakesTheTarget() throws Exception {
        String edited = blockReplacedByLogs();
        assertThat(disks(edited)).isEqualTo(1);
        assertThat(edited.split("dev=\"vdb\"", -1).length - 1).isEqualTo(1);
        assertThat(edited).contains("<source file=\"/img/vm-logs.qcow2\"/>", "name=\"logs\"")
                .doesNotContain("/dev/drbd100", "name=\"data\"", "slot=\"0x08\"");
    }

    /** BLOCK with its mark recording that disk data was made from image debian12. */
    private static final String BLOCK_FROM_IMAGE = BLOCK.replace("source='/dev/drbd100'/>",
            "source='/dev/drbd100' image='debian12' image-sha256='0123456789ab'/>");

    @Test
    void anEditsMarkRecordsTheImagesItsViewGivesAndNoOthers() throws Exception {
        Renderer renderer = new Renderer(Optional.empty());
        assertThat(BLOCK_FROM_IMAGE).contains("image='debian12'");
        org.mcvirt.model.VmMetadata.Image debian = new org.mcvirt.model.VmMetadata.Image("debian12", "0123456789ab");
        Views.DomainView kept = blockWithMoreMemory();
        kept = kept.withMetadata(kept.metadata().withImages(name -> debian));
        for (String edited : List.of(DomainEditor.edit(BLOCK_FROM_IMAGE, kept, renderer),
                DomainEditor.mark(BLOCK_FROM_IMAGE, kept.metadata(), renderer))) {
            assertThat(edited).contains("<mcvirt:disk image=\"debian12\" image-sha256=\"0123456789ab\" name=\"data\"");
            assertThat(org.mcvirt.state.StateReader.metadata(org.mcvirt.render.Xml.parse(edited)).orElseThrow()
                    .disks()).singleElement().satisfies(d -> assertThat(d.image()).isEqualTo(debian));
        }
        // a view whose mark records no image: the edited mark has none
        String none = DomainEditor.edit(BLOCK_FROM_IMAGE, blockWithMoreMemory(), renderer);
        assertThat(none).doesNotContain("image=").contains("<mcvirt:disk name=\"data\" source=\"/dev/drbd100\"");
    }

    /** Each edited definition above passes libvirt's own schema check (virt-xml-validate, tag "tools"). */
    @Test
    @Tag("tools")
    void editedDefinitionsAreValid() throws Exception {
        XmlValidator.assertValid(editedCurrent(), "domain");
        XmlValidator.assertValid(DomainEditor.edit(BLOCK, blockWithMoreMemory(), new Renderer(Optional.empty())),
                "domain");
        XmlValidator.assertValid(blockReplacedByLogs(), "domain");
    }
}
