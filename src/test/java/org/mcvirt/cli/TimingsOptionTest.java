package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.testing.Cli;

/**
 * {@code --timings}: where a plan's time went, on standard error after the command, and the plan itself on standard
 * output exactly as without it. Planning reads the local node on libvirt's in-process test driver (and starts this
 * machine's lvs, vgs, drbdadm), hence the libvirt tag.
 */
@Tag("libvirt")
class TimingsOptionTest {
    private static final String MANIFEST = """
            apiVersion: mcvirt/v1
            cluster: {name: timings}
            nodes:
              - name: here
                local: true
                libvirt: {uri: "test:///default", domainType: qemu}
            networks:
              - {name: net, nat: true, cidr: 192.168.197.0/24}
            """;

    @Test
    void planWithTimingsPrintsEachPhaseOnStandardErrorAndTheSamePlan(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, MANIFEST);
        Cli.Result plain = Cli.run("-f", manifest.toString(), "plan", "--no-color");
        Cli.Result timed = Cli.run("-f", manifest.toString(), "plan", "--no-color", "--timings");
        assertThat(timed.exitCode()).as(timed.toString()).isEqualTo(plain.exitCode());
        assertThat(timed.out()).isEqualTo(plain.out());
        assertThat(plain.err()).doesNotContain("Timings:");
        assertThat(timed.err()).contains("Timings:\n", "  read and check the manifests ", "  here: read libvirt ",
                "  here: read LVM, DRBD and records (one command", "  read every node (in parallel) ",
                "  plan ", "  total since the process started ");
        assertThat(timed.err()).containsPattern("here: (connect libvirt|libvirt connection \\(opened while the"
                + " manifests were read\\), waited for) +\\d+\\.\\d{3} s");
    }
}
