package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.manifest.ManifestWriter;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.node.LibvirtNode;
import org.mcvirt.plan.AttributeChange;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Planner;
import org.mcvirt.plan.ResourceChange;
import org.mcvirt.plan.Step;
import org.mcvirt.plan.StepKind;
import org.mcvirt.plan.StepPayload;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Xml;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.StateReader;

/**
 * import's mapping, written files and adoption, without a node: an observed state built by hand (or read on the lab)
 * -> the vm's manifest -> loaded back with the cluster's manifest -> planned with the domain adopted: nothing but the
 * mark; and once the define the plan carries is applied to the observed state, nothing at all.
 */
class ImporterTest {
    private static final Planner PLANNER = new Planner(new Renderer(Optional.empty()));
    private static final String CLUSTER = """
            apiVersion: mcvirt/v1
            cluster: {name: c}
            nodes:
              - name: n
                local: true
                libvirt: {uri: "qemu:///system", domainType: qemu}
                storage:
                  - {name: images, type: file, path: /img}
            networks:
              - {name: net, nat: true, cidr: 192.168.171.0/24}
              - {name: back, nat: true, cidr: 192.168.172.0/24}
            """;

    @TempDir
    Path dir;

    /** A domain as a person would define it with virsh: no mark; devices as given. */
    private static ObservedDomain unmanaged(String name, String devices, boolean running) {
        String xml = "<domain type='qemu'><name>" + name + "</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
                + "<memory unit='MiB'>64</memory><currentMemory unit='MiB'>64</currentMemory><vcpu placement='static'>2"
                + "</vcpu><os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os><devices>" + devices
                + "</devices></domain>";
        return StateReader.domain(new LibvirtNode.DomainRecord(name, "11111111-2222-3333-4444-555555555555", running,
                running ? "running" : "shut-off", true, true, xml, null));
    }

    private static String fileDisk(String source, String target, String bus) {
        return "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" + source
                + "'/><target dev='" + target + "' bus='" + bus + "'/></disk>";
    }

    private static String nic(String mac, String network) {
        return "<interface type='network'><mac address='" + mac + "'/><source network='" + network
                + "'/><model type='virtio'/></interface>";
    }

    private static final String TWO_DISKS_TWO_NICS = fileDisk("/img/web-root.qcow2", "vda", "virtio")
            + fileDisk("/img/web-data.qcow2", "vdb", "virtio") + nic("52:54:00:aa:00:01", "mcvirt.c.net")
            + nic("52:54:00:AA:00:02", "mcvirt.c.back");

    private static ObservedState observed(List<ObservedDomain> domains) {
        ObservedPool pool = new ObservedPool("mcvirt.c.images", "dir", true, true, "/img", List.of(
                new ObservedPool.ObservedVolume("web-root.qcow2", "/img/web-root.qcow2", 16L << 20),
                new ObservedPool.ObservedVolume("web-data.qcow2", "/img/web-data.qcow2", 8L << 20),
                new ObservedPool.ObservedVolume("other.qcow2", "/img/other.qcow2", 8L << 20)), null);
        return new ObservedState(List.of(new NodeObservation("n", true, null, "9.0.0", "QEMU 7.2.0", domains, List.of(),
                List.of(pool), List.of())));
    }

    private DesiredState clusterOnly() throws Exception {
        Path cluster = dir.resolve("cluster.yaml");
        Files.writeString(cluster, CLUSTER);
        return ManifestLoader.load(List.of(cluster));
    }

    /** Writes each imported vm as import does and loads it back with the cluster's manifest. */
    private DesiredState withWritten(Importer.Selection selection) throws Exception {
        List<Path> paths = new ArrayList<>(List.of(dir.resolve("cluster.yaml")));
        for (Importer.ImportedVm vm : selection.vms()) {
            Path file = dir.resolve(vm.vm().name() + ".yaml");
            Files.writeString(file, ManifestWriter.vm(vm.vm(), "domain " + vm.vm().name(), vm.notes()));
            paths.add(file);
        }
        return ManifestLoader.load(paths);
    }

    /** The observed state once the plan's steps (adopting defines) are done: each domain with the defined XML. */
    private static ObservedState afterDefines(ObservedState observed, Plan plan) {
        List<NodeObservation> nodes = new ArrayList<>();
        for (NodeObservation node : observed.nodes()) {
            List<ObservedDomain> domains = new ArrayList<>();
            for (ObservedDomain domain : node.domains()) {
                Optional<Step> define = plan.steps().stream().filter(s -> s.kind() == StepKind.DEFINE_DOMAIN
                        && s.node().equals(node.node()) && s.payload(StepPayload.DefineDomain.class).name().equals(domain.name())).findFirst();
                domains.add(define.map(s -> StateReader.domain(new LibvirtNode.DomainRecord(domain.name(),
                        domain.uuid(), domain.active(), domain.runState(), true, domain.autostart(),
                        s.payload(StepPayload.DefineDomain.class).xml(), null))).orElse(domain));
            }
            nodes.add(new NodeObservation(node.node(), node.reachable(), node.error(), node.libvirtVersion(),
                    node.hypervisorVersion(), domains, node.networks(), node.pools(), node.warnings(), node.lvm(),
                    node.drbd(), node.journal(), node.freeMemoryBytes(), node.totalMemoryBytes(),
                    node.savedDefinitions()));
        }
        return new ObservedState(nodes);
    }

    @Test
    void twoFileDisksAndTwoNicsAreWrittenAndPlanAsNothingButTheirAdoption() throws Exception {
        ObservedState observed = observed(List.of(unmanaged("web", TWO_DISKS_TWO_NICS, true)));
        Importer.Selection selection = Importer.select(clusterOnly(), observed, List.of());
        assertThat(selection.skipped()).isEmpty();
        assertThat(selection.vms()).hasSize(1);
        Importer.ImportedVm web = selection.vms().get(0);
        assertThat(web.notes()).isEmpty();
        assertThat(ManifestWriter.vm(web.vm(), "domain web on node n", web.notes())).isEqualTo("""
                # Written by 'mcvirt import' from domain web on node n.
                apiVersion: mcvirt/v1
                vms:
                  - name: web
                    node: n
                    cpus: 2
                    memory: 64MiB
                    state: running
                    autostart: true
                    disks:
                      - {name: root, size: 16MiB, storage: images}
                      - {name: data, size: 8MiB, storage: images}
                    nics:
                      - {network: net, mac: "52:54:00:aa:00:01"}
                      - {network: back, mac: "52:54:00:aa:00:02"}
                """);

        DesiredState desired = withWritten(selection);
        Plan plain = PLANNER.plan(desired, observed, new Planner.Options(Set.of("web")));
        assertThat(plain.problems()).singleElement().asString().contains("exists but is not managed by mcvirt",
                "mcvirt import --adopt web");

        Plan adopting = PLANNER.plan(desired, observed, new Planner.Options(Set.of("web"), false, Set.of("web")));
        assertThat(adopting.problems()).isEmpty();
        assertThat(Importer.beyondAdoption(adopting)).isEmpty();
        assertThat(adopting.changes()).extracting(ResourceChange::address).containsExactly("vm.web");
        assertThat(adopting.changes().get(0).attributes()).singleElement()
                .satisfies(a -> assertThat(a.name() + " " + a.before() + " -> " + a.after())
                        .isEqualTo("managed false -> true"));
        assertThat(adopting.steps()).singleElement().satisfies(step -> {
            assertThat(step.kind()).isEqualTo(StepKind.DEFINE_DOMAIN);
            assertThat(step.description()).isEqualTo("adopt domain web (add mcvirt's mark to its definition)");
            VmMetadata mark = StateReader.metadata(Xml.parse(step.payload(StepPayload.DefineDomain.class).xml())).orElseThrow();
            assertThat(mark.cluster()).isEqualTo("c");
            assertThat(mark.disks()).extracting(d -> d.name() + " " + d.target() + " " + d.source())
                    .containsExactly("root vda /img/web-root.qcow2", "data vdb /img/web-data.qcow2");
            // nothing but the mark: the devices are the ones the person defined
            assertThat(step.payload(StepPayload.DefineDomain.class).xml()).contains("machine=\"pc-i440fx-7.2\"", "<vcpu placement=\"static\">2");
        });

        ObservedState adopted = afterDefines(observed, adopting);
        assertThat(adopted.node("n").orElseThrow().domain("web").orElseThrow().managed()).isTrue();
        Plan after = PLANNER.plan(desired, adopted, new Planner.Options(Set.of("web")));
        assertThat(after.problems()).isEmpty();
        assertThat(after.changes()).isEmpty();
        assertThat(after.steps()).isEmpty();
    }

    /**
     * A domain booting an installer ISO of the manifests (known by its volume's name) first, then its disk, with a
     * cloud-init seed too: the ISO and the boot order are imported, the seed is a note, and adoption is refused for the
     * seed alone (the manifest has no cloudInit for it).
     * A CD-ROM with a file no ISO of the manifests is, is a note.
     */
    @Test
    void anInstallerIsoAndTheBootOrderAreImportedAndASeedIsANote() throws Exception {
        Path iso = dir.resolve("inst.iso");
        Files.write(iso, new byte[] {1, 2, 3, 4});
        String sha = org.mcvirt.manifest.ImageFiles.sha256(iso);
        String volume = "iso.inst." + sha.substring(0, 12) + ".iso";
        Files.writeString(dir.resolve("cluster.yaml"), CLUSTER + "isos:\n  - {name: inst, source: inst.iso, sha256: " + sha
                + "}\n");
        DesiredState cluster = ManifestLoader.load(List.of(dir.resolve("cluster.yaml")));
        String devices = "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source"
                + " file='/img/web-root.qcow2'/><target dev='vda' bus='virtio'/><boot order='2'/></disk>"
                + "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='/img/" + volume
                + "'/><target dev='sda' bus='sata'/><readonly/><boot order='1'/></disk>"
                + "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source"
                + " file='/img/seed.web.0123456789ab.iso'/><target dev='sdb' bus='sata'/><readonly/></disk>";
        ObservedState observed = observed(List.of(unmanaged("web", devices, false)));
        ObservedPool pool = observed.nodes().get(0).pools().get(0);
        List<ObservedPool.ObservedVolume> volumes = new ArrayList<>(pool.volumes());
        volumes.add(new ObservedPool.ObservedVolume(volume, "/img/" + volume, 4));
        NodeObservation node = observed.nodes().get(0);
        observed = new ObservedState(List.of(new NodeObservation(node.node(), true, null, node.libvirtVersion(),
                node.hypervisorVersion(), node.domains(), node.networks(), List.of(new ObservedPool(pool.name(),
                pool.type(), pool.active(), pool.autostart(), pool.path(), volumes, null)), List.of())));

        Importer.ImportedVm web = Importer.select(cluster, observed, List.of("web")).vms().get(0);
        assertThat(web.vm().cdrom()).isEqualTo("inst");
        assertThat(web.vm().boot()).containsExactly(org.mcvirt.model.VmSpec.BootDevice.CDROM, org.mcvirt.model.VmSpec.BootDevice.DISK);
        assertThat(web.notes()).singleElement().asString().startsWith("cdrom /img/seed.web.0123456789ab.iso: its"
                + " cloud-init seed; the seed's files are not read back");
        assertThat(ManifestWriter.vm(web.vm(), "domain web on node n", web.notes()))
                .contains("    cdrom: inst\n    boot: [cdrom, disk]\n");

        DesiredState desired = withWritten(Importer.select(cluster, observed, List.of("web")));
        Plan adopting = PLANNER.plan(desired, observed, new Planner.Options(Set.of("web"), false, Set.of("web")));
        assertThat(adopting.problems()).isEmpty();
        // the ISO and the boot order are as the manifest says; the seed is not (no cloudInit): adoption refuses that
        assertThat(Importer.beyondAdoption(adopting)).containsExactly("vm.web: cloudInit ="
                + " seed.web.0123456789ab.iso -> null", "step DEFINE_DOMAIN on n: update definition of domain web");
        assertThat(adopting.changes().get(0).attributes()).extracting(AttributeChange::name)
                .containsExactlyInAnyOrder("cloudInit", "managed");

        // a CD-ROM whose file is no ISO of the manifests stays out of the manifest, with a note
        ObservedState unknown = observed(List.of(unmanaged("web", devices.replace(volume, "iso.other.aaaaaaaaaaaa.iso"),
                false)));
        Importer.ImportedVm other = Importer.select(cluster, unknown, List.of("web")).vms().get(0);
        assertThat(other.vm().cdrom()).isNull();
        assertThat(other.vm().boot()).isEmpty();
        assertThat(other.notes()).anySatisfy(n -> assertThat(n).startsWith("cdrom /img/iso.other.aaaaaaaaaaaa.iso: no"
                + " ISO of the manifests is this file")).anySatisfy(n -> assertThat(n).startsWith("its boot order"));
    }

    @Test
    void whatTheManifestCannotSayIsANoteAndLeftAsItIs() throws Exception {
        String devices = fileDisk("/srv/elsewhere.img", "vda", "virtio") + fileDisk("/img/web-root.qcow2", "vdb",
                "virtio") + fileDisk("/img/other.qcow2", "sda", "sata")
                + fileDisk("/img/web-old.qcow2", "hda", "ide")
                + "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>"
                + nic("52:54:00:aa:00:01", "mcvirt.c.net") + nic("52:54:00:aa:00:05", "default")
                + "<interface type='bridge'><mac address='52:54:00:aa:00:06'/><source bridge='br0'/></interface>"
                + nic("52:54:00:aa:00:07", "mcvirt.other.net");
        ObservedState observed = observed(List.of(unmanaged("web", devices, false)));
        Importer.ImportedVm web = Importer.select(clusterOnly(), observed, List.of("web")).vms().get(0);
        assertThat(web.vm().disks()).isEmpty();
        assertThat(web.vm().nics()).extracting(n -> n.network() + " " + n.mac()).containsExactly("net 52:54:00:aa:00:01");
        assertThat(web.notes()).hasSize(7).anySatisfy(n -> assertThat(n).startsWith(
                "disk vda (virtio, /srv/elsewhere.img): not in a storage of node n in the manifests"))
                .anySatisfy(n -> assertThat(n).startsWith("disk sda (sata, /img/other.qcow2): its volume is in storage"
                        + " images but named other.qcow2"))
                .anySatisfy(n -> assertThat(n).startsWith("disk hda (ide, /img/web-old.qcow2): bus ide"))
                .anySatisfy(n -> assertThat(n).contains("disk vdb (virtio, /img/web-root.qcow2): mcvirt gives this vm's"
                        + " virtio disks the targets vda, vdb ... in manifest order, and this one is at vdb where mcvirt"
                        + " would put it at vda"))
                .anySatisfy(n -> assertThat(n).startsWith("nic 52:54:00:aa:00:05 (network default): not on a network"
                        + " of cluster c"))
                .anySatisfy(n -> assertThat(n).startsWith("nic 52:54:00:aa:00:06 (bridge br0)"))
                .anySatisfy(n -> assertThat(n).startsWith("nic 52:54:00:aa:00:07 (network mcvirt.other.net)"));
        String text = ManifestWriter.vm(web.vm(), "domain web on node n", web.notes());
        assertThat(text).contains("# Not expressed in this manifest:\n#   - disk vda (virtio, /srv/elsewhere.img)",
                "    disks: []\n").doesNotContain("\n#   - \n");
        assertThat(text.lines().filter(l -> l.startsWith("#")).allMatch(l -> l.length() <= 120)).isTrue();

        // what is left out stays as it is: adopting still changes nothing else
        Importer.Selection selection = Importer.select(clusterOnly(), observed, List.of("web"));
        DesiredState desired = withWritten(selection);
        Plan adopting = PLANNER.plan(desired, observed, new Planner.Options(Set.of("web"), false, Set.of("web")));
        assertThat(Importer.beyondAdoption(adopting)).isEmpty();
        String defined = adopting.steps().get(0).payload(StepPayload.DefineDomain.class).xml();
        assertThat(defined).contains("/srv/elsewhere.img", "/img/web-root.qcow2", "/img/other.qcow2", "br0",
                "mcvirt.other.net", "network=\"default\"");
        assertThat(PLANNER.plan(desired, afterDefines(observed, adopting), new Planner.Options(Set.of("web")))
                .changes()).isEmpty();
    }

    @Test
    void aNicOnANetworkOfThisClusterThatTheManifestsLackWouldBeRemovedSoAdoptionIsRefused() throws Exception {
        ObservedState observed = observed(List.of(unmanaged("web", nic("52:54:00:aa:00:09", "mcvirt.c.gone"), false)));
        Importer.Selection selection = Importer.select(clusterOnly(), observed, List.of());
        assertThat(selection.vms().get(0).notes()).singleElement().asString()
                .contains("network gone is this cluster's but not in the manifests; a plan removes this nic");
        Plan adopting = PLANNER.plan(withWritten(selection), observed, new Planner.Options(Set.of("web"), false,
                Set.of("web")));
        assertThat(Importer.beyondAdoption(adopting)).contains("vm.web: nic.52:54:00:aa:00:09 = gone -> null")
                .anySatisfy(f -> assertThat(f).startsWith("step DEFINE_DOMAIN on n: update definition of domain web"));
    }

    @Test
    void aManifestThatDiffersFromTheDomainShowsTheDifferenceAndClaimsNoDiskThatIsNotThere() throws Exception {
        ObservedState observed = observed(List.of(unmanaged("web", TWO_DISKS_TWO_NICS, true)));
        Path cluster = dir.resolve("cluster.yaml");
        Files.writeString(cluster, CLUSTER + """
                vms:
                  - name: web
                    node: n
                    cpus: 1
                    memory: 64MiB
                    autostart: true
                    disks: [{name: root, size: 16MiB, storage: images}, {name: spare, size: 8MiB, storage: images}]
                    nics: [{network: net, mac: "52:54:00:aa:00:01"}, {network: back, mac: "52:54:00:aa:00:02"}]
                """);
        DesiredState desired = ManifestLoader.load(List.of(cluster));
        Importer.Selection selection = Importer.select(desired, observed, List.of());
        assertThat(selection.vms()).isEmpty();
        assertThat(selection.inManifests()).containsExactly("web");
        assertThat(selection.skipped()).singleElement().asString().contains("web: already in the manifests");
        Plan adopting = PLANNER.plan(desired, observed, new Planner.Options(Set.of("web"), false, Set.of("web")));
        assertThat(Importer.beyondAdoption(adopting)).contains("vm web cannot be adopted: the manifest's disk spare is"
                + " /img/web-spare.qcow2 as vdb (virtio) but the domain has /img/web-data.qcow2 as vdb (virtio)");

        Files.writeString(cluster, CLUSTER + """
                vms:
                  - name: web
                    node: n
                    cpus: 1
                    memory: 64MiB
                    autostart: true
                    disks: [{name: root, size: 16MiB, storage: images}, {name: data, size: 8MiB, storage: images}]
                    nics: [{network: net, mac: "52:54:00:aa:00:01"}, {network: back, mac: "52:54:00:aa:00:02"}]
                """);
        desired = ManifestLoader.load(List.of(cluster));
        adopting = PLANNER.plan(desired, observed, new Planner.Options(Set.of("web"), false, Set.of("web")));
        assertThat(Importer.beyondAdoption(adopting)).contains("vm.web: cpus = 2 -> 1");
    }

    @Test
    void whichDomainsAreImported() throws Exception {
        ObservedDomain theirs = StateReader.domain(new LibvirtNode.DomainRecord("theirs", "u", false, "shut-off", true,
                false, "<domain><name>theirs</name><metadata><mcvirt:vm xmlns:mcvirt='https://mcvirt.org/xmlns/domain/1'>"
                + "<mcvirt:cluster>other</mcvirt:cluster><mcvirt:name>theirs</mcvirt:name></mcvirt:vm></metadata>"
                + "<memory unit='MiB'>64</memory></domain>", null));
        ObservedDomain badName = unmanaged("Web_1", "", false);
        ObservedDomain tiny = StateReader.domain(new LibvirtNode.DomainRecord("tiny", "u", false, "shut-off", true,
                false, "<domain><name>tiny</name><memory unit='MiB'>8</memory></domain>", null));
        ObservedState observed = observed(List.of(theirs, badName, tiny, unmanaged("web", TWO_DISKS_TWO_NICS, false)));
        Importer.Selection all = Importer.select(clusterOnly(), observed, List.of());
        assertThat(all.vms()).extracting(v -> v.vm().name()).containsExactly("web");
        assertThat(all.vms().get(0).vm().state()).isEqualTo(org.mcvirt.model.VmSpec.PowerState.STOPPED);
        assertThat(all.skipped()).containsExactly(
                "Web_1: its name is not a manifest name (1-63 lowercase letters, digits and '-'; mcvirt names the domain"
                        + " after the vm); rename it first (virsh domrename)",
                "theirs: managed by mcvirt cluster other, not c",
                "tiny: its memory (8MiB) is below the manifest's minimum of 16MiB");
        assertThat(Importer.select(clusterOnly(), observed, List.of("web")).skipped()).isEmpty();
        assertThatThrownBy(() -> Importer.select(clusterOnly(), observed, List.of("web", "nope")))
                .isInstanceOf(McvirtException.class).hasMessage("no domain named nope on the nodes that were read;"
                        + " nothing was written");
    }

    /**
     * A replicated vm read on the lab (golden case migrate-offline: files1 on node1, DRBD resource mcvirt_files1_root,
     * minor 300, port 7800, on LVs in vg0 of both nodes), with its mark taken off as 'virsh define' of its XML without
     * the metadata would: imported, it is a replicated disk on the pair, and adopting keeps its minor and port.
     */
    @Test
    void aReplicatedDiskReadOnTheLabIsImportedWithItsResource() throws Exception {
        Path golden = Path.of("src/test/resources/testdata/plan/migrate-offline");
        ObservedState read = new ObjectMapper().readValue(golden.resolve("observed.json").toFile(), ObservedState.class);
        List<NodeObservation> nodes = new ArrayList<>();
        for (NodeObservation node : read.nodes()) {
            nodes.add(new NodeObservation(node.node(), true, null, node.libvirtVersion(), node.hypervisorVersion(),
                    node.domains().stream().map(d -> StateReader.domain(new LibvirtNode.DomainRecord(d.name(), d.uuid(),
                            d.active(), d.runState(), true, d.autostart(), d.definition().replaceAll(
                            "(?s)<metadata>.*</metadata>", ""), null))).toList(), node.networks(), node.pools(),
                    node.warnings(), node.lvm(), node.drbd(), node.journal(), node.freeMemoryBytes(),
                    node.totalMemoryBytes(),
                    node.savedDefinitions()));
        }
        ObservedState observed = new ObservedState(nodes);
        assertThat(observed.node("node1").orElseThrow().domain("files1").orElseThrow().managed()).isFalse();
        String manifest = Files.readString(golden.resolve("manifest.yaml"));
        Path cluster = dir.resolve("cluster.yaml");
        Files.writeString(cluster, manifest.substring(0, manifest.indexOf("\nvms:") + 1));
        DesiredState desired = ManifestLoader.load(List.of(cluster));

        Importer.Selection selection = Importer.select(desired, observed, List.of());
        Importer.ImportedVm files1 = selection.vms().get(0);
        assertThat(files1.notes()).isEmpty();
        String text = ManifestWriter.vm(files1.vm(), "domain files1 on node node1", files1.notes());
        assertThat(text).contains("    node: node1\n    nodes: [node1, node2]\n",
                "      - {name: root, size: 16MiB, storage: vg0, replicated: true}\n",
                "      - {network: mgnet, mac: \"52:54:00:aa:00:01\"}\n");
        Path file = dir.resolve("files1.yaml");
        Files.writeString(file, text);
        DesiredState imported = ManifestLoader.load(List.of(cluster, file));
        Plan adopting = PLANNER.plan(imported, observed, new Planner.Options(Set.of("files1"), false,
                Set.of("files1")));
        assertThat(Importer.beyondAdoption(adopting)).isEmpty();
        assertThat(adopting.steps()).singleElement().satisfies(step -> {
            VmMetadata mark = StateReader.metadata(Xml.parse(step.payload(StepPayload.DefineDomain.class).xml())).orElseThrow();
            assertThat(mark.pair()).containsExactly("node1", "node2");
            assertThat(mark.disks()).singleElement().satisfies(d -> assertThat(List.of(d.resource(), d.minor(), d.port(),
                    d.source())).containsExactly("mcvirt_files1_root", 300, 7800, "/dev/drbd300"));
            // a replicated vm's definition is also saved on both nodes of its pair, as every define of one is
            assertThat(step.peers()).contains("node2");
        });
        assertThat(PLANNER.plan(imported, afterDefines(observed, adopting), new Planner.Options(Set.of("files1")))
                .changes()).isEmpty();
    }
}
