package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.ImageSpec;
import org.mcvirt.model.IsoSpec;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedPool.ObservedVolume;

/**
 * info's images, ISOs and seeds of a node (cluster c, node n with file storage images at /img and other at /other):
 * those in the cluster's pools, sorted, each with whether the manifest still has it; nothing else.
 */
class NodeInfoFilesTest {
    private static final String NEW = "3f2a9c1b7d4e" + "1".repeat(52);
    private static final String OLD = "0123456789ab" + "2".repeat(52);
    private static final String ISO = "abcdef012345" + "3".repeat(52);
    private static final long GIB = 1L << 30;

    private static DesiredState desired() {
        NodeSpec node = new NodeSpec("n", true, null, null, null, null, "qemu:///system", NodeSpec.DomainType.QEMU,
                "/var/lib/mcvirt", "/etc/drbd.d", List.of(
                        new StorageSpec("images", StorageSpec.StorageType.FILE, null, "/img"),
                        new StorageSpec("other", StorageSpec.StorageType.FILE, null, "/other")));
        VmSpec web = new VmSpec("web", "n", 1, 64L << 20, VmSpec.PowerState.RUNNING, false, false, List.of(),
                List.of(), List.of(), List.of());
        return new DesiredState(new ClusterSpec("c", null), List.of(node), List.of(), List.of(web),
                List.of(new ImageSpec("debian-12", "/src/debian-12.qcow2", NEW, ImageSpec.Format.QCOW2, "images",
                        2 * GIB, 300L << 20, "m.yaml:3:5")),
                List.of(new IsoSpec("netinst", "/src/netinst.iso", ISO, "images", 600L << 20, "m.yaml:7:5")));
    }

    private static ObservedVolume volume(String dir, String name, long bytes) {
        return new ObservedVolume(name, dir + "/" + name, bytes);
    }

    private static NodeObservation node(ObservedPool... pools) {
        return new NodeObservation("n", true, null, "9.0.0", "QEMU 7.2.0", List.of(), List.of(), List.of(pools),
                List.of());
    }

    @Test
    void theFilesInTheClustersPoolsSortedAndWhetherTheManifestStillHasThem() {
        NodeObservation node = node(
                new ObservedPool("mcvirt.c.images", "dir", true, true, "/img", List.of(
                        volume("/img", "seed.web.aaaaaaaaaaaa.iso", 366592),
                        volume("/img", "seed.gone.bbbbbbbbbbbb.iso", 366592),
                        volume("/img", "image.debian-12.3f2a9c1b7d4e.qcow2", 2 * GIB),   // the manifest's
                        volume("/img", "image.debian-12.0123456789ab.qcow2", GIB),       // an older one
                        volume("/img", "image.debian-12.3f2a9c1b7d4e.raw", 2 * GIB),     // another format
                        volume("/img", "iso.netinst.abcdef012345.iso", 600L << 20),
                        volume("/img", "iso.old-netinst.abcdef012345.iso", 500L << 20),
                        volume("/img", "web-root.qcow2", 8 * GIB),                       // a disk
                        volume("/img", "image.debian-12.3f2a9c1b7d4e.qcow2.part", 1),    // not exactly a name
                        volume("/img", "notes.txt", 10)), null),
                // the manifest's image in another pool of the cluster than its storage's: left over there
                new ObservedPool("mcvirt.c.other", "dir", true, true, "/other", List.of(
                        volume("/other", "image.debian-12.3f2a9c1b7d4e.qcow2", 2 * GIB)), null),
                // pools that are not the cluster's
                new ObservedPool("mcvirt.d.images", "dir", true, true, "/d", List.of(
                        volume("/d", "image.debian-12.3f2a9c1b7d4e.qcow2", 2 * GIB)), null),
                new ObservedPool("default", "dir", true, true, "/var/lib/libvirt/images", List.of(
                        volume("/var/lib/libvirt/images", "iso.netinst.abcdef012345.iso", 600L << 20)), null));

        assertThat(Inspector.files(desired(), node)).containsExactly(
                new NodeInfo.File("image", "debian-12", "0123456789ab", "qcow2", GIB, "mcvirt.c.images",
                        "/img/image.debian-12.0123456789ab.qcow2", false),
                new NodeInfo.File("image", "debian-12", "3f2a9c1b7d4e", "qcow2", 2 * GIB, "mcvirt.c.images",
                        "/img/image.debian-12.3f2a9c1b7d4e.qcow2", true),
                new NodeInfo.File("image", "debian-12", "3f2a9c1b7d4e", "qcow2", 2 * GIB, "mcvirt.c.other",
                        "/other/image.debian-12.3f2a9c1b7d4e.qcow2", false),
                new NodeInfo.File("image", "debian-12", "3f2a9c1b7d4e", "raw", 2 * GIB, "mcvirt.c.images",
                        "/img/image.debian-12.3f2a9c1b7d4e.raw", false),
                new NodeInfo.File("iso", "netinst", "abcdef012345", "iso", 600L << 20, "mcvirt.c.images",
                        "/img/iso.netinst.abcdef012345.iso", true),
                new NodeInfo.File("iso", "old-netinst", "abcdef012345", "iso", 500L << 20, "mcvirt.c.images",
                        "/img/iso.old-netinst.abcdef012345.iso", false),
                new NodeInfo.File("seed", "gone", "bbbbbbbbbbbb", "iso", 366592, "mcvirt.c.images",
                        "/img/seed.gone.bbbbbbbbbbbb.iso", false),
                new NodeInfo.File("seed", "web", "aaaaaaaaaaaa", "iso", 366592, "mcvirt.c.images",
                        "/img/seed.web.aaaaaaaaaaaa.iso", true));
    }

    @Test
    void aNodeWithoutPoolsOrNotReadHasNone() {
        assertThat(Inspector.files(desired(), node())).isEmpty();
        assertThat(Inspector.files(desired(), new NodeObservation("n", false, "connection refused", null, null,
                List.of(), List.of(), List.of(), List.of()))).isEmpty();
    }
}
