package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.testing.Cli;

/**
 * Issue 17 item 7: {@code plan --out} writes only the file it names, all at once. Planning reads the local node on
 * libvirt's in-process test driver (and starts this machine's lvs, vgs, drbdadm), hence the libvirt tag.
 */
@Tag("libvirt")
class PlanOutTest {
    private static final String MANIFEST = """
            apiVersion: mcvirt/v1
            cluster: {name: planout}
            nodes:
              - name: here
                local: true
                libvirt: {uri: "test:///default", domainType: qemu}
            networks:
              - {name: net, nat: true, cidr: 192.168.198.0/24}
            """;

    @Test
    void planOutRefusesASymbolicLinkAndLeavesWhatItPointsToAlone(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, MANIFEST);
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "precious\n");
        Path link = Files.createSymbolicLink(dir.resolve("saved.plan"), victim);
        Cli.Result result = Cli.run("-f", manifest.toString(), "plan", "--out", link.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).as(result.toString()).contains("Error: cannot save the plan to " + link + ": " + link
                + " is a symbolic link");
        assertThat(Files.readString(victim)).isEqualTo("precious\n");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void planOutReplacesAnExistingPlanKeepingItsModeAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, MANIFEST);
        Path saved = dir.resolve("saved.plan");
        Files.writeString(saved, "old\n");
        Files.setPosixFilePermissions(saved, PosixFilePermissions.fromString("rw-------"));
        Cli.Result result = Cli.run("-f", manifest.toString(), "plan", "--out", saved.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Files.readString(saved)).startsWith("{").contains("\"steps\"");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(saved))).isEqualTo("rw-------");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()).sorted()).containsExactly("cluster.yaml", "saved.plan");
        }
    }
}
