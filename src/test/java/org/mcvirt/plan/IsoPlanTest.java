package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mcvirt.plan.DifferFixture.CLUSTER;
import static org.mcvirt.plan.DifferFixture.IMAGES;
import static org.mcvirt.plan.DifferFixture.NODE;
import static org.mcvirt.plan.DifferFixture.RENDERER;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.manifest.ImageFiles;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.IsoSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Xml;
import org.mcvirt.state.Availability;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedLvm;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;
import org.w3c.dom.Element;

/**
 * The whole planner on a vm with an installer ISO (cluster c, node n with file storage images at /img): the ISO
 * uploaded before the define that names it, a read-only SATA CD-ROM with the boot order of {@code boot:} on its
 * devices and none on the os element; on both nodes of a replicated vm's pair; nothing planned when the definition has
 * it; the definition alone when the manifest ejects it or inserts it; a move to a node without it refused naming it.
 */
class IsoPlanTest {
    private static final String DECLARED_AT = "/srv/manifests/cluster.yaml:14:13";
    private static final String POOL = "mcvirt.c.images";
    private static final List<VmSpec.BootDevice> CDROM_THEN_DISK = List.of(VmSpec.BootDevice.CDROM,
            VmSpec.BootDevice.DISK);

    @TempDir
    Path dir;
    private IsoSpec iso;

    @BeforeEach
    void iso() throws Exception {
        byte[] bytes = new byte[6000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 13 + 1);
        }
        Path source = dir.resolve("installer.iso");
        Files.write(source, bytes);
        iso = new IsoSpec("installer", source.toString(), ImageFiles.sha256(source), "images", bytes.length,
                DECLARED_AT);
    }

    private String isoPath() {
        return "/img/" + iso.volumeName();
    }

    /** web on n, stopped unless running, a root file disk of 8 MiB, with this cdrom (or none) and boot order. */
    private static VmSpec web(boolean running, String cdrom, List<VmSpec.BootDevice> boot) {
        return new VmSpec("web", "n", 1, 64L << 20, running ? VmSpec.PowerState.RUNNING : VmSpec.PowerState.STOPPED,
                false, false, List.of(new VmSpec.DiskSpec("root", 8L << 20, "images", false, VmSpec.DiskBus.VIRTIO)),
                List.of(), List.of(), List.of(), List.of(), VmSpec.Migration.OFFLINE, null, cdrom, boot);
    }

    private DesiredState desired(VmSpec vm) {
        return new DesiredState(CLUSTER, List.of(NODE), List.of(), List.of(vm), List.of(), List.of(iso));
    }

    private static ObservedState observed(List<ObservedDomain> domains, ObservedPool.ObservedVolume... volumes) {
        return new ObservedState(List.of(new NodeObservation("n", true, null, "9.0.0", "QEMU 7.2.0", domains,
                List.of(), List.of(new ObservedPool(POOL, "dir", true, true, "/img", List.of(volumes), null)),
                List.of())));
    }

    private static Plan plan(DesiredState desired, ObservedState observed) {
        return new Planner(RENDERER).plan(desired, observed, Planner.Options.all());
    }

    private static Step only(Plan plan, StepKind kind) {
        List<Step> found = plan.steps().stream().filter(s -> s.kind() == kind).toList();
        assertThat(found).as(kind + " steps of " + plan.steps()).hasSize(1);
        return found.get(0);
    }

    private static Element root(String xml) {
        return Xml.parse(xml).getDocumentElement();
    }

    /** The disks of the domain XML's devices with this device attribute (disk or cdrom). */
    private static List<Element> disks(String xml, String device) {
        Element devices = Xml.child(root(xml), "devices").orElseThrow();
        return Xml.children(devices, "disk").stream().filter(d -> device.equals(d.getAttribute("device"))).toList();
    }

    private static String attribute(Element parent, String child, String name) {
        return Xml.child(parent, child).map(e -> e.getAttribute(name)).orElse(null);
    }

    /** The dev attribute of each boot element of the os element, in order. */
    private static List<String> osBoot(String xml) {
        Element os = Xml.child(root(xml), "os").orElseThrow();
        return Xml.children(os, "boot").stream().map(b -> b.getAttribute("dev")).toList();
    }

    private static final ObservedPool.ObservedVolume ROOT =
            new ObservedPool.ObservedVolume("web-root.qcow2", "/img/web-root.qcow2", 8L << 20);

    private ObservedPool.ObservedVolume isoVolume() {
        return new ObservedPool.ObservedVolume(iso.volumeName(), isoPath(), iso.fileBytes());
    }

    @Test
    void aNewVmWithACdromUploadsTheIsoThenDefinesTheDomainWithItsBootOrderOnTheDevices() {
        Plan plan = plan(desired(web(false, "installer", CDROM_THEN_DISK)), observed(List.of()));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactlyInAnyOrder(StepKind.UPLOAD_IMAGE,
                StepKind.CREATE_VOLUME, StepKind.DEFINE_DOMAIN);
        Step upload = only(plan, StepKind.UPLOAD_IMAGE);
        Step define = only(plan, StepKind.DEFINE_DOMAIN);
        assertThat(plan.steps().indexOf(upload)).isLessThan(plan.steps().indexOf(define));
        assertThat(define.dependsOn()).contains(upload.id());
        assertThat(define.uses()).contains(upload.subject());
        assertThat(upload.node()).isEqualTo("n");
        assertThat(upload.payload(StepPayload.UploadImage.class)).isEqualTo(new StepPayload.UploadImage(POOL,
                iso.volumeName(), upload.payload(StepPayload.UploadImage.class).xml(), iso.source(), iso.sha256(),
                isoPath()));
        assertThat(iso.volumeName()).isEqualTo("iso.installer." + iso.sha256().substring(0, 12) + ".iso");
        // the define checks the ISO it attaches on the node (apply skips it when this apply uploaded and checked it)
        assertThat(define.payload(StepPayload.DefineDomain.class).checks()).isEqualTo(java.util.Map.of(isoPath(),
                iso.sha256()));
        assertThat(plan.changes()).extracting(ResourceChange::address).contains("iso.installer@n");

        String xml = define.payload(StepPayload.DefineDomain.class).xml();
        assertThat(disks(xml, "cdrom")).singleElement().satisfies(cdrom -> {
            assertThat(attribute(cdrom, "source", "file")).isEqualTo(isoPath());
            assertThat(attribute(cdrom, "target", "bus")).isEqualTo("sata");
            assertThat(attribute(cdrom, "target", "dev")).isEqualTo("sda");
            assertThat(Xml.child(cdrom, "readonly")).isPresent();
            assertThat(attribute(cdrom, "boot", "order")).isEqualTo("1");
        });
        assertThat(disks(xml, "disk")).singleElement().satisfies(d -> {
            assertThat(attribute(d, "source", "file")).isEqualTo("/img/web-root.qcow2");
            assertThat(attribute(d, "boot", "order")).isEqualTo("2");
        });
        assertThat(osBoot(xml)).isEmpty();
        assertThat(xml).doesNotContain("<boot dev=");

        ResourceChange vm = plan.changes().stream().filter(c -> c.address().equals("vm.web")).findFirst()
                .orElseThrow();
        assertThat(vm.attributes()).contains(
                new AttributeChange("cdrom", null, "installer (" + iso.volumeName() + ")", Effect.LIVE),
                new AttributeChange("boot", null, "[cdrom, disk]", Effect.LIVE));
    }

    @Test
    void aCdromWithoutBootKeepsTheOsElementsBootOrderAndNoDeviceHasOne() {
        Plan plan = plan(desired(web(false, "installer", List.of())), observed(List.of(), isoVolume()));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).as("the ISO is on the node already")
                .containsExactlyInAnyOrder(StepKind.CREATE_VOLUME, StepKind.DEFINE_DOMAIN);
        String xml = only(plan, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).xml();
        assertThat(disks(xml, "cdrom")).singleElement().satisfies(cdrom -> {
            assertThat(attribute(cdrom, "source", "file")).isEqualTo(isoPath());
            assertThat(Xml.child(cdrom, "boot")).isEmpty();
        });
        assertThat(disks(xml, "disk")).singleElement().satisfies(d -> assertThat(Xml.child(d, "boot")).isEmpty());
        assertThat(osBoot(xml)).containsExactly("hd", "network");
        assertThat(xml).doesNotContain("<boot order");
    }

    // ---- a replicated vm: the ISO on both nodes of its pair

    private static final StorageSpec VG0 = new StorageSpec("vg0", StorageSpec.StorageType.LVM, "vg0", null);

    private DesiredState replicatedDesired(String node) {
        VmSpec web = new VmSpec("web", node, 1, 64L << 20, VmSpec.PowerState.STOPPED, false, false,
                List.of(new VmSpec.DiskSpec("root", 32L << 20, "vg0", true, VmSpec.DiskBus.VIRTIO)), List.of(),
                List.of(), List.of(), List.of("m", "n"), VmSpec.Migration.OFFLINE, null, "installer", CDROM_THEN_DISK);
        return new DesiredState(new ClusterSpec("c", new DrbdSpec(true, "C", "100M", "sha1",
                new org.mcvirt.model.IntRange(7900, 7999), new org.mcvirt.model.IntRange(100, 199),
                new DrbdSpec.SecretRef("/s", null))), List.of(pairNode("n", "10.0.0.1"), pairNode("m", "10.0.0.2")),
                List.of(), List.of(web), List.of(), List.of(iso));
    }

    /** A node of the pair with its DRBD address, lvm storage vg0 and file storage images. */
    private static org.mcvirt.model.NodeSpec pairNode(String name, String clusterIp) {
        org.mcvirt.model.NodeSpec n = DifferFixture.node(name, VG0, IMAGES);
        return new org.mcvirt.model.NodeSpec(n.name(), n.local(), n.address(), clusterIp, clusterIp, n.ssh(),
                n.libvirtUri(), n.domainType(), n.stateDirectory(), n.drbdConfigDirectory(), n.storage());
    }

    private static ObservedPool images(ObservedPool.ObservedVolume... volumes) {
        return new ObservedPool(POOL, "dir", true, true, "/img", List.of(volumes), null);
    }

    @Test
    void aNewReplicatedVmGetsTheIsoUploadedToBothNodesOfItsPair() {
        ObservedState empty = new ObservedState(List.of("n", "m").stream().map(name -> new NodeObservation(name, true,
                null, "9.0.0", "QEMU", List.of(), List.of(), List.of(images()), List.of(),
                new ObservedLvm(Availability.PRESENT, List.of(),
                        List.of(new ObservedLvm.VolumeGroup("vg0", 4L << 30, 3L << 30, 4L << 20)), List.of()),
                new ObservedDrbd(Availability.PRESENT, List.of(), "8.4.11", null, "9.22.0", List.of(), List.of())))
                .toList());
        Plan plan = plan(replicatedDesired("n"), empty);
        assertThat(plan.problems()).isEmpty();
        List<Step> uploads = plan.steps().stream().filter(s -> s.kind() == StepKind.UPLOAD_IMAGE).toList();
        assertThat(uploads).extracting(Step::node).containsExactlyInAnyOrder("m", "n");
        assertThat(uploads).allSatisfy(u -> {
            StepPayload.UploadImage payload = u.payload(StepPayload.UploadImage.class);
            assertThat(payload.pool()).isEqualTo(POOL);
            assertThat(payload.name()).isEqualTo(iso.volumeName());
            assertThat(payload.sha256()).isEqualTo(iso.sha256());
        });
        Step define = only(plan, StepKind.DEFINE_DOMAIN);
        assertThat(define.node()).isEqualTo("n");
        Step onN = uploads.stream().filter(u -> u.node().equals("n")).findFirst().orElseThrow();
        assertThat(define.dependsOn()).contains(onN.id());
        assertThat(plan.changes()).extracting(ResourceChange::address).contains("iso.installer@n",
                "iso.installer@m");

        // m has it already: only n's upload
        ObservedState onM = new ObservedState(empty.nodes().stream().map(n -> !n.node().equals("m") ? n
                : new NodeObservation(n.node(), true, null, "9.0.0", "QEMU", List.of(), List.of(),
                List.of(images(isoVolume())), List.of(), n.lvm(), n.drbd())).toList());
        assertThat(plan(replicatedDesired("n"), onM).steps()).filteredOn(s -> s.kind() == StepKind.UPLOAD_IMAGE)
                .extracting(Step::node).containsExactly("n");
    }

    // ---- an existing domain

    /** A definition's devices with the ISO CD-ROM and the boot orders mcvirt gives for boot: [cdrom, disk]. */
    private String withIso(String definition) {
        return definition.replace("<target dev='vda' bus='virtio'/></disk>",
                        "<target dev='vda' bus='virtio'/><boot order='2'/></disk>")
                .replace("</devices>", "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
                        + "<source file='" + isoPath() + "'/><target dev='sda' bus='sata'/><readonly/>"
                        + "<boot order='1'/></disk></devices>");
    }

    /** web as defined on n (root on vda), running or not, with this definition. */
    private static ObservedDomain defined(boolean running, java.util.function.UnaryOperator<String> definition) {
        ObservedDomain plain = DifferFixture.domain("web", running, 64, false, "root");
        return new ObservedDomain(plain.name(), plain.uuid(), running, running ? "running" : "shut-off", true, false,
                1, 64L << 10, 1, 64L << 10, plain.disks(), List.of(), null, plain.metadata(),
                definition.apply(plain.definition()));
    }

    @Test
    void anExistingDomainWithTheIsoAndTheBootOrderHasNothingPlanned() {
        Plan plan = plan(desired(web(false, "installer", CDROM_THEN_DISK)),
                observed(List.of(defined(false, this::withIso)), ROOT, isoVolume()));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.changes()).isEmpty();
        assertThat(plan.steps()).isEmpty();
        // and a running one too
        assertThat(plan(desired(web(true, "installer", CDROM_THEN_DISK)),
                observed(List.of(defined(true, this::withIso)), ROOT, isoVolume())).steps()).isEmpty();
    }

    @Test
    void removingCdromAndBootEjectsTheIsoAndRestoresTheOsElementsBootOrderInTheDefinitionAlone() {
        Plan plan = plan(desired(web(false, null, List.of())),
                observed(List.of(defined(false, this::withIso)), ROOT, isoVolume()));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.DEFINE_DOMAIN);
        assertThat(plan.changes()).singleElement().satisfies(c -> {
            assertThat(c.address()).isEqualTo("vm.web");
            assertThat(c.action()).isEqualTo(Action.UPDATE);
            assertThat(c.attributes()).containsExactlyInAnyOrder(
                    new AttributeChange("cdrom", iso.volumeName(), null, Effect.LIVE),
                    new AttributeChange("boot", "[cdrom, disk]", "default", Effect.LIVE));
        });
        String xml = only(plan, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).xml();
        assertThat(disks(xml, "cdrom")).isEmpty();
        assertThat(xml).doesNotContain(iso.volumeName()).doesNotContain("<boot order");
        assertThat(disks(xml, "disk")).singleElement().satisfies(d -> {
            assertThat(attribute(d, "source", "file")).isEqualTo("/img/web-root.qcow2");
            assertThat(Xml.child(d, "boot")).isEmpty();
        });
        assertThat(osBoot(xml)).containsExactly("hd", "network");
        assertThat(xml).containsPattern("<boot dev=['\"]hd['\"]/>");
    }

    @Test
    void removingOnlyTheBootOrderKeepsTheIsoAndTakesTheOrderOffItsDevices() {
        Plan plan = plan(desired(web(false, "installer", List.of())),
                observed(List.of(defined(false, this::withIso)), ROOT, isoVolume()));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.DEFINE_DOMAIN);
        assertThat(plan.changes()).singleElement().satisfies(c -> assertThat(c.attributes()).containsExactly(
                new AttributeChange("boot", "[cdrom, disk]", "default", Effect.LIVE)));
        String xml = only(plan, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).xml();
        assertThat(disks(xml, "cdrom")).singleElement()
                .satisfies(cdrom -> assertThat(attribute(cdrom, "source", "file")).isEqualTo(isoPath()));
        assertThat(xml).doesNotContain("<boot order");
        assertThat(osBoot(xml)).containsExactly("hd", "network");
        // the ISO it keeps was attached before: not checked again
        assertThat(only(plan, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).checks()).isEmpty();
    }

    @Test
    void insertingTheIsoIntoARunningVmUploadsItAndEditsTheDefinitionForItsNextStart() {
        Plan plan = plan(desired(web(true, "installer", CDROM_THEN_DISK)),
                observed(List.of(defined(true, d -> d)), ROOT));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.UPLOAD_IMAGE,
                StepKind.DEFINE_DOMAIN);
        Step define = only(plan, StepKind.DEFINE_DOMAIN);
        assertThat(define.dependsOn()).contains(only(plan, StepKind.UPLOAD_IMAGE).id());
        ResourceChange vm = plan.changes().stream().filter(c -> c.address().equals("vm.web")).findFirst()
                .orElseThrow();
        assertThat(vm.attributes()).containsExactlyInAnyOrder(
                new AttributeChange("cdrom", null, "installer (" + iso.volumeName() + ")", Effect.RESTART),
                new AttributeChange("boot", "default", "[cdrom, disk]", Effect.RESTART));
        String xml = define.payload(StepPayload.DefineDomain.class).xml();
        assertThat(disks(xml, "cdrom")).singleElement().satisfies(cdrom -> {
            assertThat(attribute(cdrom, "source", "file")).isEqualTo(isoPath());
            assertThat(attribute(cdrom, "target", "bus")).isEqualTo("sata");
            assertThat(Xml.child(cdrom, "readonly")).isPresent();
            assertThat(attribute(cdrom, "boot", "order")).isEqualTo("1");
        });
        assertThat(disks(xml, "disk")).singleElement()
                .satisfies(d -> assertThat(attribute(d, "boot", "order")).isEqualTo("2"));
        assertThat(osBoot(xml)).isEmpty();
        assertThat(define.payload(StepPayload.DefineDomain.class).checks()).isEqualTo(java.util.Map.of(isoPath(),
                iso.sha256()));
        // the check survives a saved plan
        StepPayload back = PayloadCodec.fromArguments(StepKind.DEFINE_DOMAIN,
                PayloadCodec.toArguments(define.payload(StepPayload.DefineDomain.class)));
        assertThat(((StepPayload.DefineDomain) back).checks()).isEqualTo(java.util.Map.of(isoPath(), iso.sha256()));
    }

    @Test
    void aNewIsoFileUnderTheSameNameIsUploadedAndReplacesTheOldOneInTheDefinition() throws Exception {
        IsoSpec old = iso;
        ObservedDomain domain = defined(false, this::withIso);
        ObservedPool.ObservedVolume oldVolume = isoVolume();
        Path newer = dir.resolve("installer-2.iso");
        Files.write(newer, new byte[7000]);
        iso = new IsoSpec("installer", newer.toString(), ImageFiles.sha256(newer), "images", 7000, DECLARED_AT);
        assertThat(iso.volumeName()).isNotEqualTo(old.volumeName());

        Plan plan = plan(desired(web(false, "installer", CDROM_THEN_DISK)), observed(List.of(domain), ROOT,
                oldVolume));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.UPLOAD_IMAGE,
                StepKind.DEFINE_DOMAIN);
        Step upload = only(plan, StepKind.UPLOAD_IMAGE);
        assertThat(upload.payload(StepPayload.UploadImage.class).name()).isEqualTo(iso.volumeName());
        Step define = only(plan, StepKind.DEFINE_DOMAIN);
        assertThat(define.dependsOn()).contains(upload.id());
        ResourceChange vm = plan.changes().stream().filter(c -> c.address().equals("vm.web")).findFirst()
                .orElseThrow();
        assertThat(vm.attributes()).containsExactly(new AttributeChange("cdrom", old.volumeName(), "installer ("
                + iso.volumeName() + ")", Effect.LIVE));
        String xml = define.payload(StepPayload.DefineDomain.class).xml();
        assertThat(xml).doesNotContain(old.volumeName());
        assertThat(disks(xml, "cdrom")).singleElement().satisfies(cdrom -> {
            assertThat(attribute(cdrom, "source", "file")).isEqualTo(isoPath());
            assertThat(attribute(cdrom, "boot", "order")).isEqualTo("1");
        });
        assertThat(disks(xml, "disk")).singleElement()
                .satisfies(d -> assertThat(attribute(d, "boot", "order")).isEqualTo("2"));
        assertThat(osBoot(xml)).isEmpty();
    }

    /** web on n as libvirt keeps the define's XML (its UUID added), with these disks in its mark. */
    private static ObservedDomain definedAs(String defineXml, boolean running, String... disks) {
        ObservedDomain plain = DifferFixture.domain("web", running, 64, false, disks);
        String xml = defineXml.replaceFirst("</name>", "</name><uuid>" + plain.uuid() + "</uuid>");
        return new ObservedDomain(plain.name(), plain.uuid(), running, running ? "running" : "shut-off", true, false,
                1, 64L << 10, 1, 64L << 10, plain.disks(), List.of(), null, plain.metadata(), xml);
    }

    /** The define a new vm gets, read back as its definition: the next plan is empty (the plan converges). */
    private Plan afterItsDefine(VmSpec vm, String... disks) {
        Plan first = plan(desired(vm), observed(List.of(), isoVolume()));
        assertThat(first.problems()).isEmpty();
        String xml = only(first, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).xml();
        ObservedPool.ObservedVolume[] volumes = java.util.stream.Stream.concat(java.util.stream.Stream.of(isoVolume()),
                java.util.Arrays.stream(disks).map(d -> new ObservedPool.ObservedVolume("web-" + d + ".qcow2",
                        "/img/web-" + d + ".qcow2", 8L << 20))).toArray(ObservedPool.ObservedVolume[]::new);
        return plan(desired(vm), observed(List.of(definedAs(xml, false, disks)), volumes));
    }

    @Test
    void theDefinitionANewVmGetsNeedsNoChangeAtTheNextPlan() {
        Plan next = afterItsDefine(web(false, "installer", CDROM_THEN_DISK), "root");
        assertThat(next.problems()).isEmpty();
        assertThat(next.changes()).isEmpty();
        assertThat(next.steps()).isEmpty();
        Plan withoutBoot = afterItsDefine(web(false, "installer", List.of()), "root");
        assertThat(withoutBoot.steps()).isEmpty();
        Plan diskFirst = afterItsDefine(web(false, "installer", List.of(VmSpec.BootDevice.DISK,
                VmSpec.BootDevice.CDROM)), "root");
        assertThat(diskFirst.steps()).isEmpty();
    }

    // ---- a move to a node without the ISO

    /** web, replicated between n and m, defined (stopped) on n with the ISO CD-ROM; m's pool has these volumes. */
    private ObservedState definedOnN(ObservedPool.ObservedVolume... onM) {
        ObservedDomain plain = DifferFixture.domain("web", false, 64, false);
        VmMetadata mark = new VmMetadata("c", "web", false, List.of(new VmMetadata.Disk("root", "vg0", "vda",
                "/dev/drbd100", "mcvirt_web_root", 100, 7900)), List.of("m", "n"));
        String definition = plain.definition().replace("</devices>", "<disk type='block' device='disk'>"
                + "<driver name='qemu' type='raw' cache='none' io='native'/><source dev='/dev/drbd100'/>"
                + "<target dev='vda' bus='virtio'/><boot order='2'/></disk>"
                + "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='" + isoPath()
                + "'/><target dev='sda' bus='sata'/><readonly/><boot order='1'/></disk></devices>");
        ObservedDomain web = new ObservedDomain(plain.name(), plain.uuid(), false, "shut-off", true, false, 1, 65536,
                1, 65536, List.of(new ObservedDomain.ObservedDisk("vda", "virtio", "/dev/drbd100")), List.of(), null,
                mark, definition);
        List<NodeObservation> nodes = new java.util.ArrayList<>();
        for (String name : List.of("n", "m")) {
            ObservedLvm lvm = new ObservedLvm(Availability.PRESENT, List.of(),
                    List.of(new ObservedLvm.VolumeGroup("vg0", 4L << 30, 3L << 30, 4L << 20)),
                    List.of(new ObservedLvm.LogicalVolume("mcvirt_web_root", "vg0", 32L << 20,
                            "/dev/vg0/mcvirt_web_root", "-wi-ao----", List.of("mcvirt.c"))));
            ObservedDrbd drbd = new ObservedDrbd(Availability.PRESENT, List.of(), "8.4.11", null, "9.22.0",
                    List.of(new ObservedDrbd.Resource("mcvirt_web_root", 0, 100, "/dev/vg0/mcvirt_web_root",
                            "internal", null, null, "C", Map.of(), "Connected", name.equals("n") ? "Primary"
                            : "Secondary", name.equals("n") ? "Secondary" : "Primary", "UpToDate", "UpToDate", 0,
                            null, Map.of())), List.of());
            ObservedPool pool = name.equals("n") ? images(isoVolume()) : images(onM);
            nodes.add(new NodeObservation(name, true, null, "9.0.0", "QEMU", name.equals("n") ? List.of(web)
                    : List.of(), List.of(), List.of(pool), List.of(), lvm, drbd));
        }
        return new ObservedState(nodes);
    }

    @Test
    void aMoveToANodeWithoutTheVmsIsoUploadsItFirstOrIsRefusedNamingIt() {
        // the whole manifest: the ISO is uploaded to m, then the vm is defined there
        Plan uploading = plan(replicatedDesired("m"), definedOnN());
        assertThat(uploading.problems()).as(uploading.problemMessages().toString()).isEmpty();
        Step upload = only(uploading, StepKind.UPLOAD_IMAGE);
        assertThat(upload.node()).isEqualTo("m");
        assertThat(only(uploading, StepKind.DEFINE_DOMAIN).node()).isEqualTo("m");
        assertThat(only(uploading, StepKind.DEFINE_DOMAIN).dependsOn()).contains(upload.id());

        // a plan of the vm alone (an imperative migrate) uploads nothing: the move is refused, naming the ISO
        Plan refused = new Planner(RENDERER).plan(replicatedDesired("m"), definedOnN(),
                new Planner.Options(java.util.Set.of("web")));
        assertThat(refused.problems()).filteredOn(p -> p.code() == PlanFinding.Code.MIGRATION_REFUSED)
                .as(refused.problemMessages().toString()).singleElement().satisfies(p -> {
                    assertThat(p.subject()).isEqualTo(PlanFinding.Subject.vm("web", "m"));
                    assertThat(p.message()).isEqualTo("vm web is on node n and the manifest puts it on m; it cannot"
                            + " move: node m does not have its installer ISO " + isoPath() + " (its CD-ROM): apply the"
                            + " manifest with the vm where it is first (it uploads the ISO to every node of the vm's"
                            + " pair), or eject it (remove 'cdrom')");
                });
        assertThat(refused.steps()).extracting(Step::kind).doesNotContain(StepKind.DEFINE_DOMAIN,
                StepKind.UNDEFINE_DOMAIN, StepKind.MIGRATE_LIVE, StepKind.UPLOAD_IMAGE);

        // with the ISO on m the same move is planned
        Plan moved = plan(replicatedDesired("m"), definedOnN(isoVolume()));
        assertThat(moved.problems()).as(moved.problemMessages().toString()).isEmpty();
        assertThat(moved.steps()).extracting(Step::kind).containsExactly(StepKind.DRBD_DEMOTE,
                StepKind.DRBD_PROMOTE, StepKind.DEFINE_DOMAIN, StepKind.UNDEFINE_MIGRATED);
        assertThat(only(moved, StepKind.DEFINE_DOMAIN).node()).isEqualTo("m");
        assertThat(only(moved, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).xml())
                .contains(isoPath());
    }
}
