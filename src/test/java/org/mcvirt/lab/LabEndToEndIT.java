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
import org.junit.jupiter.api.TestMethodOrder;
import org.mcvirt.testing.Cli;

/**
 * End to end on the two-node lab: real Debian guests reached over SSH (JSch, strict host keys) and libvirt
 * (qemu+libssh) inside them. Needs lab/up.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabEndToEndIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "e2e" + ID;
    private static final String WEB = "e2e-web-" + ID;
    private static final String DB = "e2e-db-" + ID;
    private static Path dir;

    @BeforeAll
    static void labIsUp() throws Exception {
        Lab.Output status = Lab.script("status");
        assertThat(status.status()).as("lab/status must be green (run lab/up):%n%s", status.text()).isZero();
        dir = Files.createTempDirectory("mcvirt-lab-e2e");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        Lab.monitor("node2", "cont");
        Cli.run("-f", Lab.NODES.toString(), "-f", manifest("").toString(), "lock", "break", "--force");
        Cli.Result destroyed = Cli.run("-f", Lab.NODES.toString(), "-f", manifest("").toString(), "apply",
                "--auto-approve", "--allow-destroy", "--shutdown-timeout", "1");
        assertThat(destroyed.exitCode()).as(destroyed.toString()).isZero();
        for (String node : new String[] {"node1", "node2"}) {
            Lab.script("ssh", node, "sh", "-c", "for p in $(virsh -c qemu:///system pool-list --all --name | grep '^mcvirt."
                    + CLUSTER + "\\.'); do virsh -c qemu:///system pool-destroy $p; virsh -c qemu:///system pool-undefine $p;"
                    + " done; rm -f /var/lib/mcvirt/lock.json");
        }
    }

    private static Path manifest(String vms) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: %s}
                networks:
                  - {name: labnet, nat: true, cidr: 192.168.150.0/24}
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
        all[1] = Lab.NODES.toString();
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
                System.getProperty("java.class.path"), "org.mcvirt.cli.Main", "-f", Lab.NODES.toString(), "-f",
                stop.toString(), "apply", "--auto-approve", "--shutdown-timeout", "300")
                .redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile()).start();
        try {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
            while (!Files.readString(dir.resolve("first.log")).contains("shut down domain " + WEB + " ...")) {
                assertThat(first.isAlive()).as("first apply ended: %s", Files.readString(dir.resolve("first.log"))).isTrue();
                assertThat(Instant.now()).as("first apply never reached its shutdown step").isBefore(deadline);
                Thread.sleep(250);
            }
            Instant start = Instant.now();
            Cli.Result second = mcvirt(stop, "apply", "--auto-approve");
            assertThat(second.exitCode()).as(second.toString()).isEqualTo(1);
            assertThat(second.err()).contains("the cluster is locked by", "pid " + first.pid(), "(lock on node node1)");
            assertThat(Duration.between(start, Instant.now())).as("fails at once, does not wait").isLessThan(Duration.ofSeconds(60));

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
        Path nodes = dir.resolve("nodes-changed.yaml");
        Files.writeString(nodes, Files.readString(Lab.NODES).replace("port: 2222, identityFile:", "port: 2222, identityFile:")
                .replaceAll("(port: 2222, identityFile: [^,]+, knownHosts: )[^}]+", "$1" + knownHosts));
        Cli.Result plan = Cli.run("-f", nodes.toString(), "-f", manifest(vms("running")).toString(), "plan");
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
        Path nodes = dir.resolve("nodes-copy.yaml");
        Files.copy(Lab.NODES, nodes);
        Path onlyWeb = dir.resolve("only-web.yaml");
        Files.writeString(onlyWeb, Files.readString(manifest(vms("running"))).lines().filter(l -> !l.contains(DB))
                .reduce("", (a, b) -> a + b + "\n"));
        Cli.Result living = Cli.run("-f", nodes.toString(), "-f", onlyWeb.toString(), "cluster", "remove-node", "--node",
                "node2");
        assertThat(living.exitCode()).as(living.toString()).isEqualTo(1);
        assertThat(living.err()).contains("vms of this cluster still live on node node2: " + DB);
        assertThat(Files.readString(nodes)).isEqualTo(Files.readString(Lab.NODES));
    }
}
