package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Planner;

/** cluster.permissions.superusers and a vm's owners and users: users and @groups, checked at their place. */
class ManifestPermissionsTest {
    private static Path write(Path dir, String superusers, String owners) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, "apiVersion: mcvirt/v1\ncluster:\n  name: prod\n"
                + (superusers == null ? "" : "  permissions:\n    superusers: " + superusers + "\n")
                + "nodes:\n  - name: here\n    local: true\n"
                + "vms:\n  - name: web1\n    node: here\n    cpus: 1\n    memory: 64MiB\n"
                + (owners == null ? "" : "    owners: " + owners + "\n    users: [carol]\n"));
        return file;
    }

    @Test
    void usersAndGroupsAreReadAndNonePermissionsLeaveTheDigestAsBefore(@TempDir Path dir) throws Exception {
        DesiredState with = ManifestLoader.load(List.of(write(dir, "[alice, \"@ops\"]", "[bob, \"@web\"]")));
        assertThat(with.cluster().superusers()).containsExactly("alice", "@ops");
        assertThat(with.vms().get(0).owners()).containsExactly("bob", "@web");
        assertThat(with.vms().get(0).users()).containsExactly("carol");
        DesiredState without = ManifestLoader.load(List.of(write(dir, null, null)));
        assertThat(without.cluster().permissions()).isNull();
        assertThat(without.cluster().superusers()).isEmpty();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(without))
                .doesNotContain("permissions");
        assertThat(Planner.manifestDigest(with)).isNotEqualTo(Planner.manifestDigest(without));
        assertThat(Planner.permissionsQuery(with).principals()).containsExactly("@ops", "@web", "alice", "bob",
                "carol");
        assertThat(Planner.permissionsQuery(with).wanted()).isTrue();
        assertThat(Planner.permissionsQuery(without).wanted()).isFalse();
    }

    @Test
    void aNameThatIsNoUserOrGroupIsAnErrorAtItsPlace(@TempDir Path dir) throws Exception {
        Path file = write(dir, "[alice, \"Root\", \"@@x\"]", "[\"bob smith\"]");
        assertThat(ClusterSectionFixture.problems(file)).containsExactly(
                file + ":5:25: error: 'Root' in 'superusers' is not a user name or @group (lower-case letters,"
                        + " digits, _ and -, starting with a letter or _, at most 32 characters)",
                file + ":5:33: error: '@@x' in 'superusers' is not a user name or @group (lower-case letters,"
                        + " digits, _ and -, starting with a letter or _, at most 32 characters)",
                file + ":14:14: error: 'bob smith' in 'owners' is not a user name or @group (lower-case letters,"
                        + " digits, _ and -, starting with a letter or _, at most 32 characters)");
    }
}
