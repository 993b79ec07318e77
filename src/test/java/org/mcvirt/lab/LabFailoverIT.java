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
import org.mcvirt.testing.Cli;

/**
 * Issue 16, failover: a replicated vm running on node2 writes data; node2 loses power (lab/power node2 off: its QEMU is
 * killed, no shutdown); the operator declares node2 offline; apply runs the vm on node1 from its replicated disk and
 * mcvirt's saved definition, and the bytes written and synced before the cut are intact. Plan and apply never contact
 * node2: its QEMU is gone, so any attempt would fail or wait for the node timeout, and the output would say so.
 * Then node2 is powered on and set online: its copy is discarded and resynced from node1 (--allow-destroy), never a
 * split brain, and once in sync the vm moves home with its bytes intact.
 */
@Tag("lab")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabFailoverIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "fo" + ID;
    private static final String VM = "fo-" + ID;
    private static final String RESOURCE = "mcvirt_" + VM + "_root";
    private static final String STATE = "/var/lib/mcvirt-" + CLUSTER;
    private static Path dir;
    private static Path nodes;
    private static Path manifest;
    private static String device;
    private static String written;
    private static boolean poweredOff;

    @BeforeAll
    static void aRunningReplicatedVmOnNode2WithDataWritten() throws Exception {
        Lab.assertUp();
        dir = Files.createTempDirectory("mcvirt-lab-failover");
        nodes = Lab.drbdNodesFor(dir, CLUSTER, STATE);
        manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, Lab.drbdCluster(CLUSTER, Lab.secretFile(dir, "Fo")) + """
                networks:
                  - {name: fonet, nat: true, cidr: 192.168.156.0/24}
                vms:
                  - name: %s
                    node: node2
                    memory: 64MiB
                    state: running
                    disks: [{name: root, size: 16MiB, storage: vg0, replicated: true}]
                    nics: [{network: fonet}]
                """.formatted(VM));
        Cli.Result created = mcvirt("apply", "--auto-approve");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        device = "/dev/drbd" + Lab.ssh("node2", "drbdadm", "sh-minor", RESOURCE).strip();
        Lab.ssh("node2", "sh", "-c", "'head -c 1048576 /dev/urandom > /tmp/" + ID + ".bin && dd if=/tmp/" + ID
                + ".bin of=" + device + " bs=1M oflag=direct conv=nocreat,notrunc status=none && sync'");
        written = Lab.ssh("node2", "sha256sum", "/tmp/" + ID + ".bin").split(" ")[0];
        assertThat(Lab.ssh("node1", "drbdadm", "dstate", RESOURCE).strip())
                .as("node1's copy is in sync before the cut").isEqualTo("UpToDate/UpToDate");
    }

    @AfterAll
    static void powerOnAndCleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        if (poweredOff) {
            Lab.Output on = Lab.script("power", "node2", "on");
            assertThat(on.status()).as(on.text()).isZero();
        }
        // node2's copy is stale and the pair split: taken apart by hand on both nodes, then the rest by mcvirt
        for (String node : new String[] {"node1", "node2"}) {
            Lab.script("ssh", node, "sh", "-c", "'virsh -c qemu:///system destroy " + VM + " 2>/dev/null;"
                    + " virsh -c qemu:///system undefine " + VM + " 2>/dev/null; drbdadm down " + RESOURCE
                    + " 2>/dev/null; true'");
        }
        setNode2("online");
        Lab.destroyDrbdCluster(nodes, dir, CLUSTER, RESOURCE, STATE);
    }

    private static Cli.Result mcvirt(String... args) {
        return Lab.mcvirt(nodes, manifest, args);
    }

    /** Sets node2's state in the test's nodes file. */
    private static void setNode2(String state) throws Exception {
        String text = Files.readString(nodes).replaceAll("(?m)^    state: \\w+\\n", "");
        assertThat(text).contains("  - name: node2\n");
        Files.writeString(nodes, text.replace("  - name: node2\n", "  - name: node2\n    state: " + state + "\n"));
    }

    private static String virsh(String node, String... args) {
        List<String> all = new ArrayList<>(List.of("virsh", "-c", "qemu:///system"));
        all.addAll(List.of(args));
        return Lab.ssh(node, all.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void afterAPowerCutOfNode2DeclaredOfflineTheVmRunsOnNode1WithItsDataIntact() throws Exception {
        Lab.Output off = Lab.script("power", "node2", "off");
        assertThat(off.status()).as(off.text()).isZero();
        poweredOff = true;
        // DRBD on node1 notices the lost peer within its ping timeout
        long deadline = System.currentTimeMillis() + 60_000;
        while (Lab.ssh("node1", "drbdadm", "cstate", RESOURCE).strip().equals("Connected")) {
            assertThat(System.currentTimeMillis()).as("node1 still sees node2 connected after 60 s")
                    .isLessThan(deadline);
            Thread.sleep(1000);
        }
        Cli.Result unread = mcvirt("plan");
        assertThat(unread.exitCode()).as("node2 online in the manifest but unreachable: %s", unread).isNotZero();
        assertThat(unread.out() + unread.err()).contains("node node2 could not be read");

        setNode2("offline");
        Cli.Result plan = mcvirt("plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).startsWith("Warning: node2 is declared offline: mcvirt will not contact it. Make sure"
                + " it is powered off; if it still runs these vms (" + VM + "), their copies diverge (split brain).");
        assertThat(plan.out()).contains("record on node1 that it takes vm " + VM + " over from node2",
                "make " + RESOURCE + " primary on node1", "start domain " + VM + " on node1");
        assertThat(plan.out() + plan.err()).doesNotContain("could not be read", "stopped answering");

        long started = System.nanoTime();
        Cli.Result applied = mcvirt("apply", "--auto-approve");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        assertThat(applied.out() + applied.err()).doesNotContain("node2 could not be read", "node node2",
                "stopped answering");
        System.out.println("LabFailoverIT: the failover apply took " + seconds + " s");

        assertThat(virsh("node1", "domstate", VM).strip()).isEqualTo("running");
        assertThat(Lab.ssh("node1", "drbdadm", "role", RESOURCE).strip()).startsWith("Primary/");
        assertThat(Lab.ssh("node1", "sh", "-c", "'head -c 1048576 " + device + " | sha256sum'").split(" ")[0])
                .as("the bytes written on node2 and synced before the cut, read on node1").isEqualTo(written);
        String record = Lab.ssh("node1", "cat", STATE + "/failover/" + VM + ".json");
        assertThat(record).contains("\"vm\":\"" + VM + "\"", "\"from\":\"node2\"", "\"to\":\"node1\"",
                "\"resources\":[\"" + RESOURCE + "\"]");
        assertThat(Lab.ssh("node1", "stat", "-c", "%a", STATE + "/failover/" + VM + ".json").strip())
                .isEqualTo("600");

        Cli.Result again = mcvirt("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as("after the failover nothing is left to do: %s", again).isZero();
    }

    @Test
    @Order(2)
    void node2BackOnlineHasItsCopyDiscardedAndResyncedAndTheVmMovesHomeOnceInSync() throws Exception {
        Lab.Output on = Lab.script("power", "node2", "on");
        assertThat(on.status()).as(on.text()).isZero();
        poweredOff = false;
        System.out.println("LabFailoverIT: node2 after boot: " + Lab.ssh("node2", "sh", "-c", "'cat /proc/drbd;"
                + " virsh -c qemu:///system list --all'"));
        setNode2("online");
        Cli.Result plan = mcvirt("plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("node2 is back after vm " + VM + " failed over to node1 at ",
                "node2's copy of " + VM + "/root after ", " is discarded", "(destroys data)",
                "apply needs --allow-destroy");
        Cli.Result refused = mcvirt("apply", "--auto-approve");
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.out() + refused.err()).contains("--allow-destroy");
        assertThat(virsh("node1", "domstate", VM).strip()).isEqualTo("running");

        Cli.Result back = mcvirt("apply", "--auto-approve", "--allow-destroy");
        assertThat(back.exitCode()).as(back.toString()).isZero();
        assertThat(virsh("node1", "domstate", VM).strip()).as("the vm stays on node1 meanwhile").isEqualTo("running");
        assertThat(virsh("node2", "list", "--all", "--name").lines()).as("node2's stale definition is gone")
                .doesNotContain(VM);
        assertThat(Lab.script("ssh", "node1", "test", "-e", STATE + "/failover/" + VM + ".json").status())
                .as("the failover record is removed").isNotZero();
        long deadline = System.currentTimeMillis() + 180_000;
        while (!Lab.ssh("node1", "drbdadm", "dstate", RESOURCE).strip().equals("UpToDate/UpToDate")) {
            assertThat(Lab.ssh("node1", "drbdadm", "cstate", RESOURCE).strip()).as("no split brain on node1")
                    .isNotEqualTo("StandAlone");
            assertThat(System.currentTimeMillis()).as("node2's copy resynced within 3 minutes").isLessThan(deadline);
            Thread.sleep(1000);
        }
        Cli.Result home = mcvirt("apply", "--auto-approve", "--shutdown-timeout", "2");
        assertThat(home.exitCode()).as(home.toString()).isZero();
        assertThat(home.out()).contains("migrate");
        assertThat(virsh("node2", "domstate", VM).strip()).isEqualTo("running");
        assertThat(Lab.ssh("node2", "drbdadm", "role", RESOURCE).strip()).isEqualTo("Primary/Secondary");
        assertThat(Lab.ssh("node2", "sh", "-c", "'head -c 1048576 " + device + " | sha256sum'").split(" ")[0])
                .as("the bytes written before the cut, read on node2 after its return").isEqualTo(written);
        Cli.Result done = mcvirt("plan", "--detailed-exitcode");
        assertThat(done.exitCode()).as(done.toString()).isZero();
    }
}
