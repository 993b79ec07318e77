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
import org.mcvirt.testing.Virsh;

/**
 * A storage removed from the manifest, against the real libvirtd on this machine (qemu:///system), through the real
 * command line: its empty pool is stopped and undefined with --allow-destroy and its directory kept, so the directory
 * can be a pool again; a pool that still holds a volume is kept with a warning naming it.
 */
@Tag("libvirt")
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class PoolRemovalIT {
    private static final String URI = "qemu:///system";
    private static final Virsh VIRSH = new Virsh(URI);
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "itpool" + ID;
    private static final String SCRATCH = "mcvirt." + CLUSTER + ".scratch";
    private static final String KEEP = "mcvirt." + CLUSTER + ".keep";
    private static final String IMAGES = "mcvirt." + CLUSTER + ".images";
    private static Path dir;
    private static Path base;

    @BeforeAll
    static void setUp() throws Exception {
        assertThat(VIRSH.run("version").status()).as("libvirtd must answer on " + URI + " (.ci/start-libvirt)").isZero();
        dir = Files.createTempDirectory("mcvirt-pool-it");
        base = Path.of("/var/lib/mcvirt/it-pool-" + ID);
    }

    @AfterAll
    static void cleanUp() {
        VIRSH.run("vol-delete", "held.raw", "--pool", KEEP);
        for (String pool : new String[] {SCRATCH, KEEP, IMAGES}) {
            VIRSH.run("pool-destroy", pool);
            VIRSH.run("pool-delete", pool);
            VIRSH.run("pool-undefine", pool);
        }
        for (String sub : new String[] {"scratch", "keep", "images", ""}) {
            try {
                Files.deleteIfExists(base.resolve(sub));
            } catch (java.io.IOException e) {
                // best effort: a directory that is not empty stays for a look
            }
        }
    }

    private static Path manifest(String storage) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: %s}
                nodes:
                  - name: here
                    local: true
                    libvirt: {uri: "qemu:///system", domainType: qemu}
                    storage:
                      - {name: images, type: file, path: %s}
                """.formatted(CLUSTER, base.resolve("images")) + storage);
        return file;
    }

    private static String storage(String name) {
        return "      - {name: " + name + ", type: file, path: " + base.resolve(name) + "}\n";
    }

    private static Cli.Result mcvirt(Path manifest, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "-f";
        all[1] = manifest.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    @Test
    void anEmptyPoolWhoseStorageLeftTheManifestIsUndefinedAndItsDirectoryKept() throws Exception {
        Path all = manifest(storage("scratch") + storage("keep"));
        Cli.Result created = mcvirt(all, "apply", "--auto-approve");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(VIRSH.ok("pool-info", SCRATCH)).containsPattern("State:\\s+running");
        VIRSH.ok("vol-create-as", KEEP, "held.raw", "1M", "--format", "raw");

        Path fewer = manifest("");
        Cli.Result plan = mcvirt(fewer, "plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("storage.scratch@here on node here will be destroyed",
                "remove storage pool " + SCRATCH + " (its directory " + base.resolve("scratch") + " is kept)",
                "storage pool " + KEEP + " on node here is not in the manifest but holds volume held.raw: it is kept",
                "1 to destroy").doesNotContain("storage.keep@here");

        Cli.Result refused = mcvirt(fewer, "apply", "--auto-approve");
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.err()).contains("--allow-destroy");
        assertThat(VIRSH.run("pool-info", SCRATCH).status()).as("nothing removed without --allow-destroy").isZero();

        Cli.Result apply = mcvirt(fewer, "apply", "--auto-approve", "--allow-destroy");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(VIRSH.run("pool-info", SCRATCH).status()).as("the pool is undefined").isNotZero();
        assertThat(VIRSH.ok("pool-list", "--all", "--name")).doesNotContain(SCRATCH).contains(KEEP);
        assertThat(base.resolve("scratch")).as("its directory is kept").isDirectory();
        assertThat(VIRSH.ok("vol-list", KEEP)).contains("held.raw");

        Cli.Result settled = mcvirt(fewer, "plan", "--detailed-exitcode");
        assertThat(settled.exitCode()).as(settled.toString()).isZero();

        // the directory is free for a pool again
        Cli.Result again = mcvirt(manifest(storage("scratch")), "apply", "--auto-approve");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(VIRSH.ok("pool-info", SCRATCH)).containsPattern("State:\\s+running");
    }
}
