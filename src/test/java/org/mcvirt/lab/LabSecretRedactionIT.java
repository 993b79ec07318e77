package org.mcvirt.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DRBD secret stays out of every output when drbdadm fails at connect on the lab. drbd-utils prints a failed
 * drbdsetup call with all its options, {@code --shared-secret=VALUE} among them, when it exits with 10 or more. Here
 * the resource's port on node1 is already taken before apply: by a DRBD connection made with drbdsetup alone (no
 * resource file, so drbdadm's own config check does not see it). A user-space listener would not do: DRBD 8.4 binds
 * its listening socket later, in the kernel's receiver thread, so drbdadm would succeed and the bind failure would
 * only be logged. The kernel refuses a second connection on the same local address at once (drbd_adm_connect:
 * "Failure: (102) Local address(port) already in use."), and drbdadm adjust fails with the connect call quoted.
 * mcvirt's output (standard output and error of its own process), the plan and info that follow, both nodes' journals
 * and every file in both state directories are searched for the secret, and the state directory's modes are checked
 * (0711, 0700 within, files 0600).
 */
@Tag("lab")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LabSecretRedactionIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "sr" + ID;
    private static final String VM = "sr-" + ID;
    private static final String RESOURCE = "mcvirt_" + VM + "_root";
    /** The DRBD 8.4 resource that takes the port first; made with drbdsetup only. */
    private static final String BLOCKER = "mcvirt_block_" + ID;
    private static final String SECRET = "Lab-Redact-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    private static final String STATE = "/var/lib/mcvirt-" + CLUSTER;
    /** drbdsetup of the 8.4 kernel (drbd-utils 9.22 hands off to it by itself; called directly when it is there). */
    private static final String DRBDSETUP = "s=/lib/drbd/drbdsetup-84; [ -x $s ] || s=drbdsetup; ";
    private static Path dir;
    private static Path nodes;
    private static Path manifest;
    private static boolean blocked;

    @BeforeAll
    static void labIsUp() throws Exception {
        Lab.assertUp();
        dir = Files.createTempDirectory("mcvirt-lab-secret");
        nodes = Lab.drbdNodesFor(dir, CLUSTER, STATE);
        Path secret = dir.resolve("drbd.secret");
        Files.writeString(secret, SECRET + "\n");
        manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, Lab.drbdCluster(CLUSTER, secret) + """
                networks: []
                vms:
                  - name: %s
                    node: node1
                    memory: 64MiB
                    state: stopped
                    disks: [{name: root, size: 32MiB, storage: vg0, replicated: true}]
                """.formatted(VM));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        try {
            if (blocked) {
                Lab.script("ssh", "node1", "sh", "-c", "'" + DRBDSETUP + "$s down " + BLOCKER + "'");
            }
        } finally {
            Lab.destroyDrbdCluster(nodes, dir, CLUSTER, RESOURCE, STATE);
        }
    }

    private static Lab.Output mcvirt(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-f", nodes.toString(), "-f", manifest.toString()));
        all.addAll(List.of(args));
        return Lab.mcvirtProcess(dir, Map.of(), Duration.ofMinutes(5), all.toArray(String[]::new));
    }

    @Test
    void aBringUpThatFailsAtConnectLeavesTheSecretInNoOutputJournalOrStateFile() throws Exception {
        Lab.Output plan = mcvirt("plan");
        assertThat(plan.status()).as(plan.text()).isEqualTo(0);
        Matcher allocated = Pattern.compile("replicated node1 <-> node2 \\(/dev/drbd(\\d+), port (\\d+)\\)")
                .matcher(plan.text());
        assertThat(allocated.find()).as(plan.text()).isTrue();
        String port = allocated.group(2);

        blocked = true;
        Lab.ssh("node1", "sh", "-c", "'" + DRBDSETUP + "$s new-resource " + BLOCKER + " && $s connect " + BLOCKER
                + " ipv4:10.99.0.1:" + port + " ipv4:10.99.0.254:" + port + " --protocol=C'");

        Lab.Output apply = mcvirt("apply", "--auto-approve");
        assertThat(apply.status()).as(apply.text()).isNotZero();
        assertThat(apply.text()).as("drbdadm failed at connect, quoting the connect call with its secret option")
                .contains("Local address(port) already in use", "--shared-secret=(secret)");

        List<String> outputs = new ArrayList<>(List.of(plan.text(), apply.text()));
        outputs.add(mcvirt("plan").text());
        outputs.add(mcvirt("info", VM).text());
        for (String node : new String[] {"node1", "node2"}) {
            String journal = Lab.ssh(node, "cat", STATE + "/journal.jsonl");
            assertThat(journal).as("the journal on %s has the apply", node).contains("apply-started");
            if (node.equals("node1")) {
                assertThat(journal).as("node1's journal has the failed bring-up with drbd-utils' words")
                        .contains("\"event\":\"failed\"", "Local address(port) already in use");
            }
            outputs.add(journal);
            Lab.Output grep = Lab.script("ssh", node, "grep", "-rlF", "--", SECRET, STATE);
            assertThat(grep.status()).as("no file under %s on %s holds the secret: %s", STATE, node, grep.text())
                    .isEqualTo(1);
            String modes = Lab.ssh(node, "find", STATE, "-printf", "'%y %m %p\\n'");
            assertThat(modes).as("on %s", node).contains("d 711 " + STATE + "\n", "f 600 " + STATE + "/journal.jsonl");
            for (String line : modes.strip().lines().toList()) {
                assertThat(line).as("on %s", node).matches(line.equals("d 711 " + STATE) ? ".*"
                        : line.startsWith("d ") ? "d 700 .*" : "f 600 .*");
            }
        }
        for (String output : outputs) {
            assertThat(output).doesNotContain(SECRET);
        }
    }
}
