package org.mcvirt.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.mcvirt.manifest.ImageFiles;
import org.mcvirt.testing.Cli;

/**
 * A replicated disk made from an image on the lab: a qcow2 of 40 MiB of random bytes (made here with qemu-img) is
 * uploaded to node1, written once onto the new DRBD device there, and DRBD copies it to node2: the device's first
 * bytes hash like the image's raw form on node1, and on node2 after a live migration swaps the roles. The vm's
 * cloud-init seed is on both nodes, attached while it migrates live (node2's copy, deleted by hand, is written again
 * before the move). Then deleting the vm removes its seeds.
 */
@Tag("lab")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabImagesIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "im" + ID;
    private static final String VM = "im-" + ID;
    private static final String RESOURCE = "mcvirt_" + VM + "_root";
    private static final String STATE = "/var/lib/mcvirt-" + CLUSTER;
    private static final String IMAGES = "/var/lib/mcvirt/" + CLUSTER;
    private static final long RAW_BYTES = 40L << 20;
    private static Path dir;
    private static Path nodes;
    private static Path manifest;
    private static String rawSha256;
    private static Path secret;

    @BeforeAll
    static void anImageOfRandomBytes() throws Exception {
        Lab.assertUp();
        dir = Files.createTempDirectory("mcvirt-lab-images");
        nodes = Lab.drbdNodesFor(dir, CLUSTER, STATE);
        Path raw = dir.resolve("random.raw");
        byte[] bytes = new byte[(int) RAW_BYTES];
        new java.util.Random(42).nextBytes(bytes);
        Files.write(raw, bytes);
        rawSha256 = ImageFiles.sha256(raw);
        Path image = dir.resolve("random.qcow2");
        Process converted = new ProcessBuilder("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
                image.toString()).redirectErrorStream(true).start();
        String output = new String(converted.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(converted.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(converted.exitValue()).as("qemu-img convert: " + output).isZero();
        secret = Lab.secretFile(dir, "Img");
        Files.writeString(dir.resolve("user-data.yaml"), "#cloud-config\nhostname: " + VM + "\n");
        manifest = dir.resolve("cluster.yaml");
        write("running", "      - {name: random, source: random.qcow2, sha256: " + ImageFiles.sha256(image) + "}\n");
    }

    private static void write(String state, String images) throws Exception {
        Files.writeString(manifest, Lab.drbdCluster(CLUSTER, secret) + """
                networks:
                  - {name: imnet, nat: true, cidr: 192.168.159.0/24}
                images:
                %s
                vms:
                  - name: %s
                    node: node1
                    memory: 64MiB
                    state: %s
                    migration: live
                    disks: [{name: root, size: 64MiB, storage: vg0, replicated: true, image: random}]
                    nics: [{network: imnet}]
                    cloudInit: {userData: user-data.yaml}
                """.formatted(images.stripTrailing(), VM, state));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        try {
            Lab.destroyDrbdCluster(nodes, dir, CLUSTER, RESOURCE, STATE);
        } finally {
            for (String node : new String[] {"node1", "node2"}) {
                Lab.script("ssh", node, "rm", "-rf", IMAGES);
            }
        }
    }

    private static Cli.Result mcvirt(String... args) {
        return Lab.mcvirt(nodes, manifest, args);
    }

    private static String virsh(String node, String... args) {
        List<String> all = new ArrayList<>(List.of("virsh", "-c", "qemu:///system"));
        all.addAll(List.of(args));
        return Lab.ssh(node, all.toArray(String[]::new));
    }

    /** The SHA-256 of the first RAW_BYTES of the vm's DRBD device on node (Primary there). */
    private static String deviceSha256(String node) {
        String minor = Lab.ssh(node, "drbdadm", "sh-minor", RESOURCE).strip();
        return Lab.ssh(node, "sh", "-c", "'head -c " + RAW_BYTES + " /dev/drbd" + minor + " | sha256sum'").split(" ")[0];
    }

    private static List<String> seeds(String node) {
        return Lab.ssh(node, "sh", "-c", "'ls " + IMAGES + " 2>/dev/null || true'").lines()
                .filter(f -> f.startsWith("seed." + VM + ".")).toList();
    }

    @Test
    @Order(1)
    void theImageIsWrittenOnceOnNode1AndDrbdCopiesIt() {
        Cli.Result plan = mcvirt("plan");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("[node1] upload image random", "[node1] write image random onto /dev/drbd",
                "on node1: written once, DRBD copies it to node2", "[node1] write cloud-init seed seed." + VM,
                "[node2] write cloud-init seed seed." + VM).doesNotContain("[node2] upload image");
        Cli.Result apply = mcvirt("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("SHA-256 checked on the node", "DRBD copies it to the peer");
        assertThat(deviceSha256("node1")).as("the image's raw bytes on node1's device").isEqualTo(rawSha256);
        assertThat(seeds("node1")).hasSize(1).isEqualTo(seeds("node2"));
        assertThat(virsh("node1", "dumpxml", VM)).contains("model='virtio-scsi'", "device='cdrom'",
                IMAGES + "/" + seeds("node1").get(0));
        Cli.Result again = mcvirt("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.toString()).isZero();
    }

    @Test
    @Order(2)
    void afterALiveMigrationNode2sCopyHoldsTheImage() {
        // node2 lost its copy of the seed: the move writes it there first
        String seed = seeds("node2").get(0);
        virsh("node2", "vol-delete", seed, "--pool", "mcvirt." + CLUSTER + ".images");
        Cli.Result live = mcvirt("migrate", "--node", "node2", "--live", "--yes", VM);
        assertThat(live.exitCode()).as(live.toString()).isZero();
        assertThat(live.out()).contains("[node2] write cloud-init seed " + seed);
        assertThat(seeds("node2")).containsExactly(seed);
        assertThat(virsh("node2", "domstate", VM).strip()).isEqualTo("running");
        assertThat(Lab.ssh("node2", "drbdadm", "role", RESOURCE).strip()).isEqualTo("Primary/Secondary");
        assertThat(deviceSha256("node2")).as("the image's raw bytes on node2's device").isEqualTo(rawSha256);
        assertThat(virsh("node2", "dumpxml", VM)).contains("device='cdrom'", IMAGES + "/seed." + VM + ".");
    }

    @Test
    @Order(3)
    void deletingTheVmRemovesItsSeedsFromBothNodes() throws Exception {
        Files.writeString(manifest, Lab.drbdCluster(CLUSTER, secret)
                + "networks:\n  - {name: imnet, nat: true, cidr: 192.168.159.0/24}\nvms: []\n");
        Cli.Result delete = mcvirt("apply", "--auto-approve", "--allow-destroy", "--shutdown-timeout", "2");
        assertThat(delete.exitCode()).as(delete.toString()).isZero();
        assertThat(delete.out()).contains("remove cloud-init seed seed." + VM);
        assertThat(seeds("node1")).isEmpty();
        assertThat(seeds("node2")).isEmpty();
    }
}
