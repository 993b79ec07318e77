package org.mcvirt.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.StateReader;
import org.mcvirt.testing.XmlValidator;

class RendererTest {
    private static final Path MANIFEST = Path.of("src/test/resources/testdata/manifest/valid.yaml");
    private final Renderer renderer = new Renderer(Optional.empty());

    private static DesiredState desired() throws Exception {
        return ManifestLoader.load(List.of(MANIFEST));
    }

    private String domainXml() throws Exception {
        DesiredState state = desired();
        NodeSpec node = state.node("here").orElseThrow();
        VmSpec vm = state.vm("web1").orElseThrow();
        return renderer.domain(Views.domain(state.cluster(), node, vm, null));
    }

    @Test
    void domainXmlCarriesTheOwnershipMark() throws Exception {
        String xml = domainXml();
        assertThat(xml).contains("<domain type='qemu'>", "<vcpu placement='static'>2</vcpu>",
                "<memory unit='KiB'>65536</memory>", "<source network='mcvirt.test.lab'/>",
                "<mac address='52:54:00:12:34:56'/>", "<source file='/var/lib/mcvirt/images/web1-root.qcow2'/>");
        VmMetadata mark = StateReader.metadata(Xml.parse(xml)).orElseThrow();
        assertThat(mark).isEqualTo(new VmMetadata("test", "web1", false, List.of(new VmMetadata.Disk("root", "images",
                "vda", "/var/lib/mcvirt/images/web1-root.qcow2"))));
        // a disk without an image: the entry as it always was, no image attributes
        assertThat(xml).contains("<mcvirt:disk name='root' storage='images' target='vda'"
                + " source='/var/lib/mcvirt/images/web1-root.qcow2'/>").doesNotContain("image=", "image-sha256");
    }

    private static final String SHA = "0123456789ab" + "f".repeat(52);

    /** web1 with its disk root from image debian12 (replicated: the DRBD resource 100, port 7900). */
    private String domainXmlWithImage(boolean replicated, boolean images) throws Exception {
        DesiredState state = desired();
        NodeSpec node = state.node("here").orElseThrow();
        VmSpec plain = state.vm("web1").orElseThrow();
        VmSpec.DiskSpec root = plain.disks().get(0);
        VmSpec vm = new VmSpec(plain.name(), plain.node(), plain.cpus(), plain.memoryBytes(), plain.state(),
                plain.autostart(), plain.protect(), List.of(new VmSpec.DiskSpec(root.name(), root.sizeBytes(),
                        root.storage(), replicated, root.bus(), "debian12", false)), plain.nics(), List.of(), List.of());
        org.mcvirt.model.ImageSpec image = new org.mcvirt.model.ImageSpec("debian12", "/x/debian.qcow2", SHA,
                org.mcvirt.model.ImageSpec.Format.QCOW2, "images", 1L << 20, 104, "here");
        return renderer.domain(Views.domain(state.cluster(), node, vm, null, replicated ? java.util.Map.of("root",
                new Views.DrbdDiskView("mcvirt-web1-root", 100, 7900)) : java.util.Map.of(), name -> Optional.empty(),
                name -> images && name.equals("debian12") ? Optional.of(image) : Optional.empty()));
    }

    @Test
    void theMarkRecordsTheImageADiskIsMadeFromAndReadsItBack() throws Exception {
        String xml = domainXmlWithImage(false, true);
        assertThat(xml).contains("<mcvirt:disk name='root' storage='images' target='vda'"
                + " source='/var/lib/mcvirt/images/web1-root.qcow2' image='debian12' image-sha256='0123456789ab'/>");
        assertThat(StateReader.metadata(Xml.parse(xml)).orElseThrow().disks()).containsExactly(new VmMetadata.Disk(
                "root", "images", "vda", "/var/lib/mcvirt/images/web1-root.qcow2")
                .withImage(new VmMetadata.Image("debian12", "0123456789ab")));
        // the disk device itself is the same with or without the image recorded
        String without = domainXmlWithImage(false, false);
        assertThat(without).doesNotContain("image=");
        assertThat(xml.replace(" image='debian12' image-sha256='0123456789ab'", "")).isEqualTo(without);
        assertThat(without).isEqualTo(domainXml());

        String replicated = domainXmlWithImage(true, true);
        assertThat(replicated).contains("<mcvirt:disk name='root' storage='images' target='vda' source='/dev/drbd100'"
                + " resource='mcvirt-web1-root' minor='100' port='7900' image='debian12'"
                + " image-sha256='0123456789ab'/>");
        assertThat(StateReader.metadata(Xml.parse(replicated)).orElseThrow().disks()).containsExactly(
                new VmMetadata.Disk("root", "images", "vda", "/dev/drbd100", "mcvirt-web1-root", 100, 7900,
                        new VmMetadata.Image("debian12", "0123456789ab")));
        assertThat(domainXmlWithImage(true, false)).isEqualTo(replicatedDomainXml());
    }

    private String replicatedDomainXml() throws Exception {
        DesiredState state = desired();
        NodeSpec node = state.node("here").orElseThrow();
        VmSpec plain = state.vm("web1").orElseThrow();
        VmSpec.DiskSpec root = plain.disks().get(0);
        VmSpec vm = new VmSpec(plain.name(), plain.node(), plain.cpus(), plain.memoryBytes(), plain.state(),
                plain.autostart(), plain.protect(), List.of(new VmSpec.DiskSpec(root.name(), root.sizeBytes(),
                        root.storage(), true, root.bus())), plain.nics(), List.of(), List.of());
        return renderer.domain(Views.domain(state.cluster(), node, vm, null,
                java.util.Map.of("root", new Views.DrbdDiskView("mcvirt-web1-root", 100, 7900))));
    }

    @Test
    void aReplicatedDiskIsTheDrbdBlockDeviceRawWithoutCacheAndItsResourceIsInTheMark() throws Exception {
        String xml = replicatedDomainXml();
        assertThat(xml).contains("<disk type='block' device='disk'>",
                "<driver name='qemu' type='raw' cache='none' io='native'/>", "<source dev='/dev/drbd100'/>");
        assertThat(StateReader.metadata(Xml.parse(xml)).orElseThrow().disks()).containsExactly(new VmMetadata.Disk(
                "root", "images", "vda", "/dev/drbd100", "mcvirt-web1-root", 100, 7900));
    }

    @Test
    void aNatNetworkHasItsGatewayAndDhcpRange() throws Exception {
        DesiredState state = desired();
        assertThat(renderer.network(Views.network(state.cluster(), state.network("lab").orElseThrow())))
                .contains("<ip address='192.168.150.1' netmask='255.255.255.0'>",
                        "<range start='192.168.150.2' end='192.168.150.254'/>");
    }

    private String escapedPoolXml() {
        return renderer.pool(new Views.PoolView("p", "/srv/a'b<c>&d"));
    }

    @Test
    void valuesAreEscaped() throws Exception {
        assertThat(Xml.parse(escapedPoolXml()).getDocumentElement().getTextContent()).contains("/srv/a'b<c>&d");
    }

    /** Every XML above passes libvirt's own schema check (virt-xml-validate, tag "tools"). */
    @Test
    @Tag("tools")
    void domainNetworkPoolAndVolumeXmlAreValid() throws Exception {
        XmlValidator.assertValid(domainXml(), "domain");
        XmlValidator.assertValid(replicatedDomainXml(), "domain");
        XmlValidator.assertValid(domainXmlWithImage(false, true), "domain");
        DesiredState state = desired();
        XmlValidator.assertValid(renderer.network(Views.network(state.cluster(), state.network("lab").orElseThrow())), "network");
        XmlValidator.assertValid(renderer.network(Views.network(state.cluster(), state.network("prod").orElseThrow())), "network");
        NodeSpec node = state.node("here").orElseThrow();
        XmlValidator.assertValid(renderer.pool(Views.pool(state.cluster(), node.storage("images").orElseThrow())), "storagepool");
        VmSpec vm = state.vm("web1").orElseThrow();
        XmlValidator.assertValid(renderer.volume(Views.volume(vm, vm.disks().get(0))), "storagevol");
        XmlValidator.assertValid(escapedPoolXml(), "storagepool");
    }

    @Test
    void overrideDirectoryReplacesOneTemplateAndKeepsTheOthers(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("libvirt"));
        Files.writeString(dir.resolve("libvirt/pool.ftl"), "<pool type='dir'><name>custom-${p.name}</name>"
                + "<target><path>${p.path}</path></target></pool>");
        Renderer custom = new Renderer(Optional.of(dir));
        assertThat(custom.pool(new Views.PoolView("x", "/y"))).contains("<name>custom-x</name>");
        assertThat(custom.volume(new Views.VolumeView("v", 1 << 20))).contains("<name>v</name>");
        Files.writeString(dir.resolve("libvirt/volume.ftl"), "<volume>${v.nonexistent}</volume>");
        assertThatThrownBy(() -> new Renderer(Optional.of(dir)).volume(new Views.VolumeView("v", 1)))
                .isInstanceOf(Renderer.RenderException.class).hasMessageContaining("libvirt/volume.ftl");
    }

    private static Path override(Path dir, String template, String text) throws Exception {
        Path file = dir.resolve("libvirt").resolve(template);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private static final Views.NetworkView NETWORK = new Views.NetworkView("mcvirt.c.n", true, "mcv1", "192.168.1.1",
            "255.255.255.0", "192.168.1.2", "192.168.1.254");

    @Test
    void aSyntaxErrorNamesTheFileLineAndColumn(@TempDir Path dir) throws Exception {
        Path file = override(dir, "network.ftl", "<network>\n  <name>${n.name</name>\n</network>\n");
        assertThatThrownBy(() -> new Renderer(Optional.of(dir)).network(NETWORK))
                .isInstanceOf(Renderer.RenderException.class)
                .hasMessageStartingWith(file + ":2:18: error: syntax error: Encountered \"/\"")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aRuntimeErrorNamesTheFileLineAndColumn(@TempDir Path dir) throws Exception {
        Path file = override(dir, "network.ftl", "<network>\n  <name>${nosuchvariable}</name>\n</network>\n");
        assertThatThrownBy(() -> new Renderer(Optional.of(dir)).network(NETWORK))
                .isInstanceOf(Renderer.RenderException.class)
                .hasMessage(file + ":2:11: error: The following has evaluated to null or missing: nosuchvariable");
    }

    @Test
    void anErrorInAnImportedTemplateNamesThatFile(@TempDir Path dir) throws Exception {
        Path file = override(dir, "devices.ftl", "<#macro disk d><disk>${d.nosuchfield}</disk></#macro>\n"
                + "<#macro interface n><interface/></#macro>\n<#macro metadata m><x/></#macro>\n");
        assertThatThrownBy(() -> new Renderer(Optional.of(dir)).disk(new Views.DiskView("root", "images", "vda",
                "virtio", "/a/b")))
                .isInstanceOf(Renderer.RenderException.class)
                .hasMessageStartingWith(file + ":1:24: error: ")
                .hasMessageContaining("d.nosuchfield");
        Files.writeString(file, "<#macro disk d><disk>${d.source</disk></#macro>\n");
        assertThatThrownBy(() -> new Renderer(Optional.of(dir)).disk(new Views.DiskView("root", "images", "vda",
                "virtio", "/a/b")))
                .isInstanceOf(Renderer.RenderException.class)
                .hasMessageStartingWith(file + ":1:33: error: syntax error: Encountered \"/\"");
    }

    @Test
    void outputThatIsNotWellFormedXmlIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = override(dir, "network.ftl", "<network>\n  <name>${n.name}</name>\n");
        assertThatThrownBy(() -> new Renderer(Optional.of(dir)).network(NETWORK))
                .isInstanceOf(Renderer.RenderException.class)
                .hasMessageStartingWith(file + ": error: the output is not well-formed XML (output line ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aMissingOverrideDirectoryIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> new Renderer(Optional.of(dir.resolve("nope"))))
                .isInstanceOf(Renderer.RenderException.class)
                .hasMessage("template directory " + dir.resolve("nope") + " is not a directory");
    }
}
