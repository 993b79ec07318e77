package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** /proc/drbd as the lab's DRBD 8.4.11 printed it (../shared/reference/drbd84-lab-notes.md, sections 2 and 4). */
class DrbdNodeTest {
    @Test
    void procDrbdGivesEachMinorsStateOutOfSyncAndProgress() {
        String text = """
                version: 8.4.11 (api:1/proto:86-101)
                srcversion: 2FB4E6ECB6B4C0EF8D21A1E
                100: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
                    ns:31744 nr:0 dw:0 dr:31744 al:8 bm:0 lo:0 pe:4 ua:0 ap:0 ep:1 wo:f oos:37848
                	[=======>............] sync'ed: 43.8% (37848/65496)K
                	finish: 0:00:01 speed: 27,648 (27,648) K/sec

                102: cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate C r-----
                    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:64
                103: cs:WFConnection ro:Secondary/Unknown ds:Inconsistent/DUnknown C r----s
                    ns:0 nr:0 dw:0 dr:0 al:8 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:65496
                """;
        List<DrbdNode.DeviceState> states = DrbdNode.parseProcDrbd(text);
        assertThat(states).containsExactly(
                new DrbdNode.DeviceState(100, "SyncSource", "Primary", "Secondary", "UpToDate", "Inconsistent", 37848, "43.8"),
                new DrbdNode.DeviceState(102, "Connected", "Secondary", "Secondary", "UpToDate", "UpToDate", 64, null),
                new DrbdNode.DeviceState(103, "WFConnection", "Secondary", "Unknown", "Inconsistent", "DUnknown", 65496,
                        null));
        assertThat(states.get(1).upToDateOnBoth()).isTrue();
        assertThat(states.get(0).upToDateOnBoth()).isFalse();
        assertThat(DrbdNode.parseProcDrbd("version: 8.4.11 (api:1/proto:86-101)\nsrcversion: X\n")).isEmpty();
    }
}
