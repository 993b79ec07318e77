package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 7: the initial sync overwrites the peer only when the peer is connected and its disk Inconsistent (a
 * new resource on both sides, drbd84-lab-notes section on the initial sync), never a peer whose disk is unknown.
 */
class DrbdInitialSyncTest {
    private static final String PROC = """
            version: 8.4.11 (api:1/proto:86-101)
            300: cs:%s ro:Secondary/%s ds:Inconsistent/%s C r-----
                ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:65496
            """;
    private static final String OVERWRITE = "drbdadm -- --overwrite-data-of-peer primary r0";

    private static ScriptedTransport proc(ScriptedTransport transport, String connection, String peerRole,
                                          String peerDisk) {
        return transport.answer(0, PROC.formatted(connection, peerRole, peerDisk), "");
    }

    @Test
    void aPeerWhoseDiskIsUnknownIsNeverOverwritten() {
        ScriptedTransport unknown = proc(new ScriptedTransport(), "WFConnection", "Unknown", "DUnknown");
        assertThatThrownBy(() -> new DrbdNode("node2", unknown).startInitialSync(300, "r0", Duration.ZERO))
                .isInstanceOf(NodeException.class)
                .hasMessageContaining("resource r0 is not connected to its peer (WFConnection Inconsistent/DUnknown)")
                .hasMessageContaining("the initial sync overwrites the peer only when it is connected and Inconsistent");
        assertThat(unknown.commands).doesNotContain(OVERWRITE);
        ScriptedTransport alone = proc(new ScriptedTransport(), "StandAlone", "Unknown", "DUnknown");
        assertThatThrownBy(() -> new DrbdNode("node2", alone).startInitialSync(300, "r0"))
                .hasMessageContaining("resource r0 is not connected to its peer (StandAlone Inconsistent/DUnknown)");
        assertThat(alone.commands).containsExactly("cat /proc/drbd");
    }

    @Test
    void aConnectedPeerWithDataIsNeverOverwritten() {
        for (String peerDisk : new String[] {"Outdated", "Consistent", "UpToDate", "Diskless"}) {
            ScriptedTransport peer = proc(new ScriptedTransport(), "Connected", "Secondary", peerDisk);
            assertThatThrownBy(() -> new DrbdNode("node2", peer).startInitialSync(300, "r0")).as(peerDisk)
                    .isInstanceOf(NodeException.class)
                    .hasMessageContaining("resource r0 is Inconsistent/" + peerDisk);
            assertThat(peer.commands).as(peerDisk).doesNotContain(OVERWRITE);
        }
    }

    @Test
    void theSyncWaitsForThePeerToConnectAndThenOverwritesOnlyAnInconsistentPeer() throws Exception {
        ScriptedTransport connecting = proc(proc(new ScriptedTransport(), "WFConnection", "Unknown", "DUnknown"),
                "Connected", "Secondary", "Inconsistent");
        assertThat(new DrbdNode("node2", connecting).startInitialSync(300, "r0", Duration.ofMinutes(1))).isTrue();
        assertThat(connecting.commands).containsExactly("cat /proc/drbd", "cat /proc/drbd", OVERWRITE);
    }
}
