package org.mcvirt.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.TestMethodOrder;
import org.mcvirt.testing.Cli;

/**
 * End to end on the two-node lab: real Debian guests reached over SSH (JSch, strict host keys) and libvirt
 * (qemu+libssh) inside them. Needs lab/up.
 */
@Tag("lab")
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabEndToEndIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "e2e" + ID;
    private static final String WEB = "e2e-web-" + ID;
    private static final String DB = "e2e-db-" + ID;
    private static Path dir;
    private static Path nodes;

    @BeforeAll
    static void labIsUp() throws Exception {
        Lab.assertUp();
        dir = Files.createTempDirectory("mcvirt-lab-e2e");
        nodes = Lab.nodesFor(dir, CLUSTER);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        Lab.destroyCluster(nodes, dir, CLUSTER);
    }

    private static Path manifest(String vms) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: %s}
                networks:
                  - {name: labnet, nat: true, cidr: 192.168.152.0/24}
                vms:%s
                """.formatted(CLUSTER, vms.isEmpty() ? " []" : "\n" + vms));
        return file;
    }

    private static String vms(String webState) {
        return """
                  - {name: %s, node: node1, memory: 64MiB, state: %s, disks: [{name: root, size: 16MiB, storage: images}], nics: [{network: labnet}]}
                  - {name: %s, node: node2, memory: 64MiB, state: running, disks: [{name: root, size: 16MiB, storage: images}], nics: [{network: labnet}]}
                """.formatted(WEB, webState, DB);
    }

    private static Cli.Result mcvirt(Path manifest, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "-f";
        all[1] = nodes.toString();
        all[2] = "-f";
        all[3] = manifest.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return Cli.run(all);
    }

    @Test
    @Order(1)
    void applyDefinesAndStartsAVmOnEachNodeAndTheNextPlanIsEmpty() throws Exception {
        Path file = manifest(vms("running"));
        Cli.Result apply = mcvirt(file, "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("node1: start domain " + WEB + ": done", "node2: start domain " + DB + ": done");
        assertThat(Lab.ssh("node1", "virsh", "-c", "qemu:///system", "domstate", WEB)).contains("running");
        assertThat(Lab.ssh("node2", "virsh", "-c", "qemu:///system", "domstate", DB)).contains("running");

        Cli.Result plan = mcvirt(file, "plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).isEqualTo("No changes. The cluster matches the manifest.\n");

        Cli.Result info = mcvirt(file, "info");
        assertThat(info.exitCode()).as(info.toString()).isZero();
        assertThat(info.out()).contains("node node1 (127.0.0.1:2221): reachable", "node node2 (127.0.0.1:2222): reachable",
                "drbd kernel 8.4.11", "libvirt 9.0.0, QEMU 7.2");
        Cli.Result list = mcvirt(file, "list");
        assertThat(list.out()).containsPattern(WEB + "\\s+node1\\s+running").containsPattern(DB + "\\s+node2\\s+running");
        assertThat(Lab.ssh("node1", "cat", "/var/lib/mcvirt/journal.jsonl")).contains("\"START_DOMAIN\"", "\"done\"");
    }

    @Test
    @Order(2)
    void aSecondApplyFailsAtOnceAndAKilledApplysLockIsStaleAndBroken() throws Exception {
        Path stop = manifest(vms("stopped"));
        Process first = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "org.mcvirt.cli.Main", "-f", nodes.toString(), "-f",
                stop.toString(), "apply", "--auto-approve", "--shutdown-timeout", "300")
                .redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile()).start();
        try {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
            while (!Files.readString(dir.resolve("first.log")).contains("shut down domain " + WEB + " ...")) {
                assertThat(first.isAlive()).as("first apply ended: %s", Files.readString(dir.resolve("first.log"))).isTrue();
                assertThat(Instant.now()).as("first apply never reached its shutdown step").isBefore(deadline);
                Thread.sleep(250);
            }
            Cli.Result second = mcvirt(stop, "apply", "--auto-approve");
            assertThat(second.exitCode()).as(second.toString()).isEqualTo(1);
            assertThat(second.err()).contains("the cluster is locked by", "pid " + first.pid(), "(lock on node node1)");
            // it did not wait for the lock: the first apply still holds it (its shutdown waits up to 300 s for a guest
            // that ignores it). How long the refusal takes is bench/lock-refusal.sh's measure (BENCHMARKS.md).
            assertThat(first.isAlive()).as("the first apply still runs: %s", Files.readString(dir.resolve("first.log")))
                    .isTrue();
            assertThat(mcvirt(stop, "lock", "status").out()).contains("node1: locked by").doesNotContain("stale");

            first.destroyForcibly().waitFor();
            Cli.Result status = mcvirt(stop, "lock", "status");
            assertThat(status.out()).contains("node1: locked by", "node2: locked by",
                    "stale: its process " + first.pid() + " on this host is gone");
            Cli.Result broken = mcvirt(stop, "lock", "break", "--force");
            assertThat(broken.out()).contains("Broke the lock on: node1, node2");
            assertThat(mcvirt(stop, "lock", "status").out()).isEqualTo("node1: free\nnode2: free\n");
        } finally {
            first.destroyForcibly();
        }
    }

    @Test
    @Order(3)
    void aChangedHostKeyIsRefusedWithItsFingerprint() throws Exception {
        Path keys = dir.resolve("other");
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.toString()).start().waitFor();
        String otherKey = Files.readString(Path.of(keys + ".pub")).split(" ")[1];
        Path knownHosts = dir.resolve("known_hosts_changed");
        Files.writeString(knownHosts, Files.readString(Lab.KNOWN_HOSTS).lines()
                .map(l -> l.startsWith("[127.0.0.1]:2222 ") ? "[127.0.0.1]:2222 ssh-ed25519 " + otherKey : l)
                .reduce("", (a, b) -> a + b + "\n"));
        Path changedNodes = dir.resolve("nodes-changed.yaml");
        Files.writeString(changedNodes, Files.readString(nodes)
                .replaceAll("(port: 2222, identityFile: [^,]+, knownHosts: )[^}]+", "$1" + knownHosts));
        Cli.Result plan = Cli.run("-f", changedNodes.toString(), "-f", manifest(vms("running")).toString(), "plan");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
        String expected = Lab.script("ssh", "node2", "ssh-keygen", "-lf", "/etc/ssh/ssh_host_ed25519_key.pub").text()
                .split(" ")[1];
        assertThat(plan.out()).contains("node node2 could not be read", "does not match", expected, "Refusing to connect");
    }

    @Test
    @Order(4)
    void aFrozenNodeIsUnreachableAndTheOtherIsStillShown() throws Exception {
        Path file = manifest(vms("running"));
        Lab.monitor("node2", "stop");
        try {
            Cli.Result info = mcvirt(file, "info");
            assertThat(info.exitCode()).as(info.toString()).isEqualTo(1);
            assertThat(info.out()).contains("node node1 (127.0.0.1:2221): reachable", "node node2 (127.0.0.1:2222): UNREACHABLE");
            Cli.Result plan = mcvirt(file, "plan", "--detailed-exitcode");
            assertThat(plan.exitCode()).isEqualTo(1);
            assertThat(plan.out()).contains("node node2 could not be read, so its networks, storage and vms " + DB
                    + " cannot be planned");
            Cli.Result list = mcvirt(file, "list");
            assertThat(list.exitCode()).isEqualTo(1);
            assertThat(list.out()).containsPattern(WEB + "\\s+node1").contains("node2        UNREACHABLE");
        } finally {
            Lab.monitor("node2", "cont");
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (mcvirt(file, "plan", "--detailed-exitcode").exitCode() != 0) {
            assertThat(Instant.now()).as("node2 answers again after cont").isBefore(deadline);
            Thread.sleep(1000);
        }
    }

    @Test
    @Order(5)
    void removeNodeRefusesWhileVmsLiveThere() throws Exception {
        Cli.Result inManifest = mcvirt(manifest(vms("running")), "cluster", "remove-node", "--node", "node2");
        assertThat(inManifest.exitCode()).isEqualTo(1);
        assertThat(inManifest.err()).contains("node node2 still has vms in the manifest: " + DB);
        Path nodesCopy = dir.resolve("nodes-copy.yaml");
        Files.copy(nodes, nodesCopy);
        Path onlyWeb = dir.resolve("only-web.yaml");
        Files.writeString(onlyWeb, Files.readString(manifest(vms("running"))).lines().filter(l -> !l.contains(DB))
                .reduce("", (a, b) -> a + b + "\n"));
        Cli.Result living = Cli.run("-f", nodesCopy.toString(), "-f", onlyWeb.toString(), "cluster", "remove-node", "--node",
                "node2");
        assertThat(living.exitCode()).as(living.toString()).isEqualTo(1);
        assertThat(living.err()).contains("vms of this cluster still live on node node2: " + DB);
        assertThat(Files.readString(nodesCopy)).isEqualTo(Files.readString(nodes));
    }

    @Test
    @Order(6)
    void addNodeShowsTheHostKeyInstallsTheKeyWithOnePasswordLoginAndEditsTheManifest() throws Exception {
        // a login with a password exists only for this test: user enrol on node2
        Lab.ssh("node2", "sh", "-c", "'id enrol >/dev/null 2>&1 || useradd -m -G libvirt enrol; echo enrol:Secret-123 | chpasswd;"
                + " printf \"Match User enrol\\n  PasswordAuthentication yes\\n\" > /etc/ssh/sshd_config.d/zz-enrol.conf;"
                + " systemctl reload ssh'");
        Lab.awaitSsh("node2");
        try {
            String nodesText = Files.readString(nodes);
            Path oneNode = dir.resolve("one-node.yaml");
            Files.writeString(oneNode, nodesText.substring(0, nodesText.indexOf("  - name: node2")));
            Path empty = dir.resolve("no-vms.yaml");
            Files.writeString(empty, "apiVersion: mcvirt/v1\ncluster: {name: " + CLUSTER + "}\nvms: []\n");
            Path key = dir.resolve("mcvirt_ed25519");
            new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()).start().waitFor();
            Path knownHosts = dir.resolve("enrol_known_hosts");
            String fingerprint = Lab.script("ssh", "node2", "ssh-keygen", "-lf", "/etc/ssh/ssh_host_ed25519_key.pub").text()
                    .split(" ")[1];
            String[] add = {"-f", oneNode.toString(), "-f", empty.toString(), "cluster", "add-node", "--node", "node2",
                "--ip-address", "127.0.0.1", "--ssh-port", "2222", "--ssh-user", "enrol", "--identity-file", key.toString(),
                "--known-hosts", knownHosts.toString(), "--password-stdin"};

            Cli.Result unconfirmed = Cli.run(org.mcvirt.cli.Terminal.withStandardInput(new java.io.BufferedReader(
                    new java.io.StringReader("Secret-123\n"))), add);
            assertThat(unconfirmed.exitCode()).as(unconfirmed.toString()).isEqualTo(1);
            assertThat(unconfirmed.out()).contains("The host key of node2 (127.0.0.1:2222) is ssh-ed25519 " + fingerprint);
            assertThat(unconfirmed.err()).contains("no terminal to confirm the host key", "nothing was changed");
            assertThat(Files.exists(knownHosts)).isFalse();

            String[] wrong = java.util.Arrays.copyOf(add, add.length + 2);
            wrong[add.length] = "--host-key-fingerprint";
            wrong[add.length + 1] = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
            Cli.Result mismatch = Cli.run(org.mcvirt.cli.Terminal.withStandardInput(new java.io.BufferedReader(
                    new java.io.StringReader("Secret-123\n"))), wrong);
            assertThat(mismatch.exitCode()).isEqualTo(1);
            assertThat(mismatch.err()).contains("offers host key ssh-ed25519 " + fingerprint + ", not the expected");

            String[] right = java.util.Arrays.copyOf(add, add.length + 2);
            right[add.length] = "--host-key-fingerprint";
            right[add.length + 1] = fingerprint;
            Cli.Result badPassword = Cli.run(org.mcvirt.cli.Terminal.withStandardInput(new java.io.BufferedReader(
                    new java.io.StringReader("wrong\n"))), right);
            assertThat(badPassword.exitCode()).isEqualTo(1);
            assertThat(badPassword.err()).contains("password login as enrol failed");

            // at a terminal: the operator accepts the shown key with "yes" and types the password
            String[] interactive = java.util.Arrays.copyOf(add, add.length - 1);
            Cli.Result collides = Cli.run(org.mcvirt.cli.Terminal.of(new java.io.BufferedReader(
                    new java.io.StringReader("yes\nSecret-123\n")), false), interactive);
            assertThat(collides.out()).contains("The host key of node2 (127.0.0.1:2222) is ssh-ed25519 " + fingerprint,
                    "Is this the key of that node", "Password for enrol@127.0.0.1:2222: ");
            assertThat(collides.exitCode()).as(collides.toString()).isEqualTo(1);
            assertThat(collides.err()).contains("node node2 already has domains that would collide with this cluster's"
                    + " vms: " + DB, "The node was not added.");
            assertThat(Files.readString(oneNode)).doesNotContain("node2");

            // another cluster has no vm on node2: it may take the node
            Files.writeString(empty, "apiVersion: mcvirt/v1\ncluster: {name: other" + ID + "}\nvms: []\n");
            Cli.Result added = Cli.run(org.mcvirt.cli.Terminal.withStandardInput(new java.io.BufferedReader(
                    new java.io.StringReader("Secret-123\n"))), right);
            assertThat(added.exitCode()).as(added.toString()).isZero();
            assertThat(added.out()).contains("installed " + key + ".pub in enrol's authorized_keys on node2",
                    "recorded host key ssh-ed25519 " + fingerprint + " in " + knownHosts, "added node node2 to " + oneNode);
            assertThat(Files.readString(knownHosts)).startsWith("[127.0.0.1]:2222 ssh-ed25519 ");
            assertThat(Files.readString(oneNode)).startsWith(nodesText.substring(0, nodesText.indexOf("  - name: node2")))
                    .contains("  - name: \"node2\"\n    address: \"127.0.0.1\"\n    ssh: {user: \"enrol\", port: 2222,"
                            + " identityFile: \"" + key);
            Cli.Result info = Cli.run("-f", oneNode.toString(), "-f", empty.toString(), "info");
            assertThat(info.exitCode()).as(info.toString()).isZero();
            assertThat(info.out()).contains("node node2 (127.0.0.1:2222): reachable");
        } finally {
            Lab.awaitSsh("node2");
            Lab.ssh("node2", "sh", "-c", "'rm -f /etc/ssh/sshd_config.d/zz-enrol.conf; systemctl reload ssh;"
                    + " pkill -KILL -u enrol; sleep 1; userdel -r -f enrol'");
            Lab.awaitSsh("node2");
        }
    }
}
