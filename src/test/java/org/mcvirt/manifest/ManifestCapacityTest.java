package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.CapacitySpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Planner;

/** cluster.capacity.nPlusOne: warn (the default) or enforce; anything else is an error at its place. */
class ManifestCapacityTest {
    private static Path write(Path dir, String capacity) throws Exception {
        return ClusterSectionFixture.write(dir, "capacity", capacity);
    }

    private static List<String> problems(Path file) {
        return ClusterSectionFixture.problems(file);
    }

    @Test
    void enforceAndWarnAreRead(@TempDir Path dir) throws Exception {
        assertThat(ManifestLoader.load(List.of(write(dir, "    nPlusOne: enforce\n"))).cluster().capacity())
                .isEqualTo(new CapacitySpec(CapacitySpec.NPlusOne.ENFORCE));
        assertThat(ManifestLoader.load(List.of(write(dir, "    nPlusOne: warn\n"))).cluster().capacity())
                .isEqualTo(new CapacitySpec(CapacitySpec.NPlusOne.WARN));
    }

    @Test
    void absentOrEmptyMeansWarnAndTheDigestIsAsBefore(@TempDir Path dir) throws Exception {
        DesiredState without = ManifestLoader.load(List.of(write(dir, null)));
        assertThat(without.cluster().capacity().nPlusOne()).isEqualTo(CapacitySpec.NPlusOne.WARN);
        assertThat(ManifestLoader.load(List.of(write(dir, "    {}\n"))).cluster().capacity().nPlusOne())
                .isEqualTo(CapacitySpec.NPlusOne.WARN);
        // the default is left out of the digest, so plans saved before the key existed still match their manifests
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(without))
                .doesNotContain("capacity");
        DesiredState enforce = ManifestLoader.load(List.of(write(dir, "    nPlusOne: enforce\n")));
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(enforce))
                .contains("\"capacity\":{\"nPlusOne\":\"ENFORCE\"}");
        assertThat(Planner.manifestDigest(enforce)).isNotEqualTo(Planner.manifestDigest(without));
    }

    @Test
    void anotherWordIsAnErrorNamingTheAllowedOnes(@TempDir Path dir) throws Exception {
        Path file = write(dir, "    nPlusOne: refuse\n");
        assertThat(problems(file)).containsExactly(file + ":5:15: error: 'nPlusOne' must be one of enforce, warn,"
                + " found 'refuse'");
    }

    @Test
    void anUnknownKeyIsRefusedWithASuggestion(@TempDir Path dir) throws Exception {
        Path file = write(dir, "    nPlusOne: warn\n    nPlusTwo: warn\n");
        assertThat(problems(file)).containsExactly(file + ":6:5: error: unknown key 'nPlusTwo' in cluster.capacity"
                + " (expected one of: nPlusOne)");
        Path other = write(dir, "    nplusone: enforce\n");
        assertThat(problems(other)).containsExactly(other + ":5:5: error: unknown key 'nplusone' in cluster.capacity"
                + " (did you mean 'nPlusOne'?)");
    }

    @Test
    void capacityMustBeAMapping(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, "apiVersion: mcvirt/v1\ncluster:\n  name: prod\n  capacity: enforce\n"
                + "nodes:\n  - name: here\n    local: true\n");
        assertThat(problems(file)).singleElement().asString().startsWith(file + ":4:13: error: cluster.capacity must be"
                + " a mapping");
    }
}
