package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DRBD 8.4's /proc/drbd as captured on the lab (testdata/drbd/README.md says how and when). */
class ProcDrbdParserTest {
    private static final Path DATA = Path.of("src/test/resources/testdata/drbd");

    private static ProcDrbdParser.ProcDrbd parse(String file) throws Exception {
        return ProcDrbdParser.parse(Files.readString(DATA.resolve(file)));
    }

    private static ProcDrbdParser.Minor minor(ProcDrbdParser.ProcDrbd proc, int number) {
        return proc.minors().stream().filter(m -> m.minor() == number).findFirst().orElseThrow();
    }

    @Test
    void connectedAndUpToDateOnBothNodes() throws Exception {
        ProcDrbdParser.ProcDrbd proc = parse("proc-drbd-connected.txt");
        assertThat(proc.version()).isEqualTo("8.4.11");
        assertThat(proc.api()).isEqualTo("api:1/proto:86-101");
        assertThat(proc.minors()).extracting(ProcDrbdParser.Minor::minor).containsExactly(160, 161);
        ProcDrbdParser.Minor primary = minor(proc, 160);
        assertThat(primary.connectionState()).isEqualTo("Connected");
        assertThat(primary.role()).isEqualTo("Primary");
        assertThat(primary.peerRole()).isEqualTo("Secondary");
        assertThat(primary.diskState()).isEqualTo("UpToDate");
        assertThat(primary.peerDiskState()).isEqualTo("UpToDate");
        assertThat(primary.protocol()).isEqualTo("C");
        assertThat(primary.flags()).isEqualTo("r-----");
        assertThat(primary.outOfSyncKiB()).isZero();
        assertThat(primary.sync()).isNull();
        assertThat(primary.counters()).containsEntry("ns", 65496L).containsEntry("dr", 65624L).containsEntry("al", 8L)
                .containsEntry("oos", 0L).doesNotContainKey("wo");

        ProcDrbdParser.Minor secondary = minor(parse("proc-drbd-connected-peer.txt"), 160);
        assertThat(List.of(secondary.role(), secondary.peerRole())).containsExactly("Secondary", "Primary");
        assertThat(secondary.counters()).containsEntry("nr", 65496L).containsEntry("dw", 65496L);
    }

    @Test
    void aResyncWithItsProgressAndAMinorAfterABlankLine() throws Exception {
        ProcDrbdParser.ProcDrbd source = parse("proc-drbd-syncsource.txt");
        assertThat(source.minors()).extracting(ProcDrbdParser.Minor::minor).containsExactly(160, 161, 300);
        ProcDrbdParser.Minor syncing = minor(source, 161);
        assertThat(syncing.connectionState()).isEqualTo("SyncSource");
        assertThat(syncing.diskState()).isEqualTo("UpToDate");
        assertThat(syncing.peerDiskState()).isEqualTo("Inconsistent");
        assertThat(syncing.outOfSyncKiB()).isEqualTo(60504);
        assertThat(syncing.sync()).isEqualTo(new ProcDrbdParser.Sync("resync", "12.5", 60504L, 65496L, "0:00:58", 996L));
        assertThat(minor(source, 160).sync()).isNull();
        assertThat(minor(source, 300).connectionState()).isEqualTo("Connected");

        ProcDrbdParser.Minor target = minor(parse("proc-drbd-synctarget.txt"), 161);
        assertThat(target.connectionState()).isEqualTo("SyncTarget");
        assertThat(List.of(target.diskState(), target.peerDiskState())).containsExactly("Inconsistent", "UpToDate");
        assertThat(target.sync()).isEqualTo(new ProcDrbdParser.Sync("resync", "12.5", 59568L, 65496L, "0:00:59", 988L));
    }

    @Test
    void aVerifyInProgressOnBothSides() throws Exception {
        ProcDrbdParser.Minor verifying = minor(parse("proc-drbd-verify.txt"), 161);
        assertThat(verifying.connectionState()).isEqualTo("VerifyS");
        assertThat(verifying.sync()).isEqualTo(new ProcDrbdParser.Sync("verify", "12.5", 60696L, 65496L, "0:00:46", 1200L));
        assertThat(minor(parse("proc-drbd-verify.txt"), 160).sync()).isNull();
        ProcDrbdParser.Minor target = minor(parse("proc-drbd-verify-peer.txt"), 161);
        assertThat(target.connectionState()).isEqualTo("VerifyT");
        assertThat(target.sync()).isEqualTo(new ProcDrbdParser.Sync("verify", "12.5", 59596L, 65496L, "0:00:59", 980L));
    }

    @Test
    void waitingForThePeerStandAloneAndOutOfSync() throws Exception {
        ProcDrbdParser.ProcDrbd waiting = parse("proc-drbd-wfconnection.txt");
        for (ProcDrbdParser.Minor minor : waiting.minors()) {
            assertThat(minor.connectionState()).isEqualTo("WFConnection");
            assertThat(List.of(minor.role(), minor.peerRole())).containsExactly("Secondary", "Unknown");
            assertThat(List.of(minor.diskState(), minor.peerDiskState())).containsExactly("Inconsistent", "DUnknown");
            assertThat(minor.flags()).isEqualTo("r----s");
            assertThat(minor.outOfSyncKiB()).isEqualTo(65496);
            assertThat(minor.sync()).isNull();
        }
        ProcDrbdParser.Minor alone = minor(parse("proc-drbd-standalone.txt"), 160);
        assertThat(alone.connectionState()).isEqualTo("StandAlone");
        assertThat(List.of(alone.role(), alone.peerRole())).containsExactly("Primary", "Unknown");
        assertThat(alone.peerDiskState()).isEqualTo("DUnknown");
        assertThat(alone.protocol()).as("8.4 prints a blank without a connection").isNull();
        assertThat(alone.flags()).isEqualTo("r-----");
        assertThat(alone.outOfSyncKiB()).isEqualTo(64);

        ProcDrbdParser.ProcDrbd found = parse("proc-drbd-out-of-sync.txt");
        assertThat(minor(found, 160).outOfSyncKiB()).isEqualTo(64);
        assertThat(minor(found, 160).connectionState()).isEqualTo("Connected");
        assertThat(minor(found, 161).outOfSyncKiB()).isZero();
    }

    @Test
    void theModuleWithoutResourcesAndAnUnconfiguredMinor() throws Exception {
        ProcDrbdParser.ProcDrbd empty = parse("proc-drbd-empty.txt");
        assertThat(empty.version()).isEqualTo("8.4.11");
        assertThat(empty.minors()).isEmpty();
        // lab notes section 8: a failed 'drbdadm up' leaves this line
        ProcDrbdParser.Minor unconfigured = ProcDrbdParser.parse("version: 8.4.11 (api:1/proto:86-101)\n101: cs:Unconfigured\n")
                .minors().get(0);
        assertThat(unconfigured.connectionState()).isEqualTo("Unconfigured");
        assertThat(unconfigured.role()).isNull();
        assertThat(unconfigured.diskState()).isNull();
    }

    /** The lab's 8.4.11 during an initial sync (../shared/reference/drbd84-lab-notes.md, sections 2 and 4). */
    @Test
    void eachConfiguredMinorAsDrbdNodeSeesIt() {
        String text = """
                version: 8.4.11 (api:1/proto:86-101)
                srcversion: 2FB4E6ECB6B4C0EF8D21A1E
                100: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
                    ns:31744 nr:0 dw:0 dr:31744 al:8 bm:0 lo:0 pe:4 ua:0 ap:0 ep:1 wo:f oos:37848
                \t[=======>............] sync'ed: 43.8% (37848/65496)K
                \tfinish: 0:00:01 speed: 27,648 (27,648) K/sec

                102: cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate C r-----
                    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:64
                103: cs:WFConnection ro:Secondary/Unknown ds:Inconsistent/DUnknown C r----s
                    ns:0 nr:0 dw:0 dr:0 al:8 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:65496
                """;
        List<DrbdNode.DeviceState> states = ProcDrbdParser.parse(text).minors().stream().map(DrbdNode.DeviceState::of)
                .toList();
        assertThat(states).containsExactly(
                new DrbdNode.DeviceState(100, "SyncSource", "Primary", "Secondary", "UpToDate", "Inconsistent", 37848,
                        "43.8"),
                new DrbdNode.DeviceState(102, "Connected", "Secondary", "Secondary", "UpToDate", "UpToDate", 64, null),
                new DrbdNode.DeviceState(103, "WFConnection", "Secondary", "Unknown", "Inconsistent", "DUnknown", 65496,
                        null));
        assertThat(states.get(1).upToDateOnBoth()).isTrue();
        assertThat(states.get(0).upToDateOnBoth()).isFalse();
        assertThat(ProcDrbdParser.parse("version: 8.4.11 (api:1/proto:86-101)\nsrcversion: X\n").minors()).isEmpty();
    }

    @Test
    void aSyncWhoseProgressLineHasNotAppearedHasNoPercentYet() {
        ProcDrbdParser.Minor starting = ProcDrbdParser.parse("""
                version: 8.4.11 (api:1/proto:86-101)
                100: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
                    ns:0 nr:0 dw:0 dr:0 al:8 bm:0 lo:0 pe:4 ua:0 ap:0 ep:1 wo:f oos:65496
                """).minors().get(0);
        assertThat(starting.sync()).isEqualTo(new ProcDrbdParser.Sync("resync", null, null, null, null, null));
        assertThat(DrbdNode.DeviceState.of(starting).progress()).isNull();
    }

    /**
     * Found by NodeOutputFuzzTest (seed 1700002): numbers too large for their type (a minor, a progress count, a
     * speed) made parse throw NumberFormatException; such a line is one it does not know, and is skipped.
     */
    @Test
    void numbersTooLargeForTheirTypeAreLinesItDoesNotKnow() {
        ProcDrbdParser.ProcDrbd parsed = ProcDrbdParser.parse("""
                version: 8.4.11 (api:1/proto:86-101)
                16999999999999999999990: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r-----
                161: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
                    ns:0 nr:0 dw:0 dr:0 al:8 bm:0 lo:0 pe:4 ua:0 ap:0 ep:1 wo:f oos:65496
                	[==>.................] sync'ed: 43.8% (99999999999999999999/65496)K
                	finish: 0:00:01 speed: 99,999,999,999,999,999,999 (27,648) K/sec
                """);
        assertThat(parsed.minors()).extracting(ProcDrbdParser.Minor::minor).containsExactly(161);
        assertThat(parsed.minors().get(0).sync()).isEqualTo(new ProcDrbdParser.Sync("resync", null, null, null,
                "0:00:01", null));
    }
}
