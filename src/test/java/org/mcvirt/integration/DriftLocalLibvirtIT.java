package org.mcvirt.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mcvirt.testing.Cli;
import org.mcvirt.testing.JunitSchemas;
import org.mcvirt.testing.Virsh;

/**
 * drift against the real libvirtd on this machine (qemu:///system): a vm mcvirt made is in sync until its memory is
 * changed behind mcvirt's back, then it is the one failed test case, with the attribute line the plan shows. The vm
 * is stopped and has no disk or NIC, so nothing runs.
 */
@Tag("libvirt")
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class DriftLocalLibvirtIT {
    private static final Virsh VIRSH = new Virsh("qemu:///system");
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String VM = "it-drift-" + ID;
    private static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        assertThat(VIRSH.run("version").status()).as("libvirtd must answer (.ci/start-libvirt)").isZero();
        dir = Files.createTempDirectory("mcvirt-drift-it");
    }

    @AfterAll
    static void cleanUp() {
        VIRSH.run("undefine", VM);
    }

    @Test
    void aChangeBehindMcvirtsBackIsOneFailedTestCaseWithItsAttributeLine() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: dr%s}
                nodes:
                  - name: here
                    local: true
                    libvirt: {uri: "qemu:///system", domainType: qemu}
                    paths: {state: %s}
                vms:
                  - {name: %s, node: here, memory: 64MiB, state: stopped}
                """.formatted(ID, state, VM));
        Cli.Result apply = Cli.run("-f", file.toString(), "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();

        Path junit = dir.resolve("drift.xml");
        Cli.Result clean = Cli.run("-f", file.toString(), "drift", "--junit", junit.toString());
        assertThat(clean.exitCode()).as(clean.toString()).isZero();
        assertThat(clean.out()).contains("  ok    node here\n", "  ok    vm " + VM + "\n");
        assertThat(JunitSchemas.failures(JunitSchemas.parse(Files.readString(junit)))).isZero();

        VIRSH.ok("setmaxmem", VM, "131072", "--config");
        Cli.Result drifted = Cli.run("-f", file.toString(), "drift", "--junit", junit.toString());
        assertThat(drifted.exitCode()).as(drifted.toString()).isEqualTo(2);
        assertThat(drifted.out()).contains("  DRIFT vm " + VM + ": the vm differs from the manifest (memory) on node"
                + " here: apply would update in place\n            ~ memory = 128MiB -> 64MiB   (applies live)\n")
                .endsWith("Drift: 1 of 2 objects of cluster dr" + ID + " drifted.\n");
        String xml = Files.readString(junit);
        assertThat(JunitSchemas.failures(JunitSchemas.parse(xml))).isEqualTo(1);
        assertThat(xml).contains("classname=\"mcvirt.dr" + ID + ".vm\"", "~ memory = 128MiB -&gt; 64MiB");
        JunitSchemas.assertValid(xml);
    }
}
