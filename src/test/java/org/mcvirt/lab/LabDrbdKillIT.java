package org.mcvirt.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mcvirt.testing.Cli;

/**
 * {@code kill -9} of apply at every step boundary of creating a replicated disk (the test-only switch
 * MCVIRT_TEST_KILL=after-steps=K ends the process like SIGKILL once K steps are done): each time, the stale lock is
 * broken and the next apply goes one step further; the last one converges. Afterwards each node has one LV, one
 * resource file and one DRBD minor for the disk, the next plan is empty, and bytes written once the first node
 * became the good copy are still there (no step ran the initial sync twice or overwrote a disk).
 */
@Tag("lab")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class LabDrbdKillIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "dk" + ID;
    private static final String VM = "dk-" + ID;
    private static final String RESOURCE = "mcvirt_" + VM + "_root";
    private static final String STATE = "/var/lib/mcvirt-" + CLUSTER;
    private static Path dir;
    private static Path nodes;
    private static Path manifest;

    @BeforeAll
    static void labIsUp() throws Exception {
        Lab.assertUp();
        dir = Files.createTempDirectory("mcvirt-lab-drbd-kill");
        nodes = Lab.drbdNodesFor(dir, CLUSTER, STATE);
        manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, Lab.drbdCluster(CLUSTER, Lab.secretFile(dir, "Kill")) + """
                networks: []
                vms:
                  - name: %s
                    node: node1
                    memory: 64MiB
                    state: stopped
                    disks: [{name: root, size: 16MiB, storage: vg0, replicated: true}]
                """.formatted(VM));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        Lab.destroyDrbdCluster(nodes, dir, CLUSTER, RESOURCE, STATE);
    }

    private static Cli.Result mcvirt(String... args) {
        return Lab.mcvirt(nodes, manifest, args);
    }

    /** apply in a process of its own, ended like kill -9 after `after` steps; returns its exit status and output. */
    private static String[] applyKilledAfter(int after) throws Exception {
        Lab.Output killed = Lab.mcvirtProcess(dir, java.util.Map.of("MCVIRT_TEST_KILL", "after-steps=" + after),
                java.time.Duration.ofMinutes(5), "-f", nodes.toString(), "-f", manifest.toString(), "apply",
                "--auto-approve", "--parallelism", "1");
        return new String[] {Integer.toString(killed.status()), killed.text()};
    }

    private static int count(String node, String command) {
        return Integer.parseInt(Lab.ssh(node, "sh", "-c", "'" + command + "'").strip());
    }

    @Test
    void applyKilledAtEveryStepBoundaryConvergesWithNoDuplicateAndNoLostByte() throws Exception {
        // the cluster's storage pools first, so every apply below plans the same steps: those of the replicated disk
        String full = Files.readString(manifest);
        Files.writeString(manifest, full.substring(0, full.indexOf("vms:")) + "vms: []\n");
        Cli.Result pools = mcvirt("apply", "--auto-approve");
        assertThat(pools.exitCode()).as(pools.toString()).isZero();
        Files.writeString(manifest, full);
        Path saved = dir.resolve("create.plan");
        Cli.Result plan = mcvirt("plan", "--out", saved.toString());
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        JsonNode steps = new ObjectMapper().readTree(saved.toFile()).path("steps");
        List<String> kinds = new ArrayList<>();
        steps.forEach(s -> kinds.add(s.path("kind").asText() + " on " + s.path("node").asText()));
        assertThat(kinds).as("the creation steps").hasSize(10).contains("DRBD_INITIAL_SYNC on node1",
                "DEFINE_DOMAIN on node1");
        int[] minorsBefore = {count("node1", "grep -c \" cs:\" /proc/drbd || true"),
            count("node2", "grep -c \" cs:\" /proc/drbd || true")};

        String written = null;
        String device = null;
        for (int k = 1; k < kinds.size(); k++) {
            String[] killed = applyKilledAfter(k);
            assertThat(killed[0]).as("apply killed after %d steps (%s): %s", k, kinds.get(k - 1), killed[1])
                    .isEqualTo("137");
            assertThat(killed[1]).contains("mcvirt: test kill after " + k + " steps");
            Cli.Result status = mcvirt("lock", "status");
            assertThat(status.out()).as("the killed apply left its lock").contains("stale: its process");
            Cli.Result broken = mcvirt("lock", "break", "--force");
            assertThat(broken.exitCode()).as(broken.toString()).isZero();
            Cli.Result next = mcvirt("plan", "--detailed-exitcode");
            assertThat(next.exitCode()).as("after a kill after step %d (%s) the plan has no problem: %s", k,
                    kinds.get(k - 1), next).isEqualTo(2);
            assertThat(next.out()).as("the journal shows the apply stopped part-way")
                    .contains("Warning: an apply stopped part-way: apply ", ": " + k + " of " + kinds.size()
                            + " steps done; the last was step " + k + " " + kinds.get(k - 1).replace(" on ", " on ")
                            + ", done at ");
            if (k == 1) {
                assertThat(mcvirt("info").out()).contains("attention: an apply stopped part-way");
            }
            Lab.Output role = Lab.script("ssh", "node1", "sh", "-c", "'drbdadm role " + RESOURCE + " && drbdadm dstate "
                    + RESOURCE + "'");
            if (written == null && role.status() == 0 && role.text().contains("Primary/Secondary")
                    && role.text().contains("UpToDate/UpToDate")) {
                // node1 is the good copy now: what is written from here on must survive every later apply
                device = "/dev/drbd" + Lab.ssh("node1", "drbdadm", "sh-minor", RESOURCE).strip();
                Lab.ssh("node1", "sh", "-c", "'head -c 1048576 /dev/urandom > /tmp/" + ID + ".bin && dd if=/tmp/" + ID
                        + ".bin of=" + device + " bs=1M oflag=direct conv=nocreat,notrunc status=none && sync'");
                written = Lab.ssh("node1", "sha256sum", "/tmp/" + ID + ".bin").split(" ")[0];
            }
        }
        assertThat(written).as("node1 became the good copy before the last step").isNotNull();

        Cli.Result last = mcvirt("apply", "--auto-approve");
        assertThat(last.exitCode()).as(last.toString()).isZero();
        Cli.Result empty = mcvirt("plan", "--detailed-exitcode");
        assertThat(empty.exitCode()).as(empty.toString()).isZero();
        assertThat(empty.out()).as("the last apply finished").doesNotContain("stopped part-way");
        for (int i = 0; i < 2; i++) {
            String node = "node" + (i + 1);
            assertThat(count(node, "lvs --noheadings -o lv_name vg0 | grep -cw " + RESOURCE)).as("LVs on %s", node)
                    .isEqualTo(1);
            assertThat(count(node, "ls /etc/drbd.d | grep -c " + RESOURCE)).as("resource files on %s", node).isEqualTo(1);
            assertThat(count(node, "grep -c \" cs:\" /proc/drbd")).as("DRBD minors on %s", node)
                    .isEqualTo(minorsBefore[i] + 1);
        }
        assertThat(Lab.ssh("node1", "cat", "/proc/drbd")).contains(device.substring("/dev/drbd".length())
                + ": cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate");
        assertThat(Lab.ssh("node1", "sh", "-c", "'head -c 1048576 " + device + " | sha256sum'").split(" ")[0])
                .as("the bytes written after the initial sync").isEqualTo(written);
        Lab.ssh("node1", "rm", "-f", "/tmp/" + ID + ".bin");
    }
}
