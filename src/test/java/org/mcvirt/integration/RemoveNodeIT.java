package org.mcvirt.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.testing.Cli;

/** cluster remove-node with the local libvirtd and a node that does not answer. */
@Tag("libvirt")
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class RemoveNodeIT {
    private static final String MANIFEST = """
            apiVersion: mcvirt/v1
            cluster: {name: rmnode}
            # the nodes
            nodes:
              - name: here
                local: true
                libvirt: {uri: "qemu:///system", domainType: qemu}
                paths: {state: STATE}
              # ghost: a node that is gone
              - name: ghost
                address: 127.0.0.1
                ssh: {port: 1, identityFile: /nonexistent, knownHosts: /nonexistent}
                paths: {state: /var/lib/mcvirt/rmnode}
              - name: spare   # keep me
                local: false
                address: 127.0.0.1
                ssh: {port: 1, identityFile: /nonexistent, knownHosts: /nonexistent}
            vms:
              - {name: rm-vm, node: ghost, memory: 64MiB, state: stopped}
            """;

    @Test
    void refusesWhileVmsLiveThereAndOnlyForcesAnUnreadableNode(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, MANIFEST.replace("STATE", dir.resolve("state").toString()));
        Cli.Result withVm = Cli.run("-f", file.toString(), "cluster", "remove-node", "--node", "ghost");
        assertThat(withVm.exitCode()).isEqualTo(1);
        assertThat(withVm.err()).contains("node ghost still has vms in the manifest: rm-vm");

        String noVms = Files.readString(file).replace("  - {name: rm-vm, node: ghost, memory: 64MiB, state: stopped}\n", "")
                .replace("vms:\n", "vms: []\n");
        Files.writeString(file, noVms);
        Cli.Result unreadable = Cli.run("-f", file.toString(), "cluster", "remove-node", "--node", "ghost");
        assertThat(unreadable.exitCode()).as(unreadable.toString()).isEqualTo(1);
        assertThat(unreadable.err()).contains("node ghost cannot be read", "use --force");
        assertThat(Files.readString(file)).isEqualTo(noVms);

        Cli.Result forced = Cli.run("-f", file.toString(), "cluster", "remove-node", "--node", "ghost", "--force");
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(forced.out()).contains("Removed node ghost from " + file + " (lines 10-13)");
        assertThat(Files.readString(file)).isEqualTo(noVms.replace("""
                  - name: ghost
                    address: 127.0.0.1
                    ssh: {port: 1, identityFile: /nonexistent, knownHosts: /nonexistent}
                    paths: {state: /var/lib/mcvirt/rmnode}
                """, ""));
        assertThat(Files.readString(file)).contains("# ghost: a node that is gone", "- name: spare   # keep me");
        assertThat(Cli.run("-f", file.toString(), "validate").exitCode()).isZero();

        Cli.Result unknown = Cli.run("-f", file.toString(), "cluster", "remove-node", "--node", "nosuch");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no node named nosuch in the manifests");
        assertThat(Cli.run("-f", file.toString(), "cluster", "remove-node").exitCode()).isEqualTo(64);
    }
}
