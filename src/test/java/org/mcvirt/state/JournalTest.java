package org.mcvirt.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the journals back: an apply that ended is quiet; one killed between or inside steps is described. */
class JournalTest {
    private static final String A = "aaaaaaaa-1111";
    private static final String B = "bbbbbbbb-2222";

    private static String line(String time, String apply, Integer step, String kind, String event) {
        return "{\"time\":\"" + time + "\",\"apply\":\"" + apply + "\"" + (step == null ? "" : ",\"step\":" + step
                + ",\"kind\":\"" + kind + "\",\"subject\":\"s\"") + ",\"event\":\"" + event + "\""
                + (event.equals("apply-started") ? ",\"steps\":3,\"command\":\"mcvirt apply\"" : "") + "}";
    }

    private static final String FINISHED = String.join("\n",
            line("2026-11-27T01:00:00Z", A, null, null, "apply-started"),
            line("2026-11-27T01:00:01Z", A, 1, "CREATE_LV", "started"),
            line("2026-11-27T01:00:02Z", A, 1, "CREATE_LV", "done"),
            line("2026-11-27T01:00:03Z", A, null, null, "apply-finished"));

    @Test
    void aFinishedApplyIsNotReported() {
        assertThat(Journal.lastInterrupted(Map.of("n1", Journal.parse(FINISHED)), null)).isEmpty();
        assertThat(Journal.lastInterrupted(Map.of(), null)).isEmpty();
    }

    @Test
    void anApplyKilledBetweenStepsIsReportedWithTheLastStepDone() {
        String killed = FINISHED + "\n" + String.join("\n",
                line("2026-11-27T02:00:00Z", B, null, null, "apply-started"),
                line("2026-11-27T02:00:01Z", B, 1, "CREATE_LV", "started"),
                line("2026-11-27T02:00:02Z", B, 1, "CREATE_LV", "done"));
        String other = "{\"partial line\n" + line("2026-11-27T02:00:00Z", B, null, null, "apply-started") + "\n"
                + line("2026-11-27T02:00:03Z", B, 2, "CREATE_LV", "started") + "\n"
                + line("2026-11-27T02:00:04Z", B, 2, "CREATE_LV", "done");
        var interrupted = Journal.lastInterrupted(Map.of("n1", Journal.parse(killed), "n2", Journal.parse(other)), null);
        assertThat(interrupted).get().satisfies(i -> {
            assertThat(i.apply()).isEqualTo(B);
            assertThat(i.done()).isEqualTo(2);
            assertThat(i.lastNode()).isEqualTo("n2");
            assertThat(i.describe()).isEqualTo("an apply stopped part-way: apply bbbbbbbb ('mcvirt apply', started"
                    + " 2026-11-27T02:00:00Z): 2 of 3 steps done; the last was step 2 CREATE_LV on n2, done at"
                    + " 2026-11-27T02:00:04Z. Every step is idempotent: apply again to complete it");
        });
        assertThat(Journal.lastInterrupted(Map.of("n1", Journal.parse(killed)), B)).as("it holds the lock: running")
                .isEmpty();
    }

    @Test
    void aStepLeftStartedIsReportedEvenInAJournalWithoutApplyLines() {
        String old = String.join("\n", line("2026-11-27T01:00:01Z", A, 1, "DRBD_INITIAL_SYNC", "started"));
        assertThat(Journal.lastInterrupted(Map.of("n1", Journal.parse(old)), null)).get()
                .satisfies(i -> assertThat(i.describe()).contains("0 steps done", "step 1 DRBD_INITIAL_SYNC on n1,"
                        + " started at 2026-11-27T01:00:01Z and never finished"));
        String oldDone = String.join("\n", line("2026-11-27T01:00:01Z", A, 1, "CREATE_LV", "started"),
                line("2026-11-27T01:00:02Z", A, 1, "CREATE_LV", "done"));
        assertThat(Journal.lastInterrupted(Map.of("n1", Journal.parse(oldDone)), null)).isEmpty();
    }
}
