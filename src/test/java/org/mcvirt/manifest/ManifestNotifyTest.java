package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Planner;

/** cluster.notify.command: an absolute path with plain words, checked offline at its place; absent by default. */
class ManifestNotifyTest {
    private static Path write(Path dir, String notify) throws Exception {
        return ClusterSectionFixture.write(dir, "notify", notify);
    }

    private static List<String> problems(Path file) {
        return ClusterSectionFixture.problems(file);
    }

    @Test
    void aCommandIsReadAndChangesTheDigestWhileNoneLeavesItAsBefore(@TempDir Path dir) throws Exception {
        DesiredState with = ManifestLoader.load(List.of(write(dir,
                "    command: /usr/local/bin/page-oncall --team=storage drbd\n")));
        assertThat(with.cluster().notifyCommand()).contains("/usr/local/bin/page-oncall --team=storage drbd");
        DesiredState without = ManifestLoader.load(List.of(write(dir, null)));
        assertThat(without.cluster().notifyCommand()).isEqualTo(Optional.empty());
        // absent is left out of the digest, so plans saved before the key existed still match their manifests
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(without))
                .doesNotContain("notify");
        assertThat(Planner.manifestDigest(with)).isNotEqualTo(Planner.manifestDigest(without));
    }

    @Test
    void aCommandWithShellSyntaxOrNotAnAbsolutePathIsAnErrorAtItsPlace(@TempDir Path dir) throws Exception {
        for (String bad : List.of("page-oncall", "/bin/echo \"$1\"", "/bin/a; rm -rf /", "/bin/a 'x'",
                "/bin/a $(id)", "/bin/a\\b", "/bin/a  b", "/bin/a|b")) {
            Path file = write(dir, "    command: '" + bad.replace("'", "''") + "'\n");
            assertThat(problems(file)).as(bad).containsExactly(file + ":5:14: error: 'command' must be an absolute"
                    + " path, optionally followed by words of letters, digits and / . _ - + = , : @ % (at most 200"
                    + " characters, no quotes or shell syntax: it runs inside DRBD's handler), found '"
                    + bad + "'");
        }
        Path file = write(dir, "    program: /bin/true\n");
        assertThat(problems(file)).anyMatch(p -> p.startsWith(file + ":5:5: error: unknown key 'program'"));
        assertThat(problems(file)).anyMatch(p -> p.contains("cluster.notify needs 'command'"));
    }
}
