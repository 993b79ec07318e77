package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Planner;

/** cluster.drbd.verifyMaxAge: optional, days, hours or minutes; anything else is an error at its place. */
class ManifestVerifyMaxAgeTest {
    private static Path write(Path dir, String verifyMaxAge) throws Exception {
        Path secret = dir.resolve("drbd.secret");
        Files.writeString(secret, "s3cret-Value_1\n");
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, "apiVersion: mcvirt/v1\ncluster:\n  name: prod\n  drbd:\n    enabled: true\n"
                + (verifyMaxAge == null ? "" : "    verifyMaxAge: " + verifyMaxAge + "\n")
                + "    secret: {file: " + secret + "}\nnodes:\n  - name: here\n    local: true\n");
        return file;
    }

    @ParameterizedTest
    @CsvSource({"7d, PT168H", "12h, PT12H", "30m, PT30M", "'\"90d\"', PT2160H"})
    void anAgeInDaysHoursOrMinutes(String text, String expected, @TempDir Path dir) throws Exception {
        DesiredState desired = ManifestLoader.load(List.of(write(dir, text)));
        assertThat(desired.cluster().drbd().verifyMaxAge()).isEqualTo(Duration.parse(expected));
    }

    @Test
    void absentMeansTheAgeIsNotCheckedAndTheManifestDigestIsAsBefore(@TempDir Path dir) throws Exception {
        DesiredState without = ManifestLoader.load(List.of(write(dir, null)));
        assertThat(without.cluster().drbd().verifyMaxAge()).isNull();
        DesiredState with = ManifestLoader.load(List.of(write(dir, "7d")));
        // the field is left out of the digest when unset, so plans saved before it existed still match their manifests
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(without))
                .doesNotContain("verifyMaxAge");
        assertThat(Planner.manifestDigest(with)).isNotEqualTo(Planner.manifestDigest(without));
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "7 days", "1w", "0d", "-1h", "7D", "1.5d", "abc"})
    void anythingElseIsAnErrorAtItsLineAndColumn(String text, @TempDir Path dir) throws Exception {
        Path file = write(dir, text);
        try {
            ManifestLoader.load(List.of(file));
            throw new AssertionError("accepted verifyMaxAge " + text);
        } catch (ManifestException e) {
            assertThat(e.diagnostics()).map(Diagnostic::toString).containsExactly(file + ":6:19: error: 'verifyMaxAge'"
                    + " must be a duration such as 7d, 12h or 30m (more than zero), found '" + text + "'");
        }
    }
}
