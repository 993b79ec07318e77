package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mcvirt.app.NodeInfo;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.VerifyRecord;

/** How info prints a DRBD resource: state, then sync progress while one runs, then the last verify. */
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
}
