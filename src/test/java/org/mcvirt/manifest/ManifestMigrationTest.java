package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.MigrationSpec;
import org.mcvirt.plan.Planner;

/** cluster.migration: maxDowntime (ms or s, 1ms to 10s, default 100ms) and autoConverge (default true). */
class ManifestMigrationTest {
    private static Path write(Path dir, String migration) throws Exception {
        return ClusterSectionFixture.write(dir, "migration", migration);
    }

    private static List<String> problems(Path file) {
        return ClusterSectionFixture.problems(file);
    }

    @Test
    void millisecondsAndSecondsAreRead(@TempDir Path dir) throws Exception {
        assertThat(ManifestLoader.load(List.of(write(dir, "    maxDowntime: 250ms\n    autoConverge: false\n")))
                .cluster().migration()).isEqualTo(new MigrationSpec(250, false));
        assertThat(ManifestLoader.load(List.of(write(dir, "    maxDowntime: 2s\n"))).cluster().migration())
                .isEqualTo(new MigrationSpec(2000, true));
        assertThat(ManifestLoader.load(List.of(write(dir, "    maxDowntime: 10s\n"))).cluster().migration()
                .maxDowntimeMs()).isEqualTo(10_000);
    }

    @Test
    void absentMeansOneHundredMillisecondsWithAutoConvergeAndTheDigestIsAsBefore(@TempDir Path dir)
            throws Exception {
        DesiredState without = ManifestLoader.load(List.of(write(dir, null)));
        assertThat(without.cluster().migration()).isEqualTo(new MigrationSpec(100, true));
        // the default is left out of the digest, so plans saved before the key existed still match their manifests
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(without))
                .doesNotContain("migration");
        DesiredState slower = ManifestLoader.load(List.of(write(dir, "    maxDowntime: 300ms\n")));
        assertThat(Planner.manifestDigest(slower)).isNotEqualTo(Planner.manifestDigest(without));
    }

    @Test
    void aTimeOutOfRangeOrWithoutAUnitIsAnErrorAtItsPlace(@TempDir Path dir) throws Exception {
        for (String bad : List.of("100", "0ms", "11s", "1m", "-5ms", "fast")) {
            Path file = write(dir, "    maxDowntime: " + bad + "\n");
            assertThat(problems(file)).as(bad).containsExactly(file + ":5:18: error: 'maxDowntime' must be a time"
                    + " such as 100ms or 1s, from 1ms to 10s, found '" + bad + "'");
        }
        Path file = write(dir, "    autoConverge: sometimes\n");
        assertThat(problems(file)).containsExactly(file + ":5:19: error: 'autoConverge' must be true or false,"
                + " found 'sometimes'");
    }

    @Test
    void anUnknownKeyIsRefused(@TempDir Path dir) throws Exception {
        Path file = write(dir, "    postCopy: true\n");
        assertThat(problems(file)).hasSize(1).first().asString().startsWith(file + ":5:5: error: unknown key"
                + " 'postCopy' in cluster.migration");
    }
}
