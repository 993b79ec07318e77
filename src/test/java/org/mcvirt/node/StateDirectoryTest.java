package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The state directory's layout, as nodes written by earlier versions have it (DESIGN.md, docs/ARCHITECTURE.md). */
class StateDirectoryTest {
    @Test
    void everyRecordHasItsPlace() {
        StateDirectory state = new StateDirectory("/var/lib/mcvirt");
        assertThat(state.lockFile()).isEqualTo("/var/lib/mcvirt/lock.json");
        assertThat(state.journalFile()).isEqualTo("/var/lib/mcvirt/journal.jsonl");
        assertThat(state.verifyDirectory()).isEqualTo("/var/lib/mcvirt/verify");
        assertThat(state.verifyRecord("mcvirt_web_root")).isEqualTo("/var/lib/mcvirt/verify/mcvirt_web_root.json");
        assertThat(state.definitionsDirectory()).isEqualTo("/var/lib/mcvirt/domains");
        assertThat(state.definition("web")).isEqualTo("/var/lib/mcvirt/domains/web.xml");
        assertThat(state.drbdCheckDirectory()).isEqualTo("/var/lib/mcvirt/drbd-check");
        assertThat(state.drbdCheckFile("mcvirt_web_root")).isEqualTo("/var/lib/mcvirt/drbd-check/mcvirt_web_root.res");
    }
}
