package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DomainJobsTest {
    @Test
    void theDowntimeOfTheLastCompletedMigration() throws Exception {
        String completed = """
                Job type:         Completed
                Operation:        Incoming migration
                Time elapsed:     1905         ms
                Total downtime:   35           ms
                """;
        ScriptedTransport node = new ScriptedTransport().answer(0, completed, "");
        assertThat(new DomainJobs("node2", node).completedMigrationDowntime("web")).isEqualTo("35 ms");
        assertThat(node.commands).containsExactly("virsh -c qemu:///system domjobinfo --completed --keep-completed web");
        assertThat(new DomainJobs("node2", new ScriptedTransport().answer(1, "", "error: no domain"))
                .completedMigrationDowntime("web")).isNull();
        assertThat(DomainJobs.downtime("Job type:         None\n")).isNull();
    }
}
