package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mcvirt.app.NodeInfo;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.VerifyRecord;

/**
 * How info prints a DRBD resource (state, then sync progress while one runs, then the last verify), and a node's
 * images, ISOs and seeds in mcvirt's pools.
 */
class InfoCommandTest {
    private static String print(NodeInfo.DrbdResource resource) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            InfoCommand.printDrbd(out, "  ", resource);
        }
        return text.toString();
    }

    @Test
    void aSyncingResourceWithAnOutOfSyncVerify() {
        assertThat(print(new NodeInfo.DrbdResource("r0", 0, 100, "/dev/vg0/r0", "10.99.0.2:7900", "SyncSource",
                "Primary", "Secondary", "UpToDate", "Inconsistent", 37848L,
                new ObservedDrbd.Sync("resync", 43.8, 37848L, 65496L, "0:00:01", 27648L),
                new VerifyRecord("r0", "2026-11-27T02:55:03Z", "2026-11-27T02:55:07Z", VerifyRecord.Result.OUT_OF_SYNC,
                        64L)))).isEqualTo("""
                  drbd r0 (minor 100, /dev/vg0/r0, peer 10.99.0.2:7900): SyncSource, Primary/Secondary, UpToDate/Inconsistent, 37848 KiB out of sync
                    resync 43.8% done (37848 KiB left), finish in 0:00:01
                    last verify: out-of-sync (64 KiB out of sync), finished 2026-11-27T02:55:07Z (started 2026-11-27T02:55:03Z)
                """);
    }

    @Test
    void aStandAloneResourceWithoutVerifyAndOneThatIsNotUp() {
        assertThat(print(new NodeInfo.DrbdResource("r1", 0, 101, null, null, "StandAlone", "Primary", "Unknown",
                "UpToDate", "DUnknown", 0L, null, null))).isEqualTo("""
                  drbd r1 (minor 101): StandAlone, Primary/Unknown, UpToDate/DUnknown, 0 KiB out of sync
                    last verify: none
                """);
        assertThat(print(new NodeInfo.DrbdResource("r2", null, null, null, null, null, null, null, null, null, null,
                null, new VerifyRecord("r2", "2026-11-27T02:50:00Z", null, VerifyRecord.Result.FAILED, null))))
                .isEqualTo("""
                          drbd r2: not up on this node
                            last verify: failed, finished - (started 2026-11-27T02:50:00Z)
                        """);
    }

    @Test
    void theJsonOfANodeHasItsMemoryHeadroomBesideTheOtherFields() throws Exception {
        NodeInfo node = new NodeInfo("node2", "127.0.0.1:2222", true, null, "9.0.0", "QEMU 7.2", null, null, 2, 0, 1,
                "free", List.of(), List.of(), null, new NodeInfo.Memory(2L << 30, 512L << 20, "node1", 2560L << 20,
                -(512L << 20)));
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(JsonOutput.write(List.of(node)));
        assertThat(json.get(0).get("memory").toString()).isEqualTo("{\"totalBytes\":2147483648,"
                + "\"runningVmsBytes\":536870912,\"ifFailed\":\"node1\",\"neededBytes\":2684354560,"
                + "\"headroomBytes\":-536870912}");
        // the fields there were before are still there, under their names
        assertThat(json.get(0).get("node").asText()).isEqualTo("node2");
        assertThat(json.get(0).get("vmsRunning").asInt()).isEqualTo(1);
        assertThat(json.get(0).get("lock").asText()).isEqualTo("free");
    }

    private static NodeInfo withFiles(List<NodeInfo.File> files) {
        return new NodeInfo("node1", "local", true, null, "9.0.0", "QEMU 7.2.0", null, null, 1, 0, 1, "free",
                List.of(), List.of(), null, new NodeInfo.Memory(4L << 30, 64L << 20, null, 64L << 20,
                (4L << 30) - (64L << 20)), "online", null, null, files);
    }

    private static final List<NodeInfo.File> FILES = List.of(
            new NodeInfo.File("image", "debian-12", "0123456789ab", "qcow2", 1L << 30, "mcvirt.c.images",
                    "/img/image.debian-12.0123456789ab.qcow2", false),
            new NodeInfo.File("image", "debian-12", "3f2a9c1b7d4e", "qcow2", 3L << 29, "mcvirt.c.images",
                    "/img/image.debian-12.3f2a9c1b7d4e.qcow2", true),
            new NodeInfo.File("iso", "netinst", "abcdef012345", "iso", 659554304L, "mcvirt.c.images",
                    "/img/iso.netinst.abcdef012345.iso", true),
            new NodeInfo.File("seed", "web", "aaaaaaaaaaaa", "iso", 366592, "mcvirt.c.images",
                    "/img/seed.web.aaaaaaaaaaaa.iso", true));

    @Test
    void aNodesImagesIsosAndSeedsAreShownAfterItsMemoryOneALine() {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            InfoCommand.printNode(out, withFiles(FILES));
        }
        assertThat(text.toString()).isEqualTo("""
                node node1 (local): reachable
                  libvirt 9.0.0, QEMU 7.2.0
                  vms: 1 managed, 0 unmanaged, 1 running
                  memory: 4.0 GiB total, 64.0 MiB for its running vms: headroom 3.9 GiB
                  image debian-12 (0123456789ab, qcow2, 1.0 GiB virtual) in pool mcvirt.c.images: /img/image.debian-12.0123456789ab.qcow2, NOT in the manifest (left over)
                  image debian-12 (3f2a9c1b7d4e, qcow2, 1.5 GiB virtual) in pool mcvirt.c.images: /img/image.debian-12.3f2a9c1b7d4e.qcow2, in the manifest
                  iso netinst (abcdef012345, iso, 629.0 MiB) in pool mcvirt.c.images: /img/iso.netinst.abcdef012345.iso, in the manifest
                  seed web (aaaaaaaaaaaa, iso, 358.0 KiB) in pool mcvirt.c.images: /img/seed.web.aaaaaaaaaaaa.iso, in the manifest
                  lock: free
                """);
        StringWriter none = new StringWriter();
        try (PrintWriter out = new PrintWriter(none)) {
            InfoCommand.printNode(out, withFiles(List.of()));
        }
        assertThat(none.toString()).doesNotContain("image", "iso", "seed").contains("memory: ", "lock: free");
    }

    @Test
    void theJsonOfANodeHasItsFilesInBytes() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(JsonOutput.write(
                List.of(withFiles(FILES))));
        var files = json.get(0).get("files");
        assertThat(files).hasSize(4);
        assertThat(files.get(0).toString()).isEqualTo("{\"kind\":\"image\",\"name\":\"debian-12\","
                + "\"digest\":\"0123456789ab\",\"format\":\"qcow2\",\"capacityBytes\":1073741824,"
                + "\"pool\":\"mcvirt.c.images\",\"path\":\"/img/image.debian-12.0123456789ab.qcow2\","
                + "\"inManifest\":false}");
        assertThat(files.get(3).get("kind").asText()).isEqualTo("seed");
        assertThat(files.get(3).get("name").asText()).isEqualTo("web");
        assertThat(files.get(3).get("inManifest").asBoolean()).isTrue();
        // a node without files has an empty list, not a missing field
        var empty = new com.fasterxml.jackson.databind.ObjectMapper().readTree(JsonOutput.write(
                List.of(withFiles(List.of()))));
        assertThat(empty.get(0).get("files").isArray()).isTrue();
        assertThat(empty.get(0).get("files")).isEmpty();
    }
}
