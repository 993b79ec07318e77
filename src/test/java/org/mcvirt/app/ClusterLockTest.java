package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcvirt.apply.ApplyListener;
import org.mcvirt.apply.Executor;
import org.mcvirt.apply.JournalingStepRunner;
import org.mcvirt.apply.StepOutcome;
import org.mcvirt.node.ssh.LocalTransport;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Step;
import org.mcvirt.plan.StepPayload;

/**
 * The cluster lock on two nodes whose state directories are temporary directories here, reached through the local
 * transport (the node scripts run in the local sh): its heartbeat, when a holder is stale, what lock break removes,
 * damaged lock files, and an apply that loses its lock between two steps.
 */
class ClusterLockTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ELSEWHERE = "controller.elsewhere.invalid";

    @TempDir
    Path directory;
    private LockNodes nodes;

    @BeforeEach
    void twoNodes() {
        Map<String, NodeTransport> transports = Map.of("n1", new LocalTransport("n1", Duration.ofSeconds(30)),
                "n2", new LocalTransport("n2", Duration.ofSeconds(30)));
        nodes = new LockNodes() {
            @Override
            public List<String> names() {
                return List.of("n1", "n2");
            }

            @Override
            public String stateDirectory(String node) {
                return directory.resolve(node).toString();
            }

            @Override
            public NodeTransport transport(String node) {
                return transports.get(node);
            }
        };
    }

    private Path lockFile(String node) {
        return Path.of(nodes.lockFile(node));
    }

    private void writeLock(String node, String text) throws Exception {
        Files.createDirectories(lockFile(node).getParent());
        Files.writeString(lockFile(node), text);
    }

    /** A lock file as another controller writes it. */
    private static String holder(String token, Instant started, Instant heartbeat) {
        return "{\"host\":\"" + ELSEWHERE + "\",\"user\":\"ci\",\"pid\":4242,\"processStart\":\"x\",\"command\":"
                + "\"mcvirt apply\",\"startedAt\":\"" + started + "\",\"token\":\"" + token + "\",\"heartbeat\":\""
                + heartbeat + "\",\"heartbeatSeconds\":30}\n";
    }

    private ClusterLock.NodeLock status(String node) {
        return ClusterLock.status(nodes).stream().filter(l -> l.node().equals(node)).findFirst().orElseThrow();
    }

    @Test
    void aLiveHolderOnAnotherHostIsActiveAfterHoursWhileItsHeartbeatIsFresh() throws Exception {
        Instant now = Instant.now();
        writeLock("n1", holder("t-live", now.minus(Duration.ofHours(3)), now.minusSeconds(5)));
        ClusterLock.NodeLock n1 = status("n1");
        assertThat(n1.error()).isNull();
        assertThat(n1.state()).startsWith("active");
        assertThat(ClusterLock.isActive(n1.holder())).as("a three-hour sync with a fresh heartbeat").isTrue();
    }

    @Test
    void aHolderOnThisHostIsActiveWhileItsProcessRunsEvenIfItsStartReadsASecondApartAndStaleOnceItIsGone()
            throws Exception {
        ProcessHandle me = ProcessHandle.current();
        Instant start = me.info().startInstant().orElseThrow();
        Instant now = Instant.now();
        ClusterLock.Holder running = new ClusterLock.Holder("this-host", "u", me.pid(), start.plusSeconds(1).toString(),
                "mcvirt apply", now.toString(), "t", now.toString(), 30);
        assertThat(LockFile.state(running, now, "this-host")).as("the boot time moved by a second")
                .startsWith("active: its process " + me.pid());
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        ClusterLock.Holder gone = new ClusterLock.Holder("this-host", "u", ended.pid(), start.toString(),
                "mcvirt apply", now.toString(), "t", now.toString(), 30);
        assertThat(LockFile.state(gone, now, "this-host")).startsWith("stale: its process " + ended.pid());
        ClusterLock.Holder silent = new ClusterLock.Holder("this-host", "u", me.pid(), start.toString(),
                "mcvirt apply", now.toString(), "t", now.minus(Duration.ofMinutes(5)).toString(), 30);
        assertThat(LockFile.state(silent, now, "this-host")).as("running, but no heartbeat for 4 intervals")
                .startsWith("stale: its process " + me.pid() + " on this host is running but has not renewed");
    }

    @Test
    void aHolderOnThisHostIsJudgedByItsStartInTicksWhenItHasOneSoAClockStepDoesNotMakeItStale() throws Exception {
        ProcessHandle me = ProcessHandle.current();
        long ticks = LockFile.startTicks(me.pid());
        assertThat(ticks).as("this test runs on Linux with /proc").isPositive();
        Instant now = Instant.now();
        // the recorded start an hour off, as after a wall-clock step between the lock and the check
        String stepped = me.info().startInstant().orElseThrow().minus(Duration.ofHours(1)).toString();
        ClusterLock.Holder running = new ClusterLock.Holder("this-host", "u", me.pid(), stepped, "mcvirt apply",
                now.toString(), "t", now.toString(), 30, ticks);
        assertThat(LockFile.state(running, now, "this-host")).startsWith("active: its process " + me.pid());
        ClusterLock.Holder reused = new ClusterLock.Holder("this-host", "u", me.pid(),
                me.info().startInstant().orElseThrow().toString(), "mcvirt apply", now.toString(), "t",
                now.toString(), 30, ticks + 1);
        assertThat(LockFile.state(reused, now, "this-host")).as("another process under the same pid")
                .startsWith("stale: its process " + me.pid() + " on this host is gone");
        // written and read back with the lock file
        String json = LockFile.write(running);
        assertThat(json).contains("\"processStartTicks\":" + ticks);
        assertThat(LockFile.parse("n1", "/var/lib/mcvirt/lock.json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo(running);
        assertThat(LockFile.write(new ClusterLock.Holder("h", "u", 1, "", "c", now.toString(), "t", null, 30)))
                .doesNotContain("processStartTicks");
    }

    @Test
    void aDeadHolderOnAnotherHostIsStaleAfterItsHeartbeatsStopAndLockBreakRemovesIt() throws Exception {
        Instant now = Instant.now();
        writeLock("n1", holder("t-dead", now.minus(Duration.ofMinutes(20)), now.minus(Duration.ofMinutes(10))));
        writeLock("n2", holder("t-dead", now.minus(Duration.ofMinutes(20)), now.minus(Duration.ofMinutes(10))));
        List<ClusterLock.NodeLock> shown = ClusterLock.status(nodes);
        assertThat(shown).extracting(ClusterLock.NodeLock::state).allMatch(s -> s.startsWith("stale"), "stale");
        assertThat(shown).noneMatch(l -> ClusterLock.isActive(l.holder()));
        ClusterLock.Broken broken = LockBreak.breakLock(nodes, shown);
        assertThat(broken.broken()).containsExactly("n1", "n2");
        assertThat(broken.left()).isEmpty();
        assertThat(lockFile("n1")).doesNotExist();
        assertThat(lockFile("n2")).doesNotExist();
    }

    @Test
    void theHolderRenewsItsHeartbeatOnEveryNodeKeepingItsToken() throws Exception {
        try (ClusterLock lock = ClusterLock.acquire(nodes, "mcvirt apply", false)) {
            String token = lock.holder().token();
            // as if the holder's last heartbeat was long ago: one renewal makes it fresh again
            for (String node : nodes.names()) {
                String old = Files.readString(lockFile(node)).replaceAll("\"heartbeat\":\"[^\"]*\"",
                        "\"heartbeat\":\"" + Instant.now().minus(Duration.ofHours(2)) + "\"");
                Files.writeString(lockFile(node), old);
                assertThat(status(node).state()).as("before the renewal").doesNotStartWith("active");
            }
            lock.renew();
            for (String node : nodes.names()) {
                JsonNode written = JSON.readTree(lockFile(node).toFile());
                assertThat(written.get("token").asText()).isEqualTo(token);
                assertThat(Duration.between(Instant.parse(written.get("heartbeat").asText()), Instant.now()))
                        .isLessThan(Duration.ofMinutes(1));
                assertThat(status(node).state()).startsWith("active");
            }
            assertThat(lock.lost()).isEmpty();
        }
        assertThat(lockFile("n1")).doesNotExist();
    }

    @Test
    void aRenewalNeverOverwritesAnotherHoldersLock() throws Exception {
        try (ClusterLock lock = ClusterLock.acquire(nodes, "mcvirt apply", false)) {
            String other = holder("t-other", Instant.now(), Instant.now());
            writeLock("n2", other);
            lock.renew();
            assertThat(Files.readString(lockFile("n2"))).isEqualTo(other);
            assertThat(lock.lost()).get().asString().contains("node n2", lockFile("n2").toString());
        }
        assertThat(lockFile("n2")).as("close releases only its own lock").exists();
    }

    @Test
    void lockBreakRemovesOnlyTheLockItShowed() throws Exception {
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        writeLock("n1", holder("t-shown", longAgo, longAgo));
        writeLock("n2", holder("t-shown", longAgo, longAgo));
        List<ClusterLock.NodeLock> shown = ClusterLock.status(nodes);
        // meanwhile the stale lock on n2 was broken and a new apply took it
        String newer = holder("t-newer", Instant.now(), Instant.now());
        writeLock("n2", newer);
        ClusterLock.Broken broken = LockBreak.breakLock(nodes, shown);
        assertThat(broken.broken()).containsExactly("n1");
        assertThat(broken.left()).containsOnlyKeys("n2");
        assertThat(broken.left().get("n2")).contains("changed since it was shown");
        assertThat(Files.readString(lockFile("n2"))).isEqualTo(newer);
        assertThat(lockFile("n1")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json at all", "[1, 2]", "null", "\"text\"",
            "{\"user\":\"ci\",\"pid\":1,\"startedAt\":\"2026-12-01T00:00:00Z\",\"token\":\"t\"}",
            "{\"host\":\"h\",\"startedAt\":\"2026-12-01T00:00:00Z\"}",
            "{\"host\":\"h\",\"token\":\"t\"}",
            "{\"host\":null,\"startedAt\":\"2026-12-01T00:00:00Z\",\"token\":\"t\"}",
            "{\"host\":{\"a\":1},\"startedAt\":\"2026-12-01T00:00:00Z\",\"token\":\"t\"}",
            "{\"host\":\"h\",\"pid\":\"abc\",\"startedAt\":\"2026-12-01T00:00:00Z\",\"token\":\"t\"}",
            "{\"host\":\"h\",\"startedAt\":\"yesterday\",\"token\":\"t\"}",
            "{\"host\":\"h\",\"startedAt\":\"2026-12-01T00:00:00Z\",\"token\":[\"t\"]}",
            "{\"host\":\"h\",\"startedAt\":\"2026-12-01T00:00:00Z\",\"token\":\"t\",\"heartbeat\":7}",
            "{\"host\":\"h\",\"startedAt\":\"2026-12-01T00:00:00Z\",\"token\":\"t\",\"heartbeatSeconds\":-5}",
            "{\"host\":\"h\",\"startedAt\":\"2026-12-01T00:00:00Z\",\"token\":\"t\\\"; rm -rf /\"}"})
    void aDamagedLockFileIsAClearMessageNamingTheNodeAndTheFileAndCanBeBroken(String text) throws Exception {
        writeLock("n1", text);
        ClusterLock.NodeLock n1 = status("n1");
        assertThat(n1.holder()).isNull();
        assertThat(n1.error()).contains("node n1", lockFile("n1").toString(), "damaged", "mcvirt lock break");
        assertThat(status("n2").state()).isEqualTo("free");

        assertThatThrownBy(() -> ClusterLock.acquire(nodes, "mcvirt apply", false))
                .isInstanceOf(McvirtException.class)
                .hasMessageContaining("node n1").hasMessageContaining(lockFile("n1").toString());
        assertThat(lockFile("n2")).as("nothing taken is left behind").doesNotExist();

        ClusterLock.Broken broken = LockBreak.breakLock(nodes, ClusterLock.status(nodes));
        assertThat(broken.broken()).containsExactly("n1");
        assertThat(lockFile("n1")).doesNotExist();
    }

    private static Step step(int id, String node, List<Integer> dependsOn) {
        return new Step(id, node, "domain:" + node + "/vm" + id, List.of(), "vm.vm" + id, "start vm" + id,
                new StepPayload.StartDomain("vm" + id), dependsOn);
    }

    @Test
    void anApplyThatLosesItsLockBetweenStepsRunsNoFurtherStep() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        try (ClusterLock lock = ClusterLock.acquire(nodes, "mcvirt apply", false)) {
            List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
            // composed as an apply composes it: the lock file is read by each step's first journal line
            LockGuard guarded = new LockGuard(lock, new JournalingStepRunner(step -> {
                ran.add(step.id());
                if (step.id() == 1) { // meanwhile someone broke the lock on n1 and another apply took it
                    try {
                        Files.writeString(lockFile("n1"), holder("t-other", Instant.now(), Instant.now()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return "";
            }, nodes::transport, Map.of("n1", nodes.stateDirectory("n1"), "n2", nodes.stateDirectory("n2")), "apply-1",
                    lock.stepCheck()));
            Plan plan = new Plan(Plan.FORMAT_VERSION, "c", "f", List.of(), List.of(step(1, "n1", List.of()),
                    step(2, "n1", List.of(1)), step(3, "n2", List.of())), List.of(), new Plan.Summary(0, 0, 0, 0));
            List<StepOutcome> outcomes = new Executor(guarded, 1, new ApplyListener() {
                @Override
                public void started(Step step) {
                }

                @Override
                public void finished(Step step, long millis, String note) {
                }

                @Override
                public void failed(Step step, long millis, String error) {
                    events.add(step.id() + ": " + error);
                }

                @Override
                public void skipped(Step step, String why) {
                    events.add(step.id() + ": " + why);
                }
            }).execute(plan);
            assertThat(ran).containsExactly(1);
            assertThat(outcomes).extracting(StepOutcome::status).containsExactly(StepOutcome.Status.DONE,
                    StepOutcome.Status.FAILED, StepOutcome.Status.FAILED);
            assertThat(events).hasSize(2).allSatisfy(e -> assertThat(e).contains("not run", "cluster lock",
                    "node n1", lockFile("n1").toString()));
            assertThat(lock.lost()).get().asString().contains("node n1");
        }
        assertThat(JSON.readTree(lockFile("n1").toFile()).get("token").asText())
                .as("the other holder keeps its lock").isEqualTo("t-other");
    }
    /**
     * A step on n1 with peer n2 whose lock on n2 was taken over: n1 took the step's "started" line (its lock checks out),
     * n2 refused it; the step does not run, and n1's journal says the step failed (not that it is still under way).
     */
    @Test
    void aStepRefusedOnItsPeerIsJournaledAsFailedWhereItWasStarted() throws Exception {
        try (ClusterLock lock = ClusterLock.acquire(nodes, "mcvirt apply", false)) {
            Files.writeString(lockFile("n2"), holder("t-other", Instant.now(), Instant.now()));
            List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
            JournalingStepRunner journal = new JournalingStepRunner(step -> {
                ran.add(step.id());
                return "";
            }, nodes::transport, Map.of("n1", nodes.stateDirectory("n1"), "n2", nodes.stateDirectory("n2")),
                    "apply-1", lock.stepCheck());
            Step both = new Step(1, "n1", "domain:n1/vm1", List.of(), "vm.vm1", "migrate vm1",
                    new StepPayload.StartDomain("vm1"), List.of(), List.of("n2"));
            assertThatThrownBy(() -> new LockGuard(lock, journal).run(both)).hasMessageContaining("not run")
                    .hasMessageContaining("node n2");
            assertThat(ran).isEmpty();
            Path n1Journal = directory.resolve("n1").resolve("journal.jsonl");
            assertThat(Files.readAllLines(n1Journal)).hasSize(2).satisfiesExactly(
                    started -> assertThat(started).contains("\"step\":1", "\"event\":\"started\""),
                    failed -> assertThat(failed).contains("\"step\":1", "\"event\":\"failed\"", "node n2"));
            assertThat(directory.resolve("n2").resolve("journal.jsonl")).doesNotExist();
        }
    }
}
