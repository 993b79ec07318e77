package org.mcvirt.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mcvirt.testing.Cli;
import org.mcvirt.testing.Virsh;

/**
 * The cluster lock with two real mcvirt processes on the local node: an apply that is busy holds it, a second
 * apply fails at once naming the first, and after kill -9 of the first the lock is reported stale and broken.
 */
@Tag("libvirt")
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class ClusterLockIT {
    private static final Virsh VIRSH = new Virsh("qemu:///system");
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "lk" + ID;
    private static final String VM = "lk-" + ID;

    /** The second test's cluster and its vm, whose apply loses its lock while it shuts the vm down. */
    private static final String LOST = "lkb" + ID;
    private static final String BUSY = "lkb-" + ID;

    @AfterAll
    static void cleanUp() {
        for (String vm : List.of(VM, BUSY)) {
            VIRSH.run("destroy", vm);
            VIRSH.run("undefine", vm);
        }
    }

    private static Path manifest(Path dir, String state) throws Exception {
        Path file = dir.resolve("cluster-" + state + ".yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: %s}
                nodes:
                  - name: here
                    local: true
                    libvirt: {uri: "qemu:///system", domainType: qemu}
                    paths: {state: %s}
                vms:
                  - {name: %s, node: here, memory: 64MiB, state: %s}
                """.formatted(CLUSTER, dir.resolve("state"), VM, state));
        return file;
    }

    private static Path lostManifest(Path dir, boolean later) throws Exception {
        Path file = dir.resolve(later ? "cluster-later.yaml" : "cluster-busy.yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: %s}
                nodes:
                  - name: here
                    local: true
                    libvirt: {uri: "qemu:///system", domainType: qemu}
                    paths: {state: %s}
                vms:
                  - {name: %s, node: here, memory: %s, state: %s}
                """.formatted(LOST, dir.resolve("state"), BUSY, later ? "96MiB" : "64MiB",
                later ? "stopped" : "running"));
        return file;
    }

    /**
     * An apply whose lock is broken (--force) while its shutdown step waits for the guest (the vm's new memory is
     * defined after it stops): the step in flight ends, the update of its definition after it is not run, and the apply fails naming
     * the node and its lock file; the lock it lost is not released
     * by it (there is none left to release) and the next apply completes the plan.
     */
    @Test
    void anApplyWhoseLockIsBrokenMidStepStartsNoFurtherStepAndFailsNamingTheNode() throws Exception {
        Path dir = Files.createTempDirectory("mcvirt-lock-lost");
        Path busy = lostManifest(dir, false);
        Path later = lostManifest(dir, true);
        assertThat(Cli.run("-f", busy.toString(), "apply", "--auto-approve").exitCode()).isZero();

        Process first = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "org.mcvirt.cli.Main", "-f", later.toString(), "apply",
                "--auto-approve", "--shutdown-timeout", "40")
                .redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile()).start();
        try {
            Path journal = dir.resolve("state/journal.jsonl");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
            while (!(Files.exists(journal) && Files.readString(journal).contains("\"SHUTDOWN_DOMAIN\""))) {
                assertThat(first.isAlive()).as("first apply ended early: %s", Files.exists(dir.resolve("first.log"))
                        ? Files.readString(dir.resolve("first.log")) : "").isTrue();
                assertThat(Instant.now()).as("first apply never started its shutdown step").isBefore(deadline);
                Thread.sleep(200);
            }
            long startedBeforeBreak = Files.readAllLines(journal).stream()
                    .filter(l -> l.contains("\"event\":\"started\"")).count();
            Cli.Result broken = Cli.run("-f", later.toString(), "lock", "break", "--force");
            assertThat(broken.exitCode()).as(broken.toString()).isZero();
            assertThat(broken.out()).contains("Broke the lock on: here");

            assertThat(first.waitFor(4, java.util.concurrent.TimeUnit.MINUTES)).as("first apply ended").isTrue();
            String log = Files.readString(dir.resolve("first.log"));
            assertThat(first.exitValue()).as(log).isEqualTo(1);
            assertThat(log).contains("the cluster lock on node here (" + dir.resolve("state/lock.json") + ")",
                    "is no longer held by this command", "The apply stopped", "update definition of domain " + BUSY + ": FAILED",
                    "not run: the cluster lock on node here");
            assertThat(Files.readAllLines(journal).stream().filter(l -> l.contains("\"event\":\"started\"")).count())
                    .as("no step started after the lock was broken").isEqualTo(startedBeforeBreak);
            assertThat(Cli.run("-f", later.toString(), "lock", "status").out()).isEqualTo("here: free\n");
        } finally {
            first.destroyForcibly();
        }
        Cli.Result rest = Cli.run("-f", later.toString(), "apply", "--auto-approve", "--shutdown-timeout", "1");
        assertThat(rest.exitCode()).as(rest.toString()).isZero();
        assertThat(Cli.run("-f", later.toString(), "plan", "--detailed-exitcode").exitCode()).isZero();
    }

    /**
     * A lock file without a host (as an old bug or a hand edit leaves it), with a journal that shows an apply stopped
     * part-way (so plan reads the lock): lock status, plan and lock break name the node and the file, none fails
     * with an internal error, and lock break removes it after "yes".
     */
    @Test
    void aLockFileWithoutAHostIsAClearMessageInLockStatusPlanAndLockBreak() throws Exception {
        Path dir = Files.createTempDirectory("mcvirt-lock-damaged");
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, """
                apiVersion: mcvirt/v1
                cluster: {name: lkd%s}
                nodes:
                  - name: here
                    local: true
                    libvirt: {uri: "qemu:///system", domainType: qemu}
                    paths: {state: %s}
                vms:
                  - {name: lkd-%s, node: here, memory: 64MiB, state: stopped}
                """.formatted(ID, dir.resolve("state"), ID));
        Files.createDirectories(dir.resolve("state"));
        Path lock = dir.resolve("state/lock.json");
        Files.writeString(lock, "{\"user\":\"root\",\"pid\":1,\"startedAt\":\"2026-12-01T00:00:00Z\",\"token\":\"t\"}\n");
        Files.writeString(dir.resolve("state/journal.jsonl"), "{\"time\":\"2026-12-01T00:00:01Z\",\"apply\":\"t\","
                + "\"event\":\"apply-started\",\"steps\":3,\"command\":\"mcvirt apply\"}\n");
        String damaged = "node here: the lock file " + lock + " is damaged: it has no 'host'";

        Cli.Result status = Cli.run("-f", manifest.toString(), "lock", "status");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(1);
        assertThat(status.out()).contains("here: unknown (" + damaged);
        Cli.Result plan = Cli.run("-f", manifest.toString(), "plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("an apply stopped part-way");
        assertThat(plan.out() + plan.err()).doesNotContain("NullPointerException", "Exception");
        Cli.Result apply = Cli.run("-f", manifest.toString(), "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(1);
        assertThat(apply.err()).contains("cannot take the cluster lock: " + damaged);

        Cli.Result broken = Cli.run(org.mcvirt.cli.Terminal.of(new java.io.BufferedReader(
                new java.io.StringReader("yes\n")), false), "-f", manifest.toString(), "lock", "break");
        assertThat(broken.exitCode()).as(broken.toString()).isZero();
        assertThat(broken.out()).contains(damaged, "Broke the lock on: here");
        assertThat(lock).doesNotExist();
    }

    @Test
    void aSecondApplyFailsAtOnceAndAKilledHoldersLockIsStaleAndCanBeBroken() throws Exception {
        Path dir = Files.createTempDirectory("mcvirt-lock");
        Path running = manifest(dir, "running");
        Path stopped = manifest(dir, "stopped");
        assertThat(Cli.run("-f", running.toString(), "apply", "--auto-approve").exitCode()).isZero();

        // the firmware-only guest ignores the ACPI shutdown request, so this apply stays busy for a minute
        Process first = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "org.mcvirt.cli.Main", "-f", stopped.toString(), "apply",
                "--auto-approve", "--shutdown-timeout", "120")
                .redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile()).start();
        try {
            Path journal = dir.resolve("state/journal.jsonl");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
            while (!(Files.exists(journal) && Files.readString(journal).contains("\"SHUTDOWN_DOMAIN\""))) {
                assertThat(first.isAlive()).as("first apply ended early: %s", Files.exists(dir.resolve("first.log"))
                        ? Files.readString(dir.resolve("first.log")) : "").isTrue();
                assertThat(Instant.now()).as("first apply never started its shutdown step").isBefore(deadline);
                Thread.sleep(200);
            }
            Cli.Result second = Cli.run("-f", stopped.toString(), "apply", "--auto-approve");
            assertThat(second.exitCode()).as(second.toString()).isEqualTo(1);
            assertThat(second.err()).contains("the cluster is locked by", "pid " + first.pid(),
                    "running 'mcvirt -f " + stopped + " apply --auto-approve --shutdown-timeout 120'", "active");

            Cli.Result active = Cli.run("-f", stopped.toString(), "lock", "status");
            assertThat(active.out()).contains("here: locked by", "active: its process " + first.pid() + " is running");
            Cli.Result refused = Cli.run("-f", stopped.toString(), "lock", "break");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains("no terminal to ask and --force not given");

            first.destroyForcibly().waitFor();
            Cli.Result stale = Cli.run("-f", stopped.toString(), "lock", "status");
            assertThat(stale.out()).contains("stale: its process " + first.pid() + " on this host is gone");
            assertThat(Files.exists(dir.resolve("state/lock.json"))).isTrue();

            Cli.Result declined = Cli.run(org.mcvirt.cli.Terminal.of(new java.io.BufferedReader(
                    new java.io.StringReader("no\n")), false), "-f", stopped.toString(), "lock", "break");
            assertThat(declined.exitCode()).isEqualTo(1);
            assertThat(declined.out()).contains("Break the lock on every node? Only 'yes' will be accepted:");
            assertThat(Files.exists(dir.resolve("state/lock.json"))).isTrue();
            // a stale lock is broken after "yes" at the terminal, without --force
            Cli.Result broken = Cli.run(org.mcvirt.cli.Terminal.of(new java.io.BufferedReader(
                    new java.io.StringReader("yes\n")), false), "-f", stopped.toString(), "lock", "break");
            assertThat(broken.exitCode()).as(broken.toString()).isZero();
            assertThat(broken.out()).contains("Broke the lock on: here");
            assertThat(Cli.run("-f", stopped.toString(), "lock", "status").out()).isEqualTo("here: free\n");
            assertThat(Files.readAllLines(journal)).anyMatch(l -> l.contains("\"event\":\"started\"")
                    && l.contains("SHUTDOWN_DOMAIN"));
            Cli.Result plan = Cli.run("-f", stopped.toString(), "plan", "--detailed-exitcode");
            assertThat(plan.exitCode()).as("the killed apply never finished: the change is still planned").isEqualTo(2);
        } finally {
            first.destroyForcibly();
        }
        assertThat(List.of(Cli.run("-f", stopped.toString(), "apply", "--auto-approve", "--shutdown-timeout", "1")
                .exitCode())).containsExactly(0);
    }
}
