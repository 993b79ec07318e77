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
 * served over HTTP by node2 (netcat in a loop), downloaded by node1 from its URL, written once onto the new DRBD
 * device there, and DRBD copies it to node2: the device's first bytes hash like the image's raw form on node1, and on
 * node2 after a live migration swaps the roles. The vm's cloud-init seed and its ISO are on both nodes, attached
 * while it migrates live (node2's seed, deleted by hand, is written again before the move). An unreachable URL first
 * is a problem naming the manifest's line, and changes nothing. Then deleting the vm removes its seeds.
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
    private static final String SERVED = "/root/serve-" + CLUSTER;
    private static final String URL = "http://10.99.0.2:8099/random.qcow2";
    private static String imageSha256;
    private static String isoLine;
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
        imageSha256 = ImageFiles.sha256(image);
        Path iso = dir.resolve("tools.iso");
        byte[] isoBytes = new byte[2 << 20];
        new java.util.Random(7).nextBytes(isoBytes);
        Files.write(iso, isoBytes);
        isoLine = "isos:\n  - {name: tools, source: tools.iso, sha256: " + ImageFiles.sha256(iso) + "}\n";
        // node2 serves the image over HTTP: netcat in a loop, a whole response for each connection
        Lab.ssh("node2", "mkdir", "-p", SERVED);
        put("node2", Files.readAllBytes(image), SERVED + "/random.qcow2");
        put("node2", ("cd " + SERVED + "\necho $$ >loop.pid\nwhile :; do\n"
                + "  { printf 'HTTP/1.0 200 OK\\r\\nContent-Length: %s\\r\\n\\r\\n' \"$(stat -c %s random.qcow2)\";"
                + " cat random.qcow2; } | nc -N -l -p 8099 >/dev/null 2>&1 || sleep 0.2\ndone\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), SERVED + "/serve.sh");
        Lab.ssh("node2", "setsid sh " + SERVED + "/serve.sh </dev/null >/dev/null 2>&1 &");
        write("running", "      - {name: random, source: " + URL.replace("8099", "8098") + ", sha256: "
                + imageSha256 + "}\n");
    }

    /** Writes bytes to a file on a lab node (through lab/ssh's standard input). */
    private static void put(String node, byte[] bytes, String path) throws Exception {
        Process copy = new ProcessBuilder("lab/ssh", node, "cat > " + path).redirectErrorStream(true).start();
        try (var in = copy.getOutputStream()) {
            in.write(bytes);
        }
        String output = new String(copy.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(copy.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(copy.exitValue()).as("copy to " + node + ": " + output).isZero();
    }

    private static void write(String state, String images) throws Exception {
        Files.writeString(manifest, Lab.drbdCluster(CLUSTER, secret) + """
                networks:
                  - {name: imnet, nat: true, cidr: 192.168.159.0/24}
                images:
                %s
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
                    cdrom: tools
                """.formatted(images.stripTrailing(), isoLine.stripTrailing(), VM, state));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        try {
            Lab.script("ssh", "node2", "sh", "-c", "'kill $(cat " + SERVED + "/loop.pid); pkill -f \"nc -N -l -p 809[9]\";"
                    + " rm -rf " + SERVED + "'");
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

    private static List<String> isos(String node) {
        return Lab.ssh(node, "sh", "-c", "'ls " + IMAGES + " 2>/dev/null || true'").lines()
                .filter(f -> f.startsWith("iso.tools.")).toList();
    }

    @Test
    @Order(1)
    void anUnreachableUrlIsAProblemAtItsLineAndChangesNothing() throws Exception {
        String unreachable = URL.replace("8099", "8098");
        Cli.Result plan = mcvirt("plan");
        assertThat(plan.exitCode()).as(plan.toString()).isNotZero();
        int line = 1 + Files.readAllLines(manifest).indexOf(Files.readAllLines(manifest).stream()
                .filter(l -> l.contains(unreachable)).findFirst().orElseThrow());
        assertThat(plan.out() + plan.err()).contains(manifest + ":" + line + ":", "image 'random': node node1 cannot"
                + " download " + unreachable, "Failed to connect to 10.99.0.2 port 8098");
        Cli.Result apply = mcvirt("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isNotZero();
        for (String node : new String[] {"node1", "node2"}) {
            assertThat(virsh(node, "list", "--all", "--name")).doesNotContain(VM);
            assertThat(Lab.ssh(node, "sh", "-c", "'ls " + IMAGES + " 2>/dev/null || true'")).isBlank();
        }
    }

    @Test
    @Order(2)
    void theImageIsDownloadedByNode1WrittenOnceAndDrbdCopiesIt() throws Exception {
        write("running", "      - {name: random, source: " + URL + ", sha256: " + imageSha256 + "}\n");
        Cli.Result plan = mcvirt("plan");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("[node1] download image random from " + URL + " on node node1",
                "[node1] write image random onto /dev/drbd", "on node1: written once, DRBD copies it to node2",
                "[node1] write cloud-init seed seed." + VM, "[node2] write cloud-init seed seed." + VM,
                "[node1] upload ISO tools", "[node2] upload ISO tools").doesNotContain("[node2] download image");
        Cli.Result apply = mcvirt("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("downloaded by the node, SHA-256 checked there", "DRBD copies it to the peer");
        assertThat(deviceSha256("node1")).as("the image's raw bytes on node1's device").isEqualTo(rawSha256);
        assertThat(seeds("node1")).hasSize(1).isEqualTo(seeds("node2"));
        assertThat(isos("node1")).hasSize(1).isEqualTo(isos("node2"));
        assertThat(virsh("node1", "dumpxml", VM)).contains("model='virtio-scsi'", "device='cdrom'",
                IMAGES + "/" + seeds("node1").get(0), IMAGES + "/" + isos("node1").get(0));
        Cli.Result again = mcvirt("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.toString()).isZero();
    }

    @Test
    @Order(3)
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
        assertThat(virsh("node2", "dumpxml", VM)).contains("device='cdrom'", IMAGES + "/seed." + VM + ".",
                IMAGES + "/" + isos("node2").get(0));
    }

    @Test
    @Order(4)
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
