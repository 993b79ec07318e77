package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mcvirt.plan.DifferFixture.CLUSTER;
import static org.mcvirt.plan.DifferFixture.NODE;
import static org.mcvirt.plan.DifferFixture.RENDERER;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.manifest.ImageFiles;
import org.mcvirt.model.CloudInitSeed;
import org.mcvirt.model.CloudInitSpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.ImageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Xml;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.StateReader;
import org.w3c.dom.Element;

/**
 * The whole planner on a vm with a disk from an image and cloud-init (cluster c, node n with file storage images at
 * /img): the image uploaded, the disk made from it, the seed written, the domain defined with the seed on a
 * virtio-scsi CD-ROM and mcvirt's UUID; the user data in no plan output; an image already on the node not uploaded
 * again; a wrong sha256 a problem at the manifest's place; an existing domain's seed left alone or replaced alone.
 */
class ImagePlanTest {
    private static final String SECRET = "S3CRET-pw-7f3a9c-never-in-a-plan";
    private static final String USER_DATA = "#cloud-config\nchpasswd:\n  list: |\n    debian:" + SECRET + "\n";
    private static final String DECLARED_AT = "/srv/manifests/cluster.yaml:12:13";
    private static final String POOL = "mcvirt.c.images";
    private static final long VIRTUAL = 4L << 20;

    @TempDir
    Path dir;
    private Path source;
    private String sha256;

    @BeforeEach
    void image() throws Exception {
        ByteBuffer header = ByteBuffer.allocate(104);
        header.putInt(0, 0x514649fb);
        header.putInt(4, 3);
        header.putInt(20, 16);
        header.putLong(24, VIRTUAL);
        source = dir.resolve("debian.qcow2");
        Files.write(source, header.array());
        sha256 = ImageFiles.sha256(source);
    }

    private ImageSpec image(String sha) {
        return new ImageSpec("debian", source.toString(), sha, ImageSpec.Format.QCOW2, "images", VIRTUAL, 104,
                DECLARED_AT);
    }

    private static VmSpec web(String userData) {
        return new VmSpec("web", "n", 1, 64L << 20, VmSpec.PowerState.STOPPED, false, false,
                List.of(new VmSpec.DiskSpec("root", 8L << 20, "images", false, VmSpec.DiskBus.VIRTIO, "debian", false)),
                List.of(), List.of(), List.of(), List.of(), VmSpec.Migration.OFFLINE,
                new CloudInitSpec("user-data.yaml", userData, null, Map.of("role", "web"), null, "images"));
    }

    private DesiredState desired(String sha, VmSpec vm) {
        return new DesiredState(CLUSTER, List.of(NODE), List.of(), List.of(vm), List.of(image(sha)));
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

    /** The element of the domain XML's devices that are disks with this device attribute. */
    private static List<Element> disks(String xml, String device) {
        Element devices = Xml.child(Xml.parse(xml).getDocumentElement(), "devices").orElseThrow();
        return Xml.children(devices, "disk").stream().filter(d -> device.equals(d.getAttribute("device"))).toList();
    }

    private static String attribute(Element parent, String child, String name) {
        return Xml.child(parent, child).map(e -> e.getAttribute(name)).orElse(null);
    }

    @Test
    void aNewVmUploadsTheImageCopiesItWritesTheSeedAndDefinesTheDomainInThatOrder() {
        VmSpec web = web(USER_DATA);
        Plan plan = plan(desired(sha256, web), observed(List.of()));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactlyInAnyOrder(StepKind.UPLOAD_IMAGE,
                StepKind.CREATE_VOLUME_FROM_IMAGE, StepKind.WRITE_SEED, StepKind.DEFINE_DOMAIN);
        Step upload = only(plan, StepKind.UPLOAD_IMAGE);
        Step volume = only(plan, StepKind.CREATE_VOLUME_FROM_IMAGE);
        Step seed = only(plan, StepKind.WRITE_SEED);
        Step define = only(plan, StepKind.DEFINE_DOMAIN);
        List<Step> steps = plan.steps();
        assertThat(steps.indexOf(upload)).isLessThan(steps.indexOf(volume));
        assertThat(steps.indexOf(volume)).isLessThan(steps.indexOf(define));
        assertThat(steps.indexOf(seed)).isLessThan(steps.indexOf(define));
        assertThat(volume.dependsOn()).contains(upload.id());
        assertThat(define.dependsOn()).contains(volume.id(), seed.id());

        String volumeName = image(sha256).volumeName();
        assertThat(upload.payload(StepPayload.UploadImage.class)).isEqualTo(new StepPayload.UploadImage(POOL,
                volumeName, upload.payload(StepPayload.UploadImage.class).xml(), source.toString(), sha256,
                "/img/" + volumeName));
        StepPayload.CreateVolumeFromImage copy = volume.payload(StepPayload.CreateVolumeFromImage.class);
        assertThat(copy.name()).isEqualTo("web-root.qcow2");
        assertThat(copy.imageVolume()).isEqualTo(volumeName);
        assertThat(copy.imagePath()).isEqualTo("/img/" + volumeName);
        assertThat(copy.sha256()).isEqualTo(sha256);
        assertThat(copy.bytes()).isEqualTo(8L << 20);
        assertThat(copy.linked()).isFalse();

        String uuid = CloudInitSeed.uuidFor("c", "web");
        CloudInitSeed expected = CloudInitSeed.of(web, uuid);
        String seedVolume = expected.volumeName("web");
        StepPayload.WriteSeed written = seed.payload(StepPayload.WriteSeed.class);
        assertThat(written.name()).isEqualTo(seedVolume);
        assertThat(written.pool()).isEqualTo(POOL);
        assertThat(written.userData()).isEqualTo(USER_DATA); // apply writes it: the fresh plan carries it
        assertThat(written.metaData()).contains("\"instance-id\":\"iid-" + uuid + "\"", "\"local-hostname\":\"web\"",
                "\"role\":\"web\"");

        String xml = define.payload(StepPayload.DefineDomain.class).xml();
        assertThat(xml).contains("<controller type='scsi' index='0' model='virtio-scsi'/>");
        assertThat(Xml.child(Xml.parse(xml).getDocumentElement(), "uuid").orElseThrow().getTextContent())
                .isEqualTo(uuid);
        assertThat(disks(xml, "cdrom")).singleElement().satisfies(cdrom -> {
            assertThat(attribute(cdrom, "source", "file")).isEqualTo("/img/" + seedVolume);
            assertThat(attribute(cdrom, "target", "bus")).isEqualTo("scsi");
            assertThat(Xml.child(cdrom, "readonly")).isPresent();
        });
        assertThat(disks(xml, "disk")).singleElement()
                .satisfies(d -> assertThat(attribute(d, "source", "file")).isEqualTo("/img/web-root.qcow2"));
        // the mark records the image the new disk is made from: its name and the first 12 hex of its SHA-256
        assertThat(StateReader.metadata(Xml.parse(xml)).orElseThrow().disks()).singleElement()
                .satisfies(d -> assertThat(d.image()).isEqualTo(new VmMetadata.Image("debian",
                        sha256.substring(0, 12))));
        assertThat(xml).contains("image='debian' image-sha256='" + sha256.substring(0, 12) + "'/>");
    }

    @Test
    void theUserDataIsInNoPlanOutputOnlyItsDigest() {
        Plan plan = plan(desired(sha256, web(USER_DATA)), observed(List.of()));
        assertThat(only(plan, StepKind.WRITE_SEED).payload(StepPayload.WriteSeed.class).userData()).contains(SECRET);
        String json = PlanCodec.toJson(plan);
        assertThat(json).contains("WRITE_SEED").doesNotContain(SECRET).doesNotContain("chpasswd");
        for (Step step : plan.steps()) {
            assertThat(PayloadCodec.toArguments(step.payload()).values()).noneMatch(v -> v.contains(SECRET));
        }
        String text = PlanText.render(plan, false);
        assertThat(text).doesNotContain(SECRET).doesNotContain("chpasswd")
                .contains("sha256:" + CloudInitSeed.of(web(USER_DATA), CloudInitSeed.uuidFor("c", "web"))
                        .userDataDigest().substring(0, 12));
        // a saved plan read back carries the seed's digest, never its files
        Plan saved;
        try {
            saved = PlanCodec.fromJson(json);
        } catch (PlanCodec.InvalidPlanException e) {
            throw new AssertionError(e);
        }
        StepPayload.WriteSeed read = only(saved, StepKind.WRITE_SEED).payload(StepPayload.WriteSeed.class);
        StepPayload.WriteSeed fresh = only(plan, StepKind.WRITE_SEED).payload(StepPayload.WriteSeed.class);
        assertThat(read.digest()).isEqualTo(fresh.digest()).hasSize(64);
        assertThat(read.name()).isEqualTo(fresh.name());
        assertThat(read.userData()).isNull();
        assertThat(read.metaData()).isNull();
        assertThat(PlanMarkdown.render(plan)).contains("write cloud-init seed seed.web.").doesNotContain(SECRET);
    }

    @Test
    void anImageAlreadyOnTheNodeIsNotUploadedAgain() {
        String volumeName = image(sha256).volumeName();
        Plan plan = plan(desired(sha256, web(USER_DATA)), observed(List.of(),
                new ObservedPool.ObservedVolume(volumeName, "/img/" + volumeName, VIRTUAL)));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactlyInAnyOrder(StepKind.CREATE_VOLUME_FROM_IMAGE,
                StepKind.WRITE_SEED, StepKind.DEFINE_DOMAIN);
        assertThat(plan.changes()).extracting(ResourceChange::address).doesNotContain("image.debian@n");
    }

    @Test
    void aWrongSha256IsAnImageSourceProblemAtTheManifestsPlaceAndNothingIsUploaded() {
        String wrong = "0".repeat(64);
        Plan plan = plan(desired(wrong, web(USER_DATA)), observed(List.of()));
        assertThat(plan.problems()).filteredOn(f -> f.code() == PlanFinding.Code.IMAGE_SOURCE).singleElement()
                .satisfies(f -> assertThat(f.message()).startsWith(DECLARED_AT + ": image 'debian': its source "
                        + source + " has SHA-256 " + sha256 + ", not " + wrong));
        assertThat(plan.steps()).extracting(Step::kind).doesNotContain(StepKind.UPLOAD_IMAGE);
        // the right one plans the upload (the same source file, read again)
        assertThat(plan(desired(sha256, web(USER_DATA)), observed(List.of())).steps()).extracting(Step::kind)
                .contains(StepKind.UPLOAD_IMAGE);
    }

    /** web as defined on n (stopped, disk root from the image) with this seed CD-ROM in its definition. */
    private static ObservedDomain defined(String seedVolume) {
        ObservedDomain plain = DifferFixture.domain("web", false, 64, false, "root");
        String devices = "<controller type='scsi' index='0' model='virtio-scsi'/>"
                + "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='/img/" + seedVolume
                + "'/><target dev='sda' bus='scsi'/><readonly/></disk></devices>";
        return new ObservedDomain(plain.name(), plain.uuid(), false, "shut-off", true, false, 1, 64L << 10, 1,
                64L << 10, plain.disks(), List.of(), null, plain.metadata(),
                plain.definition().replace("</devices>", devices));
    }

    private static final ObservedPool.ObservedVolume ROOT =
            new ObservedPool.ObservedVolume("web-root.qcow2", "/img/web-root.qcow2", 8L << 20);

    @Test
    void anExistingDomainWithTheCurrentSeedHasNothingPlannedForCloudInit() {
        VmSpec web = web(USER_DATA);
        String uuid = DifferFixture.domain("web", false, 64, false, "root").uuid();
        String seedVolume = CloudInitSeed.of(web, uuid).volumeName("web");
        Plan plan = plan(desired(sha256, web), observed(List.of(defined(seedVolume)), ROOT, volume(seedVolume)));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.changes()).isEmpty();
        assertThat(plan.steps()).isEmpty();
    }

    private static ObservedPool.ObservedVolume volume(String name) {
        return new ObservedPool.ObservedVolume(name, "/img/" + name, 1L << 20);
    }

    /** A SCSI disk added where the seed is (sda): the disk takes sda and the seed moves to sdb, never two of a name. */
    @Test
    void aScsiDiskAddedWhereTheSeedIsMovesTheSeedToTheNextName() {
        VmSpec web = web(USER_DATA);
        String uuid = DifferFixture.domain("web", false, 64, false, "root").uuid();
        String seedVolume = CloudInitSeed.of(web, uuid).volumeName("web");
        List<VmSpec.DiskSpec> disks = new java.util.ArrayList<>(web.disks());
        disks.add(new VmSpec.DiskSpec("scratch", 8L << 20, "images", false, VmSpec.DiskBus.SCSI));
        VmSpec more = new VmSpec(web.name(), web.node(), web.cpus(), web.memoryBytes(), web.state(), web.autostart(),
                web.protect(), disks, web.nics(), web.owners(), web.users(), web.pair(), web.migration(),
                web.cloudInit());
        Plan plan = plan(desired(sha256, more), observed(List.of(defined(seedVolume)), ROOT, volume(seedVolume)));
        String xml = only(plan, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).xml();
        assertThat(disks(xml, "disk")).extracting(d -> d.getElementsByTagName("target").item(0).getAttributes()
                .getNamedItem("dev").getNodeValue()).containsExactly("vda", "sda");
        assertThat(disks(xml, "cdrom")).singleElement().satisfies(c -> {
            assertThat(c.getElementsByTagName("target").item(0).getAttributes().getNamedItem("dev").getNodeValue())
                    .isEqualTo("sdb");
            assertThat(c.getElementsByTagName("source").item(0).getAttributes().getNamedItem("file").getNodeValue())
                    .isEqualTo("/img/" + seedVolume);
        });
    }

    /** The seed its definition names is gone from the node: only the seed is written again. */
    @Test
    void aLostSeedIsWrittenAgainAndNothingElse() {
        VmSpec web = web(USER_DATA);
        String uuid = DifferFixture.domain("web", false, 64, false, "root").uuid();
        String seedVolume = CloudInitSeed.of(web, uuid).volumeName("web");
        Plan plan = plan(desired(sha256, web), observed(List.of(defined(seedVolume)), ROOT));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.WRITE_SEED);
        assertThat(only(plan, StepKind.WRITE_SEED).payload(StepPayload.WriteSeed.class).name()).isEqualTo(seedVolume);
    }

    /** A stopped vm whose seed changed: the old seed goes once the definition names the new one. */
    @Test
    void aStoppedVmsOldSeedIsRemovedAfterTheDefinitionNamesTheNewOne() {
        String uuid = DifferFixture.domain("web", false, 64, false, "root").uuid();
        String oldSeed = CloudInitSeed.of(web(USER_DATA), uuid).volumeName("web");
        VmSpec changed = web(USER_DATA + "hostname: web-3\n");
        Plan plan = plan(desired(sha256, changed), observed(List.of(defined(oldSeed)), ROOT, volume(oldSeed),
                volume("seed.other.0123456789ab.iso")));
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.WRITE_SEED, StepKind.DEFINE_DOMAIN,
                StepKind.DELETE_SEED);
        assertThat(only(plan, StepKind.DELETE_SEED).payload(StepPayload.DeleteSeed.class).name()).isEqualTo(oldSeed);
        assertThat(only(plan, StepKind.DELETE_SEED).dependsOn()).contains(only(plan, StepKind.DEFINE_DOMAIN).id());
        assertThat(org.mcvirt.plan.StepEffects.destroys(plan, observed(List.of(defined(oldSeed)), ROOT,
                volume(oldSeed)))).as("removing a seed is not a destroy").isEmpty();
    }

    @Test
    void changedUserDataPlansOnlyTheNewSeedAndADefinitionThatNamesIt() {
        String uuid = DifferFixture.domain("web", false, 64, false, "root").uuid();
        String oldSeed = CloudInitSeed.of(web(USER_DATA), uuid).volumeName("web");
        VmSpec changed = web(USER_DATA + "hostname: web-2\n");
        String newSeed = CloudInitSeed.of(changed, uuid).volumeName("web");
        assertThat(newSeed).isNotEqualTo(oldSeed);

        Plan plan = plan(desired(sha256, changed), observed(List.of(defined(oldSeed)), ROOT));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.WRITE_SEED, StepKind.DEFINE_DOMAIN);
        assertThat(only(plan, StepKind.WRITE_SEED).payload(StepPayload.WriteSeed.class).name()).isEqualTo(newSeed);
        assertThat(only(plan, StepKind.DEFINE_DOMAIN).dependsOn()).contains(only(plan, StepKind.WRITE_SEED).id());
        assertThat(plan.changes()).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(Action.UPDATE);
            assertThat(c.attributes()).extracting(AttributeChange::name).containsExactly("cloudInit");
            assertThat(c.attributes().get(0).before()).isEqualTo(oldSeed);
        });

        String xml = only(plan, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).xml();
        assertThat(disks(xml, "cdrom")).singleElement()
                .satisfies(cdrom -> assertThat(attribute(cdrom, "source", "file")).isEqualTo("/img/" + newSeed));
        assertThat(xml).doesNotContain(oldSeed);
        Element devices = Xml.child(Xml.parse(xml).getDocumentElement(), "devices").orElseThrow();
        assertThat(Xml.children(devices, "controller")).filteredOn(c -> "scsi".equals(c.getAttribute("type")))
                .hasSize(1);
        assertThat(disks(xml, "disk")).singleElement()
                .satisfies(d -> assertThat(attribute(d, "source", "file")).isEqualTo("/img/web-root.qcow2"));
        assertThat(Xml.child(Xml.parse(xml).getDocumentElement(), "uuid").orElseThrow().getTextContent())
                .isEqualTo(uuid);
    }

    // --- the image a disk was made from, recorded in the mark (issue 19) ---

    private static final String OTHER_SHA = "0123456789ab".repeat(5) + "cdef";

    /** Another image of the manifest: debian13, not the fixture's file (a kept disk never needs it on the node). */
    private ImageSpec debian13() {
        return new ImageSpec("debian13", source.toString(), OTHER_SHA, ImageSpec.Format.QCOW2, "images", VIRTUAL, 104,
                DECLARED_AT);
    }

    /** web without cloud-init: disk root from image (null: none), and disks more without one. */
    private static VmSpec plainWeb(String image, boolean protect, VmSpec.DiskSpec... more) {
        List<VmSpec.DiskSpec> disks = new java.util.ArrayList<>(List.of(new VmSpec.DiskSpec("root", 8L << 20,
                "images", false, VmSpec.DiskBus.VIRTIO, image, false)));
        disks.addAll(List.of(more));
        return new VmSpec("web", "n", 1, 64L << 20, VmSpec.PowerState.STOPPED, false, protect, disks, List.of(),
                List.of(), List.of());
    }

    /**
     * web as defined on n with disk root, its mark recording attributes (e.g. {@code image='debian' image-sha256=
     * '...'}, or "" for none) on root's entry; the observed mark is read from the definition, as a node's is.
     */
    private static ObservedDomain definedWithImage(String attributes) {
        ObservedDomain plain = DifferFixture.domain("web", false, 64, false, "root");
        String entry = "source='/img/web-root.qcow2'/>";
        assertThat(plain.definition()).contains(entry);
        String definition = plain.definition().replace(entry, "source='/img/web-root.qcow2'" + attributes + "/>");
        return new ObservedDomain(plain.name(), plain.uuid(), false, "shut-off", true, false, 1, 64L << 10, 1,
                64L << 10, plain.disks(), List.of(), null, StateReader.metadata(Xml.parse(definition)).orElseThrow(),
                definition);
    }

    private String recorded() {
        return " image='debian' image-sha256='" + sha256.substring(0, 12) + "'";
    }

    private Plan imagePlan(VmSpec vm, ObservedDomain domain) {
        return plan(new DesiredState(CLUSTER, List.of(NODE), List.of(), List.of(vm), List.of(image(sha256),
                debian13())), observed(List.of(domain), ROOT));
    }

    private static List<PlanFinding> notRewritten(Plan plan) {
        return plan.warnings().stream().filter(w -> w.code() == PlanFinding.Code.IMAGE_NOT_REWRITTEN).toList();
    }

    @Test
    void aDiskWhoseImageChangedIsAWarningNotAChange() {
        Plan plan = imagePlan(plainWeb("debian13", false), definedWithImage(recorded()));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.changes()).isEmpty();
        assertThat(plan.steps()).isEmpty();
        assertThat(plan.hasChanges()).as("plan --detailed-exitcode exits 0").isFalse();
        assertThat(notRewritten(plan)).singleElement().satisfies(w -> {
            assertThat(w.code().warning()).isTrue();
            assertThat(w.subject()).isEqualTo(PlanFinding.Subject.vm("web", "n"));
            assertThat(w.message()).isEqualTo("vm web disk root was made from image debian ("
                    + sha256.substring(0, 12) + ") and the manifest now says image debian13 (0123456789ab): the image"
                    + " is used only when the disk is created; the disk is not rewritten");
        });
        assertThat(PlanText.render(plan, false)).contains("Warning: vm web disk root was made from image debian",
                "No changes. The cluster matches the manifest.");
    }

    @Test
    void aNewSha256UnderTheSameNameIsAChangedImageToo() {
        ImageSpec rebuilt = new ImageSpec("debian", source.toString(), OTHER_SHA, ImageSpec.Format.QCOW2, "images",
                VIRTUAL, 104, DECLARED_AT);
        Plan plan = plan(new DesiredState(CLUSTER, List.of(NODE), List.of(), List.of(plainWeb("debian", false)),
                List.of(rebuilt)), observed(List.of(definedWithImage(recorded())), ROOT));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).isEmpty();
        assertThat(notRewritten(plan)).singleElement().satisfies(w -> assertThat(w.message())
                .contains("image debian (" + sha256.substring(0, 12) + ")", "image debian (0123456789ab)"));
    }

    @Test
    void anImageRemovedFromTheManifestIsAWarningThatItHasNoEffect() {
        Plan plan = imagePlan(plainWeb(null, false), definedWithImage(recorded()));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).isEmpty();
        assertThat(notRewritten(plan)).singleElement().satisfies(w -> assertThat(w.message()).isEqualTo(
                "vm web disk root was made from image debian (" + sha256.substring(0, 12) + ") and the manifest now"
                        + " names none: image removed, no effect on the existing disk (the image is used only when the"
                        + " disk is created)"));
    }

    @Test
    void theSameImageOrAMarkThatRecordsNoneSaysNothing() {
        Plan same = imagePlan(plainWeb("debian", false), definedWithImage(recorded()));
        assertThat(same.problems()).isEmpty();
        assertThat(same.steps()).isEmpty();
        assertThat(same.warnings()).isEmpty();
        // a mark of an older build, or an adopted domain's: which image is not known, so nothing is said
        for (String image : java.util.Arrays.asList("debian", "debian13", null)) {
            Plan unknown = imagePlan(plainWeb(image, false), definedWithImage(""));
            assertThat(unknown.problems()).isEmpty();
            assertThat(unknown.steps()).isEmpty();
            assertThat(unknown.warnings()).as("image " + image).isEmpty();
        }
    }

    /** The mark entry of disk name in a definition, as the node would read it back. */
    private static VmMetadata.Disk markedDisk(String xml, String name) {
        return StateReader.metadata(Xml.parse(xml)).orElseThrow().disks().stream()
                .filter(d -> d.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aProtectEditKeepsTheImageTheMarkRecordsNeverTheManifests() {
        Plan plan = imagePlan(plainWeb("debian13", true), definedWithImage(recorded()));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.changes()).singleElement().satisfies(c -> assertThat(c.attributes())
                .extracting(AttributeChange::name).containsExactly("protect"));
        String xml = only(plan, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).xml();
        assertThat(StateReader.metadata(Xml.parse(xml)).orElseThrow().protect()).isTrue();
        assertThat(markedDisk(xml, "root").image()).isEqualTo(new VmMetadata.Image("debian",
                sha256.substring(0, 12)));
        assertThat(notRewritten(plan)).hasSize(1);
    }

    @Test
    void aProtectEditOfAMarkWithoutAnImageRecordsNone() {
        Plan plan = imagePlan(plainWeb("debian", true), definedWithImage(""));
        String xml = only(plan, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).xml();
        assertThat(markedDisk(xml, "root").image()).isNull();
        assertThat(xml).doesNotContain("image=");
    }

    @Test
    void aDiskAddedToADefinedVmRecordsItsImageTheKeptDiskKeepsItsOwn() {
        // data is made from debian (uploaded: the fixture's file); root's mark records no image, whatever the manifest
        VmSpec.DiskSpec data = new VmSpec.DiskSpec("data", 8L << 20, "images", false, VmSpec.DiskBus.VIRTIO,
                "debian", false);
        Plan plan = imagePlan(plainWeb("debian13", false, data), definedWithImage(""));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).contains(StepKind.CREATE_VOLUME_FROM_IMAGE,
                StepKind.DEFINE_DOMAIN);
        String xml = only(plan, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).xml();
        assertThat(markedDisk(xml, "data").image()).isEqualTo(new VmMetadata.Image("debian",
                sha256.substring(0, 12)));
        assertThat(markedDisk(xml, "root").image()).as("not known: still none").isNull();
        assertThat(notRewritten(plan)).isEmpty();
    }

    @Test
    void anAdoptedDomainsMarkRecordsNoImage() {
        ObservedDomain plain = DifferFixture.domain("web", false, 64, false, "root");
        ObservedDomain unmarked = new ObservedDomain(plain.name(), plain.uuid(), false, "shut-off", true, false, 1,
                64L << 10, 1, 64L << 10, plain.disks(), List.of(), null, null,
                plain.definition().replaceAll("<metadata>.*</metadata>", ""));
        assertThat(unmarked.managed()).isFalse();
        Plan plan = new Planner(RENDERER).plan(new DesiredState(CLUSTER, List.of(NODE), List.of(),
                List.of(plainWeb("debian", false)), List.of(image(sha256))), observed(List.of(unmarked), ROOT),
                new Planner.Options(java.util.Set.of("web"), false, java.util.Set.of("web")));
        assertThat(plan.problems()).isEmpty();
        String xml = only(plan, StepKind.DEFINE_DOMAIN).payload(StepPayload.DefineDomain.class).xml();
        assertThat(markedDisk(xml, "root").image()).as("which image, if any, is not known").isNull();
        assertThat(xml).doesNotContain("image=");
        assertThat(notRewritten(plan)).isEmpty();
    }
}
