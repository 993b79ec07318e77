package org.mcvirt.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.mcvirt.testing.Cli;

/**
 * A node that freezes after mcvirt's connections to it are open (QEMU's monitor 'stop' on the lab guest: the TCP
 * connections stay up, nothing answers). mcvirt runs as a separate process, as an operator runs it, so the test sees
 * that it reports the node and ends by itself, and that no thread stuck on the frozen node keeps the JVM alive.
 */
@Tag("lab")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabDeadlinesIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "dl" + ID;
    private static final String A = "dl-a-" + ID;
    private static final String B = "dl-b-" + ID;
    private static final String C = "dl-c-" + ID;
    // long enough that connecting to a TCG guest on a busy machine never passes it; keepalive detects a freeze in
    // about this long
    private static final int NODE_TIMEOUT = 20;
    /** How long past its deadlines mcvirt may take to end: JVM start-up, connecting, the other node. */
    private static final Duration SLACK = Duration.ofSeconds(60);
    private static Path dir;
    private static Path nodes;

    @BeforeAll
    static void labIsUp() throws Exception {
        Lab.assertUp();
        dir = Files.createTempDirectory("mcvirt-lab-deadlines");
        nodes = Lab.nodesFor(dir, CLUSTER);
        Cli.Result apply = Cli.run("-f", nodes.toString(), "-f", manifest("running", "running", false).toString(),
                "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
    }

    @AfterEach
    void thawNode2() throws Exception {
        Lab.monitor("node2", "cont");
        Lab.awaitSsh("node2");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        Lab.destroyCluster(nodes, dir, CLUSTER);
    }

    /** A on node1; B and C on node2, in the given states; with extra, one more vm on node1 to create. */
    private static Path manifest(String bState, String cState, boolean extra) throws IOException {
        Path file = dir.resolve("cluster-" + bState + "-" + cState + "-" + extra + ".yaml");
        String vm = "  - {name: %s, node: %s, memory: 64MiB, state: %s, disks: [{name: root, size: 16MiB, storage: images}],"
                + " nics: [{network: dlnet}]}\n";
        Files.writeString(file, "apiVersion: mcvirt/v1\ncluster: {name: " + CLUSTER + "}\nnetworks:\n"
                + "  - {name: dlnet, nat: true, cidr: 192.168.153.0/24}\nvms:\n"
                + vm.formatted(A, "node1", "running") + vm.formatted(B, "node2", bState)
                + vm.formatted(C, "node2", cState) + (extra ? vm.formatted("dl-new-" + ID, "node1", "stopped") : ""));
        return file;
    }

    /** mcvirt in a JVM of its own, as an operator runs it. */
    private static Process start(Path log, String pause, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.mcvirt.cli.Main", "--node-timeout",
                String.valueOf(NODE_TIMEOUT), "-f", nodes.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        if (pause != null) {
            builder.environment().put("MCVIRT_TEST_PAUSE", pause);
        }
        return builder.start();
    }

    private static void awaitLine(Process process, Path log, String line) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (!Files.readString(log).contains(line)) {
            assertThat(process.isAlive()).as("mcvirt ended before '%s':%n%s", line, Files.readString(log)).isTrue();
            assertThat(Instant.now()).as("mcvirt never printed '%s':%n%s", line, Files.readString(log)).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    /** Waits for mcvirt to end by itself within its deadline plus the slack; kills it and fails otherwise. */
    private static String awaitEnd(Process process, Path log, Duration deadline) throws Exception {
        boolean ended = process.waitFor(deadline.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);
        String output = Files.readString(log);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        assertThat(ended).as("mcvirt was still running %s after node2 froze:%n%s", deadline.plus(SLACK), output).isTrue();
        return output;
    }

    @Test
    @Order(1)
    void aNodeFrozenDuringTheReadIsReportedAndTheOtherNodeIsStillPlanned() throws Exception {
        Path log = dir.resolve("read.log");
        Path hold = dir.resolve("hold");
        Files.writeString(hold, "mcvirt waits while this file exists\n");
        Process plan = start(log, "after-connect=" + hold, "-f", manifest("running", "running", true).toString(), "plan");
        try {
            awaitLine(plan, log, "mcvirt: test pause at after-connect");
            Lab.monitor("node2", "stop"); // the connections are open and nothing is read yet
            Files.delete(hold); // now mcvirt reads both nodes
            String output = awaitEnd(plan, log, Duration.ofSeconds(NODE_TIMEOUT));
            assertThat(plan.exitValue()).as(output).isEqualTo(1);
            assertThat(output).contains("node node2 could not be read, so its networks, storage and vms " + B + ", " + C
                    + " cannot be planned: stopped answering")
                    .containsPattern("stopped answering: (cannot \\S+.* \\(waited [0-9.]+s\\)|reading the node did not"
                            + " finish within " + NODE_TIMEOUT + "s)")
                    .contains("vm.dl-new-" + ID + " on node node1 will be created");
        } finally {
            plan.destroyForcibly();
        }
    }

    @Test
    @Order(2)
    void aNodeFrozenDuringAnApplyStepStopsThatNodeOnlyAndTheApplyEnds() throws Exception {
        Path log = dir.resolve("apply.log");
        // B and C stop: two shutdown steps on node2, one at a time (--parallelism 1: shutdowns of different vms would
        // otherwise overlap there); the guests ignore ACPI, so the first waits
        Process apply = start(log, null, "-f", manifest("stopped", "stopped", false).toString(), "apply",
                "--auto-approve", "--parallelism", "1", "--shutdown-timeout", "300", "--step-timeout",
                String.valueOf(NODE_TIMEOUT));
        try {
            awaitLine(apply, log, "node2: shut down domain ");
            Thread.sleep(500);
            Lab.monitor("node2", "stop");
            String output = awaitEnd(apply, log, Duration.ofSeconds(NODE_TIMEOUT * 2L));
            assertThat(apply.exitValue()).as(output).isEqualTo(1);
            assertThat(output).containsPattern("node2: shut down domain dl-[bc]-" + ID + ": FAILED \\([0-9.]+s\\): node"
                    + " node2: stopped answering")
                    .containsPattern("node2: shut down domain dl-[bc]-" + ID + ": not run: node node2 stopped answering"
                            + " during step [0-9]+")
                    .contains("Apply incomplete: 0 done, 1 failed, 1 skipped.",
                            "Node node2 stopped answering; no further step ran there",
                            "The cluster lock is left on node2");
        } finally {
            apply.destroyForcibly();
        }
        Lab.monitor("node2", "cont");
        Lab.awaitSsh("node2");
        // node1's lock was released; node2's is left, held by a process that is gone
        Cli.Result status = Cli.run("-f", nodes.toString(), "-f", manifest("running", "running", false).toString(),
                "lock", "status");
        assertThat(status.out()).contains("node1: free", "node2: locked by", "stale");
    }
}
