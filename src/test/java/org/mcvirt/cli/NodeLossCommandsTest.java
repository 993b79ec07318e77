package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.testing.Cli;

/** The command-line side of node states: failover's usage, --accept-stale's form, and refusals that contact nothing. */
class NodeLossCommandsTest {
    @Test
    void failoverExplainsItselfAndNeedsANode() {
        Cli.Result help = Cli.run("failover", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Say it only when NODE is powered off or fenced", "--accept-stale",
                "--update-manifest");
        Cli.Result missing = Cli.run("failover");
        assertThat(missing.exitCode()).isEqualTo(64);
        assertThat(missing.err()).contains("--node");
    }

    @Test
    void acceptStaleTakesVmSlashDisk() {
        Cli.Result plan = Cli.run("-f", "manifests/examples/local.yaml", "plan", "--accept-stale", "db1");
        assertThat(plan.exitCode()).isEqualTo(64);
        assertThat(plan.err()).contains("--accept-stale takes VM/DISK", "found 'db1'");
    }

    @Test
    void failoverOfANodeWithoutVmsOrNotInTheManifestIsRefusedBeforeContactingAnything(@TempDir Path dir)
            throws Exception {
        Path manifest = dir.resolve("cluster.yaml");
        // the addresses are from TEST-NET-1: contacting them would time out, a refusal before that does not
        Files.writeString(manifest, """
                apiVersion: mcvirt/v1
                cluster: {name: c}
                nodes:
                  - {name: a, address: 192.0.2.1}
                  - {name: b, address: 192.0.2.2}
                vms: []
                """);
        Cli.Result unknown = Cli.run("-f", manifest.toString(), "failover", "--node", "z", "--yes");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("node z is not in the manifests; nothing was changed");
        Cli.Result empty = Cli.run("-f", manifest.toString(), "failover", "--node", "b", "--yes");
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.err()).contains("no vm of the manifests has node b as its home");
    }
}
