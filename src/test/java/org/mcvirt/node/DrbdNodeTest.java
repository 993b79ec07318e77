package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DrbdNode over a transport that answers as the lab's DRBD 8.4.11 did; /proc/drbd itself is ProcDrbdParserTest's. */
class DrbdNodeTest {
    private static final String STATUS = """
            r0 role:Primary suspended:no
                write-ordering:flush
              volume:0 minor:300 disk:UpToDate
                  size:%d read:139424 written:8192 al-writes:10 bm-writes:0 upper-pending:0 lower-pending:0
              peer connection:Connected role:Secondary congested:no
                volume:0 replication:Established peer-disk:UpToDate resync-suspended:no
            """;

    @Test
    void createMetadataOnAResourceThatIsAlreadyUpCountsAsDoneAndDataIsNeverOverwritten() throws Exception {
        ScriptedTransport up = new ScriptedTransport().answer(20, "", "Device '300' is configured!\n");
        assertThat(new DrbdNode("node2", up).createMetadata("r0")).isFalse();
        ScriptedTransport data = new ScriptedTransport().answer(40, "", "Found ext3 filesystem\n... Found some data\n");
        assertThatThrownBy(() -> new DrbdNode("node2", data).createMetadata("r0")).isInstanceOf(NodeException.class)
                .hasMessageContaining("already holds data; mcvirt never overwrites it");
        assertThat(data.commands).containsExactly("drbdadm create-md r0");
    }

    @Test
    void resizeIsCheckedBecauseDrbdadmDoesNothingWhileThePeerIsSmaller() throws Exception {
        ScriptedTransport grown = new ScriptedTransport().answer(0, STATUS.formatted(32732), "").answer(0, "", "")
                .answer(0, STATUS.formatted(65496), "");
        assertThat(new DrbdNode("node2", grown).resize(300, "r0", 60L << 20)).isEqualTo(65496L * 1024);
        assertThat(grown.commands).containsExactly("drbdsetup status r0 --verbose --statistics", "drbdadm resize r0",
                "drbdsetup status r0 --verbose --statistics");
        ScriptedTransport peerSmall = new ScriptedTransport().answer(0, STATUS.formatted(32732), "").answer(0, "", "")
                .answer(0, STATUS.formatted(32732), "");
        assertThatThrownBy(() -> new DrbdNode("node2", peerSmall).resize(300, "r0", 60L << 20))
                .isInstanceOf(NodeException.class).hasMessageContaining("is 33517568 bytes after 'drbdadm resize'")
                .hasMessageContaining("the peer's logical volume is smaller");
        ScriptedTransport already = new ScriptedTransport().answer(0, STATUS.formatted(65496), "");
        assertThat(new DrbdNode("node2", already).resize(300, "r0", 60L << 20)).isEqualTo(65496L * 1024);
        assertThat(already.commands).as("a resource already grown is left alone")
                .containsExactly("drbdsetup status r0 --verbose --statistics");
    }

    private static final String PROC = """
            version: 8.4.11 (api:1/proto:86-101)
            300: cs:%s ro:%s ds:UpToDate/UpToDate C r-----
                ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:%d
            """;

    @Test
    void awaitVerifyWaitsForTheVerifyToEnd() throws Exception {
        ScriptedTransport ends = new ScriptedTransport().answer(0, PROC.formatted("VerifyS", "Primary/Secondary", 0), "")
                .answer(0, PROC.formatted("Connected", "Primary/Secondary", 64), "");
        List<String> progress = new ArrayList<>();
        assertThat(new DrbdNode("node2", ends).awaitVerify(300, "r0", java.time.Duration.ofSeconds(30), progress::add)
                .oosKib()).isEqualTo(64);
    }

    @Test
    void aResyncNeverOverwritesAPrimaryPeerOrStartsFromACopyThatIsNotUpToDate() throws Exception {
        ScriptedTransport primaryPeer = new ScriptedTransport().answer(0, PROC.formatted("Connected", "Secondary/Primary", 0), "");
        assertThatThrownBy(() -> new DrbdNode("node2", primaryPeer).startResyncToPeer(300, "r0"))
                .hasMessageContaining("the peer is Primary");
        assertThat(primaryPeer.commands).containsExactly("cat /proc/drbd");
        ScriptedTransport fine = new ScriptedTransport().answer(0, PROC.formatted("Connected", "Primary/Secondary", 64), "");
        new DrbdNode("node2", fine).startResyncToPeer(300, "r0");
        assertThat(fine.commands).containsExactly("cat /proc/drbd", "drbdadm invalidate-remote r0");
    }

    private static final String PROC_STATES = """
            version: 8.4.11 (api:1/proto:86-101)
            300: cs:%s ro:%s ds:%s C r-----
                ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
            """;

    @Test
    void aPromoteWaitsForTheCopyJustBroughtUpToBecomeUpToDate() throws Exception {
        // right after 'drbdadm adjust' on a rebooted node: Consistent and connecting, then UpToDate once connected
        ScriptedTransport comingUp = new ScriptedTransport()
                .answer(0, PROC_STATES.formatted("WFConnection", "Secondary/Unknown", "Consistent/DUnknown"), "")
                .answer(0, PROC_STATES.formatted("Connected", "Secondary/Secondary", "UpToDate/UpToDate"), "");
        new DrbdNode("node2", comingUp).promote(300, "r0", java.time.Duration.ofSeconds(30));
        assertThat(comingUp.commands).containsExactly("cat /proc/drbd", "cat /proc/drbd", "drbdadm primary r0");
        ScriptedTransport upToDate = new ScriptedTransport()
                .answer(0, PROC_STATES.formatted("Connected", "Secondary/Secondary", "UpToDate/UpToDate"), "");
        new DrbdNode("node2", upToDate).promote(300, "r0");
        assertThat(upToDate.commands).containsExactly("cat /proc/drbd", "drbdadm primary r0");
        ScriptedTransport primary = new ScriptedTransport()
                .answer(0, PROC_STATES.formatted("WFConnection", "Primary/Unknown", "UpToDate/DUnknown"), "");
        new DrbdNode("node2", primary).promote(300, "r0");
        assertThat(primary.commands).as("already primary").containsExactly("cat /proc/drbd");
    }

    @Test
    void aCopyThatIsNotUpToDateIsNeverPromotedAndTheErrorNamesItsStates() throws Exception {
        ScriptedTransport stillConsistent = new ScriptedTransport()
                .answer(0, PROC_STATES.formatted("WFConnection", "Secondary/Unknown", "Consistent/DUnknown"), "");
        assertThatThrownBy(() -> new DrbdNode("node2", stillConsistent).promote(300, "r0", java.time.Duration.ZERO))
                .isInstanceOf(NodeException.class)
                .hasMessageContaining("resource r0 is not made primary: its copy here is Consistent, not UpToDate, after"
                        + " 0s (WFConnection, Secondary/Unknown, Consistent/DUnknown)")
                .hasMessageContaining("never --force");
        assertThat(stillConsistent.commands).containsExactly("cat /proc/drbd");
        ScriptedTransport alone = new ScriptedTransport()
                .answer(0, PROC_STATES.formatted("StandAlone", "Secondary/Unknown", "Outdated/DUnknown"), "");
        assertThatThrownBy(() -> new DrbdNode("node2", alone).promote(300, "r0", java.time.Duration.ofMinutes(5)))
                .as("a StandAlone copy does not reconnect by itself: refused at once")
                .hasMessageContaining("its copy here is Outdated, not UpToDate (StandAlone, Secondary/Unknown");
        assertThat(alone.commands).containsExactly("cat /proc/drbd");
    }
}
