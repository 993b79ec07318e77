package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mcvirt.plan.DifferFixture.CLUSTER;
import static org.mcvirt.plan.DifferFixture.NODE;
import static org.mcvirt.plan.DifferFixture.RENDERER;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.ImageSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.node.ImagePrimitives;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;

/**
 * An image given by an http(s) URL (cluster c, node n with file storage images at /img): its sizes are not known when
 * the manifest is loaded; the node is asked about the URL where it is to download it, and the plan takes the sizes
 * from that answer (or from a copy on a node), says the node downloads it, and makes an unreachable URL, a
 * qcow2 that refers to another file, or a disk smaller than the image a problem naming the manifest's place.
 */
class RemoteImagePlanTest {
    private static final String URL = "https://mirror.example/debian.qcow2";
    private static final String SHA = "0123456789ab".repeat(5) + "cdef";
    private static final String DECLARED_AT = "/srv/manifests/cluster.yaml:7:13";
    private static final String POOL = "mcvirt.c.images";

    private static ImageSpec image() {
        return new ImageSpec("debian", URL, SHA, ImageSpec.Format.QCOW2, "images", 0, 0, DECLARED_AT);
    }

    private static DesiredState desired(long diskBytes) {
        VmSpec web = new VmSpec("web", "n", 1, 64L << 20, VmSpec.PowerState.STOPPED, false, false,
                List.of(new VmSpec.DiskSpec("root", diskBytes, "images", false, VmSpec.DiskBus.VIRTIO, "debian",
                        false)), List.of(), List.of(), List.of(), List.of(), VmSpec.Migration.OFFLINE, null);
        return new DesiredState(CLUSTER, List.of(NODE), List.of(), List.of(web), List.of(image()));
    }

    private static byte[] qcow2(long virtual, long backingOffset) {
        ByteBuffer header = ByteBuffer.allocate(104);
        header.putInt(0, 0x514649fb);
        header.putInt(4, 3);
        header.putLong(8, backingOffset);
        header.putLong(24, virtual);
        return header.array();
    }

    private static NodeObservation node(List<ObservedPool.ObservedVolume> volumes) {
        return new NodeObservation("n", true, null, "9.0.0", "QEMU 7.2.0", List.of(), List.of(),
                List.of(new ObservedPool(POOL, "dir", true, true, "/img", volumes, null)), List.of());
    }

    private static ObservedState asked(ImagePrimitives.Probe probe) {
        return new ObservedState(List.of(node(List.of()).withProbes(Map.of(URL, probe))));
    }

    private static Plan plan(DesiredState desired, ObservedState observed) {
        return new Planner(RENDERER).plan(desired, observed, Planner.Options.all());
    }

    @Test
    void theNodeIsAskedOnlyAboutAUrlItLacks() {
        assertThat(ImageNeeds.toDownload(desired(8L << 20), new ObservedState(List.of(node(List.of())))))
                .isEqualTo(Map.of("n", List.of(URL)));
        ObservedPool.ObservedVolume copy = new ObservedPool.ObservedVolume(image().volumeName(),
                "/img/" + image().volumeName(), 4L << 20);
        assertThat(ImageNeeds.toDownload(desired(8L << 20), new ObservedState(List.of(node(List.of(copy))))))
                .isEmpty();
    }

    @Test
    void aReachableUrlIsDownloadedByTheNodeWithTheSizesItsHeaderTells() {
        Plan plan = plan(desired(8L << 20), asked(new ImagePrimitives.Probe(URL, 3000, qcow2(4L << 20, 0), null)));
        assertThat(plan.problems()).isEmpty();
        Step download = plan.steps().stream().filter(s -> s.kind() == StepKind.UPLOAD_IMAGE).findFirst().orElseThrow();
        assertThat(download.description()).isEqualTo("download image debian from " + URL + " on node n into pool "
                + POOL + " as " + image().volumeName());
        StepPayload.UploadImage payload = download.payload(StepPayload.UploadImage.class);
        assertThat(payload.source()).isEqualTo(URL);
        assertThat(payload.sha256()).isEqualTo(SHA);
        assertThat(payload.path()).isEqualTo("/img/" + image().volumeName());
        assertThat(plan.changes()).anySatisfy(c -> assertThat(c.attributes()).anySatisfy(a -> assertThat(a.after())
                .isEqualTo("3000B downloaded by the node, 4MiB virtual, qcow2")));
        Step copy = plan.steps().stream().filter(s -> s.kind() == StepKind.CREATE_VOLUME_FROM_IMAGE).findFirst()
                .orElseThrow();
        assertThat(copy.dependsOn()).contains(download.id());
    }

    @Test
    void anUnreachableUrlIsAProblemNamingTheManifestsPlaceAndNothingIsDownloaded() {
        Plan plan = plan(desired(8L << 20), asked(new ImagePrimitives.Probe(URL, -1, new byte[0],
                "curl: (6) Could not resolve host: mirror.example")));
        assertThat(plan.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(PlanFinding.Code.IMAGE_SOURCE);
            assertThat(p.message()).startsWith(DECLARED_AT + ": image 'debian': node n cannot download " + URL)
                    .contains("Could not resolve host");
        });
        assertThat(plan.steps()).noneMatch(s -> s.kind() == StepKind.UPLOAD_IMAGE);
    }

    @Test
    void aQcow2WithABackingFileIsAProblem() {
        Plan plan = plan(desired(8L << 20), asked(new ImagePrimitives.Probe(URL, 3000, qcow2(4L << 20, 512), null)));
        assertThat(plan.problems()).singleElement().satisfies(p -> assertThat(p.message()).startsWith(DECLARED_AT)
                .contains("backing file"));
        assertThat(plan.steps()).noneMatch(s -> s.kind() == StepKind.UPLOAD_IMAGE);
    }

    @Test
    void aDiskSmallerThanTheImageTheUrlHoldsIsAProblem() {
        Plan plan = plan(desired(8L << 20), asked(new ImagePrimitives.Probe(URL, 3000, qcow2(16L << 20, 0), null)));
        assertThat(plan.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(PlanFinding.Code.IMAGE_TOO_LARGE);
            assertThat(p.message()).startsWith(DECLARED_AT + ": disk 'root' of vm 'web' is 8MiB, smaller than image"
                    + " 'debian' (16777216 bytes");
        });
    }

    @Test
    void aCopyOnANodeGivesTheSizesWhenNoNodeIsAsked() {
        ObservedPool.ObservedVolume copy = new ObservedPool.ObservedVolume(image().volumeName(),
                "/img/" + image().volumeName(), 16L << 20);
        DesiredState resolved = ImageNeeds.resolved(desired(8L << 20),
                new ObservedState(List.of(node(List.of(copy)))));
        assertThat(resolved.image("debian").orElseThrow().virtualBytes()).isEqualTo(16L << 20);
        // the disk is still to be made from the copy there: too small for it
        Plan plan = plan(desired(8L << 20), new ObservedState(List.of(node(List.of(copy)))));
        assertThat(plan.problems()).extracting(PlanFinding::code).containsExactly(PlanFinding.Code.IMAGE_TOO_LARGE);
    }

    /** A raw URL whose server gives no length, or a node never asked: nothing tells the size, so nothing is made. */
    @Test
    void aDiskFromAUrlImageWhoseSizeNothingTellsIsAProblem() {
        ImageSpec raw = new ImageSpec("debian", URL, SHA, ImageSpec.Format.RAW, "images", 0, 0, DECLARED_AT);
        DesiredState desired = new DesiredState(CLUSTER, List.of(NODE), List.of(), desired(8L << 20).vms(),
                List.of(raw));
        Plan noLength = plan(desired, new ObservedState(List.of(node(List.of()).withProbes(Map.of(URL,
                new ImagePrimitives.Probe(URL, -1, new byte[104], null))))));
        assertThat(noLength.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(PlanFinding.Code.IMAGE_SOURCE);
            assertThat(p.message()).isEqualTo(DECLARED_AT + ": image 'debian': its size is not known (" + URL
                    + " does not say how long it is), so disk 'root' of vm 'web' cannot be checked against it;"
                    + " nothing is made from it");
        });
        Plan notAsked = plan(desired(8L << 20), new ObservedState(List.of(node(List.of()))));
        assertThat(notAsked.problems()).singleElement().satisfies(p -> assertThat(p.message())
                .contains("node n was not asked about " + URL));
    }

    /**
     * A node that could not be read is not asked (it would only be contacted again); a replicated vm's image is asked
     * about on the node the plan places the vm on: its home, or its peer while the home is in maintenance.
     */
    @Test
    void onlyReadNodesAreAskedAndOnlyTheNodeAVmIsPlacedOn() {
        NodeObservation down = NodeObservation.unreachable("n", "connection refused");
        assertThat(ImageNeeds.toDownload(desired(8L << 20), new ObservedState(List.of(down)))).isEmpty();
        org.mcvirt.model.StorageSpec vg0 = new org.mcvirt.model.StorageSpec("vg0",
                org.mcvirt.model.StorageSpec.StorageType.LVM, "vg0", null);
        org.mcvirt.model.StorageSpec images = NODE.storage("images").orElseThrow();
        List<org.mcvirt.model.NodeSpec> pair = List.of("a", "b").stream().map(n -> DifferFixture.node(n, vg0, images))
                .toList();
        VmSpec web = new VmSpec("web", "a", 1, 64L << 20, VmSpec.PowerState.STOPPED, false, false,
                List.of(new VmSpec.DiskSpec("root", 64L << 20, "vg0", true, VmSpec.DiskBus.VIRTIO, "debian", false)),
                List.of(), List.of(), List.of(), List.of("a", "b"), VmSpec.Migration.OFFLINE, null);
        DesiredState desired = new DesiredState(CLUSTER, pair, List.of(), List.of(web), List.of(image()));
        ObservedState observed = new ObservedState(List.of("a", "b").stream().map(n -> new NodeObservation(n, true,
                null, "9.0.0", "QEMU 7.2.0", List.of(), List.of(), List.of(), List.of())).toList());
        assertThat(ImageNeeds.toDownload(desired, observed)).isEqualTo(Map.of("a", List.of(URL)));
        org.mcvirt.model.NodeSpec a = pair.get(0);
        org.mcvirt.model.NodeSpec inMaintenance = new org.mcvirt.model.NodeSpec(a.name(), a.local(), a.address(),
                a.clusterIp(), a.drbdIp(), a.ssh(), a.libvirtUri(), a.domainType(), a.stateDirectory(),
                a.drbdConfigDirectory(), a.storage(), org.mcvirt.model.NodeSpec.State.MAINTENANCE);
        assertThat(ImageNeeds.toDownload(desired.withNode(inMaintenance), observed))
                .isEqualTo(Map.of("b", List.of(URL)));
    }
}
