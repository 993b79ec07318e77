package org.mcvirt.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * Permissions through libvirt's polkit access driver on the lab, with users and a group the test makes on both nodes:
 * bob owns the web vm, carol is its user, alice is a superuser through the group in cluster.permissions.superusers.
 * Each runs virsh on the node as themselves (runuser). Setting the driver restarts libvirtd on both nodes while the web
 * vm runs (same qemu process after), root's plan and apply go on as before, bob keeps his access after a live
 * migration, a hand edit of the rules is drift, removing bob from the owners takes his access away, and removing
 * every permission gives back libvirtd.conf as it was and removes the rules.
 */
@Tag("lab")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabPermissionsIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "pm" + ID;
    private static final String WEB = "pm-web-" + ID;
    private static final String DB = "pm-db-" + ID;
    private static final String RESOURCE = "mcvirt_" + WEB + "_root";
    private static final String STATE = "/var/lib/mcvirt-" + CLUSTER;
    private static final String RULES = "/etc/polkit-1/rules.d/10-mcvirt-" + CLUSTER + ".rules";
    private static final String GROUP = "pmops";
    private static final String[] NODES = {"node1", "node2"};
    private static Path dir;
    private static Path nodes;
    private static Path manifest;
    private static String head;
    /** The web vm's node in the manifest: node2 after the live migration. */
    private static String webHome = "node1";
    private static final String[] CONF_SHA = new String[2];

    @BeforeAll
    static void usersOnBothNodesAndTheVmsWithoutPermissions() throws Exception {
        Lab.assertUp();
        dir = Files.createTempDirectory("mcvirt-lab-permissions");
        nodes = Lab.drbdNodesFor(dir, CLUSTER, STATE);
        manifest = dir.resolve("cluster.yaml");
        head = Lab.drbdCluster(CLUSTER, Lab.secretFile(dir, "Perm"));
        for (int i = 0; i < NODES.length; i++) {
            Lab.ssh(NODES[i], "sh", "-c", "'getent group " + GROUP + " >/dev/null || groupadd " + GROUP
                    + "; for u in alice bob carol; do id -u $u >/dev/null 2>&1 || useradd -m $u; done;"
                    + " usermod -aG " + GROUP + " alice'");
            CONF_SHA[i] = Lab.ssh(NODES[i], "sha256sum", "/etc/libvirt/libvirtd.conf").split(" ")[0];
        }
        write(null, "[]");
        Cli.Result created = mcvirt("apply", "--auto-approve");
        assertThat(created.exitCode()).as(created.toString()).isZero();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        try {
            Lab.destroyDrbdCluster(nodes, dir, CLUSTER, RESOURCE, STATE);
        } finally {
            for (String node : NODES) {
                // what a failed test may have left: the marked setting (libvirtd restarted only then) and the rules
                Lab.script("ssh", node, "sh", "-c", "'if grep -q \"^# mcvirt-access-driver: " + CLUSTER
                        + "$\" /etc/libvirt/libvirtd.conf; then sed -i \"/^# mcvirt-access-driver: " + CLUSTER
                        + "$/,+1d; s/^#mcvirt: //\" /etc/libvirt/libvirtd.conf && systemctl restart libvirtd; fi;"
                        + " rm -f " + RULES + "; for u in alice bob carol; do userdel -r $u 2>/dev/null; done;"
                        + " groupdel " + GROUP + " 2>/dev/null; true'");
            }
        }
    }

    /** The manifest: superusers (null: no cluster.permissions), the web vm's owners; carol is always its user. */
    private static void write(String superusers, String owners) throws Exception {
        boolean any = superusers != null || !owners.equals("[]");
        Files.writeString(manifest, head + (superusers == null ? "" : "  permissions: {superusers: " + superusers
                + "}\n") + """
                networks:
                  - {name: pmnet, nat: true, cidr: 192.168.157.0/24}
                vms:
                  - name: %s
                    node: %s
                    memory: 64MiB
                    state: running
                    disks: [{name: root, size: 16MiB, storage: vg0, replicated: true}]
                    nics: [{network: pmnet}]
                    owners: %s
                    users: %s
                  - name: %s
                    node: node1
                    memory: 32MiB
                    state: stopped
                """.formatted(WEB, webHome, owners, any ? "[carol]" : "[]", DB));
    }

    private static Cli.Result mcvirt(String... args) {
        return Lab.mcvirt(nodes, manifest, args);
    }

    /** virsh on the node as user (runuser, the user's own HOME), with its exit status and output. */
    private static Lab.Output as(String user, String node, String command) {
        return Lab.script("ssh", node, "runuser -u " + user + " -- env HOME=/home/" + user
                + " virsh -c qemu:///system " + command + " </dev/null");
    }

    private static String qemuPid(String node) {
        return Lab.script("ssh", node, "pgrep -f guest=" + WEB + ",").text().strip();
    }

    private static String webNode() {
        for (String node : NODES) {
            if (Lab.script("ssh", node, "virsh -c qemu:///system domstate " + WEB).text().contains("running")) {
                return node;
            }
        }
        throw new AssertionError(WEB + " runs on no node");
    }

    @Test
    @Order(1)
    void settingTheDriverRestartsLibvirtdOnceWhileTheVmKeepsRunningAndRootsPlanIsUnaffected() throws Exception {
        String pid = qemuPid("node1");
        assertThat(pid).as("the web vm runs on node1").matches("\\d+");
        write("[\"@" + GROUP + "\"]", "[bob]");
        Cli.Result plan = mcvirt("plan");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        for (String node : NODES) {
            assertThat(plan.out()).contains("node." + node + ".permissions", "write the polkit rules " + RULES
                    + " and set libvirtd's polkit access driver (restarts libvirtd)");
        }
        Cli.Result apply = mcvirt("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("libvirtd restarted, reconnected");
        assertThat(qemuPid("node1")).as("the vm's qemu survived the restart").isEqualTo(pid);
        for (String node : NODES) {
            assertThat(Lab.ssh(node, "stat", "-c", "%a:%U:%G", RULES).strip()).isEqualTo("644:root:root");
            assertThat(Lab.ssh(node, "grep", "-A1", "'^# mcvirt-access-driver: " + CLUSTER + "$'",
                    "/etc/libvirt/libvirtd.conf")).contains("access_drivers = [ \"polkit\" ]");
        }
        Cli.Result again = mcvirt("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as("root's plan reads every node as before: " + again).isZero();
        Cli.Result info = mcvirt("info");
        assertThat(info.exitCode()).as(info.toString()).isZero();
        assertThat(info.out()).contains("  permissions: polkit rules " + RULES + "; libvirtd's access driver polkit");
    }

    @Test
    @Order(2)
    void bobOwnsTheWebVmCarolUsesItAndAliceMayDoEverything() {
        assertThat(as("bob", "node1", "list --all --name").text()).contains(WEB).doesNotContain(DB);
        assertThat(as("bob", "node1", "destroy " + WEB).status()).isZero();
        Lab.Output started = as("bob", "node1", "start " + WEB);
        assertThat(started.status()).as(started.text()).isZero();
        // virsh console wants a terminal: script gives it one; it is killed after a few seconds
        Lab.Output console = Lab.script("ssh", "node1", "runuser -u bob -- env HOME=/home/bob timeout -s KILL 6"
                + " script -qec \"virsh -c qemu:///system console " + WEB + " --force\" /dev/null </dev/null");
        assertThat(console.text()).as("bob opens the vm's console").contains("Connected to domain");
        Lab.Output otherVm = as("bob", "node1", "start " + DB);
        assertThat(otherVm.status()).isNotZero();
        assertThat(otherVm.text()).contains("failed to get domain '" + DB + "'");
        Lab.Output undefine = as("bob", "node1", "undefine " + WEB);
        assertThat(undefine.status()).isNotZero();
        assertThat(undefine.text()).contains("access denied");

        assertThat(as("carol", "node1", "destroy " + WEB).status()).isZero();
        Lab.Output carolStarts = as("carol", "node1", "start " + WEB);
        assertThat(carolStarts.status()).as(carolStarts.text()).isZero();
        Lab.Output save = as("carol", "node1", "managedsave " + WEB);
        assertThat(save.status()).as("saving is the owners'").isNotZero();
        assertThat(save.text()).contains("access denied");
        assertThat(as("carol", "node1", "undefine " + WEB).text()).contains("access denied");
        assertThat(as("carol", "node1", "start " + DB).text()).contains("failed to get domain '" + DB + "'");

        Lab.Output alice = as("alice", "node1", "start " + DB);
        assertThat(alice.status()).as(alice.text()).isZero();
        assertThat(as("alice", "node1", "destroy " + DB).status()).isZero();
        assertThat(as("alice", "node1", "dumpxml " + WEB).text()).contains("<name>" + WEB + "</name>");
        Cli.Result plan = mcvirt("plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as("the vms are as the manifest says again: " + plan).isZero();
    }

    @Test
    @Order(3)
    void bobKeepsHisAccessAfterALiveMigration() {
        Cli.Result live = mcvirt("migrate", "--node", "node2", "--live", "--update-manifest", "--yes", WEB);
        assertThat(live.exitCode()).as(live.toString()).isZero();
        webHome = "node2";
        assertThat(webNode()).isEqualTo("node2");
        Lab.Output destroyed = as("bob", "node2", "destroy " + WEB);
        assertThat(destroyed.status()).as(destroyed.text()).isZero();
        Lab.Output started = as("bob", "node2", "start " + WEB);
        assertThat(started.status()).as(started.text()).isZero();
        assertThat(as("bob", "node2", "start " + DB).text()).contains("failed to get domain '" + DB + "'");
    }

    @Test
    @Order(4)
    void aHandEditIsDriftAndBobLosesHisAccessWhenHeIsNoLongerAnOwner() throws Exception {
        Lab.ssh("node1", "sh", "-c", "'echo \"// edited by hand\" >> " + RULES + "'");
        Cli.Result drift = mcvirt("plan", "--detailed-exitcode");
        assertThat(drift.exitCode()).as(drift.toString()).isEqualTo(2);
        assertThat(drift.out()).contains("node.node1.permissions").doesNotContain("node.node2.permissions")
                .doesNotContain("restarts libvirtd");
        write("[\"@" + GROUP + "\"]", "[]");
        Cli.Result apply = mcvirt("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).doesNotContain("libvirtd restarted");
        Lab.Output refused = as("bob", "node2", "destroy " + WEB);
        assertThat(refused.status()).isNotZero();
        // named nowhere now, bob cannot even connect: libvirt's default asks for an admin's password
        assertThat(refused.text()).contains("no polkit agent available to authenticate action"
                + " 'org.libvirt.unix.manage'");
        assertThat(as("carol", "node2", "domstate " + WEB).text()).contains("running");
        assertThat(Lab.ssh("node1", "cat", RULES)).doesNotContain("edited by hand");
        assertThat(mcvirt("plan", "--detailed-exitcode").exitCode()).isZero();
    }

    @Test
    @Order(5)
    void removingEveryPermissionGivesBackLibvirtdConfAndRemovesTheRules() throws Exception {
        String node = webNode();
        String pid = qemuPid(node);
        write(null, "[]");
        Cli.Result plan = mcvirt("plan");
        assertThat(plan.out()).contains("unset libvirtd's polkit access driver (restarts libvirtd) and remove the"
                + " polkit rules " + RULES);
        Cli.Result apply = mcvirt("apply", "--auto-approve");
        assertThat(apply.exitCode()).as("no --allow-destroy needed: " + apply).isZero();
        for (int i = 0; i < NODES.length; i++) {
            assertThat(Lab.script("ssh", NODES[i], "test", "-e", RULES).status()).isNotZero();
            assertThat(Lab.ssh(NODES[i], "sha256sum", "/etc/libvirt/libvirtd.conf").split(" ")[0])
                    .as("libvirtd.conf on %s as it was", NODES[i]).isEqualTo(CONF_SHA[i]);
        }
        assertThat(qemuPid(node)).isEqualTo(pid);
        assertThat(as("bob", node, "list --all").text()).contains("no polkit agent available");
        assertThat(mcvirt("plan", "--detailed-exitcode").exitCode()).isZero();
    }
}
