package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** --timings' recorder: phases in the order they ended, seconds to the millisecond, and nothing when it is off. */
class TimingsTest {
    @Test
    void phasesAreReportedInTheOrderTheyEndedWithTheTotalLast() {
        Timings timings = Timings.on();
        long started = System.nanoTime();
        timings.since("node1: connect ssh", started);
        timings.since("plan", started);
        assertThat(timings.phases()).extracting(Timings.Phase::name).containsExactly("node1: connect ssh", "plan");
        assertThat(timings.phases()).allSatisfy(p -> assertThat(p.took().isNegative()).isFalse());
        assertThat(timings.report(Duration.ofMillis(5432))).hasSize(4)
                .first().isEqualTo("Timings:");
        assertThat(timings.report(Duration.ofMillis(5432)).get(3))
                .isEqualTo("  total since the process started    5.432 s");
        assertThat(timings.report(Duration.ofMillis(5432)).get(1)).startsWith("  node1: connect ssh  ")
                .matches(".* \\d+\\.\\d{3} s$");
    }

    @Test
    void theDisabledRecorderRecordsNothing() {
        Timings.OFF.since("plan", System.nanoTime());
        assertThat(Timings.OFF.enabled()).isFalse();
        assertThat(Timings.OFF.phases()).isEmpty();
    }
}
