package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.VmSpec;

/** Replicated disks in the manifest: the vm's DRBD pair, lvm storage on both nodes, cluster.drbd and its secret. */
class ManifestReplicationTest {
    private static final String NODES = """
              - name: alpha
                address: 192.0.2.11
                ssh: {user: root, identityFile: /k, knownHosts: /h}
                storage:
                  - {name: vg0, type: lvm, volumeGroup: vg0}
                  - {name: images, type: file, path: /var/lib/mcvirt/images}
              - name: beta
                address: 192.0.2.12
                ssh: {user: root, identityFile: /k, knownHosts: /h}
                storage:
                  - {name: vg0, type: lvm, volumeGroup: vg0}
                  - {name: images, type: file, path: /var/lib/mcvirt/images}
            """;

    private static Path write(Path dir, String secretLine, String nodes, String vm) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, "apiVersion: mcvirt/v1\ncluster:\n  name: prod\n  drbd:\n    enabled: true\n"
                + secretLine + "nodes:\n" + nodes + "vms:\n" + vm);
        return file;
    }

    private static String secret(Path dir, String value) throws Exception {
        Path file = dir.resolve("drbd.secret");
        Files.writeString(file, value + "\n");
        return "    secret: {file: " + file + "}\n";
    }

    private static List<String> problems(Path file) {
        try {
            ManifestLoader.load(List.of(file));
        } catch (ManifestException e) {
            return e.diagnostics().stream().map(Diagnostic::toString).toList();
        }
        throw new AssertionError("the manifest was accepted");
    }

    @Test
    void aTwoNodeClusterGivesAReplicatedVmBothNodesAsItsPair(@TempDir Path dir) throws Exception {
        Path file = write(dir, secret(dir, "s3cret-Value_1"), NODES, """
                  - name: web1
                    node: beta
                    memory: 64MiB
                    migration: live
                    disks: [{name: root, size: 64MiB, storage: vg0, replicated: true}]
                """);
        DesiredState state = ManifestLoader.load(List.of(file));
        VmSpec web1 = state.vm("web1").orElseThrow();
        assertThat(web1.pair()).containsExactly("alpha", "beta");
        assertThat(web1.peer()).contains("alpha");
        assertThat(web1.migration()).isEqualTo(VmSpec.Migration.LIVE);
    }

    @Test
    void thePairMustHoldTheVmsNodeAndKnownNodesWithLvmStorage(@TempDir Path dir) throws Exception {
        String three = NODES + """
                  - name: gamma
                    address: 192.0.2.13
                    ssh: {user: root, identityFile: /k, knownHosts: /h}
                    storage:
                      - {name: vg0, type: file, path: /srv/vg0}
                """;
        Path file = write(dir, secret(dir, "ok"), three, """
                  - name: a
                    node: gamma
                    memory: 64MiB
                    nodes: [alpha, beta]
                    disks: [{name: root, size: 64MiB, storage: vg0, replicated: true}]
                  - name: b
                    node: alpha
                    memory: 64MiB
                    nodes: [alpha, delta]
                    disks: [{name: root, size: 64MiB, storage: vg0, replicated: true}]
                  - name: c
                    node: alpha
                    memory: 64MiB
                    disks: [{name: root, size: 64MiB, storage: vg0, replicated: true}]
                  - name: d
                    node: alpha
                    memory: 64MiB
                    nodes: [alpha, gamma]
                    disks: [{name: root, size: 64MiB, storage: vg0, replicated: true}]
                """);
        String f = file.toString();
        assertThat(problems(file)).containsExactly(
                f + ":27:11: error: vm 'a' runs on node 'gamma', which is not one of its DRBD pair [alpha, beta]",
                f + ":30:48: error: replicated disk 'root' needs lvm storage; 'vg0' is file storage",
                f + ":34:12: error: 'nodes' of vm 'b' names node 'delta', which no manifest defines"
                        + " (expected one of: alpha, beta, gamma)",
                f + ":36:11: error: vm 'c' has replicated disks but no 'nodes: [A, B]' naming the two nodes that hold them"
                        + " (only a two-node cluster has a default pair; this one has 3 nodes)",
                f + ":44:48: error: replicated disk 'root' of vm 'd' needs lvm storage 'vg0' on both nodes of its pair;"
                        + " node 'gamma' has it as file storage");
    }

    @Test
    void theSecretMustBeReadableAndOneDrbdTakesAndIsNeverShown(@TempDir Path dir) throws Exception {
        String vm = """
                  - name: web1
                    node: alpha
                    memory: 64MiB
                    disks: [{name: root, size: 64MiB, storage: vg0, replicated: true}]
                """;
        Path missing = write(dir, "    secret: {file: " + dir.resolve("nope") + "}\n", NODES, vm);
        assertThat(problems(missing)).singleElement().asString()
                .startsWith(missing + ":3:9: error: cluster.drbd.secret: cannot read the file " + dir.resolve("nope"));
        Path quoted = write(dir, secret(dir, "bad\"secret-xyz"), NODES, vm);
        assertThat(problems(quoted)).singleElement().asString()
                .contains("may only hold printable ASCII characters without spaces, quotes or backslashes")
                .doesNotContain("secret-xyz");
        Path none = write(dir, "", NODES, vm);
        assertThat(problems(none)).singleElement().asString().contains("cluster.drbd needs 'secret: {file: PATH}'");
        Path unset = write(dir, "    secret: {env: MCVIRT_TEST_SURELY_UNSET_SECRET}\n", NODES, vm);
        assertThat(problems(unset)).singleElement().asString()
                .endsWith("the environment variable MCVIRT_TEST_SURELY_UNSET_SECRET is not set");
        Path tooLong = write(dir, secret(dir, "x".repeat(65)), NODES, vm);
        assertThat(problems(tooLong)).singleElement().asString().contains("longer than DRBD's 64 bytes");
    }

    @Test
    void aVmWithoutReplicatedDisksNeedsNoPairButAGivenOneMustHoldItsNode(@TempDir Path dir) throws Exception {
        Path file = write(dir, "", NODES, """
                  - name: web1
                    node: alpha
                    memory: 64MiB
                    nodes: [beta, gamma]
                    disks: [{name: root, size: 64MiB, storage: images}]
                """);
        assertThat(problems(file)).containsExactly(file + ":23:12: error: vm 'web1' runs on node 'alpha', which is not one"
                + " of its nodes [beta, gamma]");
    }

}
