package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Planner;

/** cluster.drbd.verifySchedule: a systemd calendar expression, checked offline at its place; absent by default. */
class ManifestVerifyScheduleTest {
    private static Path write(Path dir, String schedule) throws Exception {
        return ClusterSectionFixture.write(dir, "drbd", "    enabled: true\n"
                + (schedule == null ? "" : "    verifySchedule: '" + schedule + "'\n"));
    }

    @Test
    void aScheduleIsReadAndChangesTheDigestWhileNoneLeavesItAsBefore(@TempDir Path dir) throws Exception {
        DesiredState with = ManifestLoader.load(List.of(write(dir, "Sun *-*-* 03:00")));
        assertThat(with.cluster().drbd().verifySchedule()).isEqualTo("Sun *-*-* 03:00");
        DesiredState without = ManifestLoader.load(List.of(write(dir, null)));
        assertThat(without.cluster().drbd().verifySchedule()).isNull();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(without))
                .doesNotContain("verifySchedule");
        assertThat(Planner.manifestDigest(with)).isNotEqualTo(Planner.manifestDigest(without));
    }

    @Test
    void anExpressionSystemdRefusesIsAnErrorAtItsPlace(@TempDir Path dir) throws Exception {
        for (String bad : List.of("Sun *-*-* 25:00", "Sonntag 03:00", "Fri..Mon 3:00", "now", "daily;reboot",
                "Sun 03:00 $(id)")) {
            Path file = write(dir, bad.replace("'", "''"));
            assertThat(ClusterSectionFixture.problems(file)).as(bad).singleElement().asString()
                    .startsWith(file + ":6:21: error: 'verifySchedule' must be a systemd calendar expression such as"
                            + " \"Sun *-*-* 03:00\" (systemd.time(7)): ")
                    .endsWith(", found '" + bad + "'");
        }
    }
}
