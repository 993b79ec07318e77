package org.mcvirt.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mcvirt.node.NodeException;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Step;
import org.mcvirt.plan.StepPayload;

class ExecutorTest {
    private static Step step(int id, String node, List<Integer> dependsOn) {
        return new Step(id, node, "domain:" + node + "/vm" + id, List.of(), "vm.vm" + id,
                "start vm" + id, new StepPayload.StartDomain("vm" + id), dependsOn);
    }

    /** A step of a kind that has its node to itself (it does not overlap other steps there). */
    private static Step alone(int id, String node, List<Integer> dependsOn) {
        return new Step(id, node, "domain:" + node + "/vm" + id, List.of(), "vm.vm" + id,
                "set memory of vm" + id, new StepPayload.SetMemoryLive("vm" + id, 65536), dependsOn);
    }

    private static Plan plan(Step... steps) {
        return new Plan(Plan.FORMAT_VERSION, "c", "f", List.of(), List.of(steps), List.of(),
                new Plan.Summary(0, 0, 0, 0));
    }

    /** Records the order of events; a hand-written fake is right here: this tests the walk, not libvirt. */
    private static final class Recorder implements ApplyListener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void started(Step step) {
            events.add("start " + step.id());
        }

        @Override
        public void finished(Step step, long millis, String note) {
            events.add("done " + step.id());
        }

        @Override
        public void failed(Step step, long millis, String error) {
            events.add("failed " + step.id() + ": " + error);
        }

        @Override
        public void skipped(Step step, String why) {
            events.add("skipped " + step.id() + ": " + why);
        }

        @Override
        public void progress(Step step, String message) {
            events.add("progress " + step.id() + ": " + message);
        }
    }

    @Test
    void runsStepsInDependencyOrderOnOneNode() {
        Recorder recorder = new Recorder();
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        List<StepOutcome> outcomes = new Executor(s -> {
            ran.add(s.id());
            return "";
        }, 4, recorder).execute(plan(step(1, "a", List.of()), step(2, "a", List.of(1)), step(3, "a", List.of(2))));
        assertThat(ran).containsExactly(1, 2, 3);
        assertThat(outcomes).extracting(StepOutcome::status).containsOnly(StepOutcome.Status.DONE);
        assertThat(recorder.events).containsExactly("start 1", "done 1", "start 2", "done 2", "start 3", "done 3");
    }

    @Test
    void dependentsOfAFailedStepAreSkippedAndIndependentOnesStillRun() {
        Recorder recorder = new Recorder();
        List<StepOutcome> outcomes = new Executor(s -> {
            if (s.id() == 1) {
                throw new NodeException("a", "cannot start domain vm1: boom", null);
            }
            return "";
        }, 1, recorder).execute(plan(step(1, "a", List.of()), step(2, "a", List.of(1)), step(3, "b", List.of()),
                step(4, "b", List.of(2))));
        assertThat(outcomes).extracting(StepOutcome::status).containsExactly(StepOutcome.Status.FAILED,
                StepOutcome.Status.SKIPPED, StepOutcome.Status.DONE, StepOutcome.Status.SKIPPED);
        assertThat(recorder.events).contains("failed 1: node a: cannot start domain vm1: boom",
                "skipped 2: skipped: step 1 it depends on did not complete",
                "skipped 4: skipped: step 2 it depends on did not complete", "done 3");
    }

    @Test
    void stepsOnDifferentNodesOverlap() throws Exception {
        java.util.concurrent.CountDownLatch both = new java.util.concurrent.CountDownLatch(2);
        List<StepOutcome> outcomes = new Executor(s -> {
            both.countDown();
            // each step waits for the other: this only completes when they run at the same time
            try {
                if (!both.await(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new NodeException(s.node(), "the other node's step never ran concurrently", null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NodeException(s.node(), "interrupted", e);
            }
            return "";
        }, 2, new Recorder()).execute(plan(step(1, "a", List.of()), step(2, "b", List.of())));
        assertThat(outcomes).extracting(StepOutcome::status).containsOnly(StepOutcome.Status.DONE);
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void startsOfDifferentVmsOverlapOnOneNodeUpToTheParallelism() {
        java.util.concurrent.atomic.AtomicInteger now = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch three = new java.util.concurrent.CountDownLatch(3);
        StepRunner runner = s -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            three.countDown();
            try {
                // the first three wait for each other: this only completes when three run at once
                three.await(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            now.decrementAndGet();
            return "";
        };
        List<StepOutcome> outcomes = new Executor(runner, 3, new Recorder()).execute(plan(step(1, "a", List.of()),
                step(2, "a", List.of()), step(3, "a", List.of()), step(4, "a", List.of()), step(5, "a", List.of())));
        assertThat(outcomes).extracting(StepOutcome::status).containsOnly(StepOutcome.Status.DONE);
        assertThat(three.getCount()).isZero();
        assertThat(most.get()).isEqualTo(3);
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aStepThatDoesNotOverlapHasItsNodeToItselfAndStepsOfOneVmNeverOverlap() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        StepRunner runner = s -> {
            events.add("start " + s.id());
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            events.add("end " + s.id());
            return "";
        };
        // 1 and 2 overlap; 3 needs node a alone; 4 and 5 are steps of one vm (the same change), on a again
        Step sameVm = new Step(5, "a", "domain:a/vm4", List.of(), "vm.vm4", "start vm4 again",
                new StepPayload.StartDomain("vm4"), List.of());
        List<StepOutcome> outcomes = new Executor(runner, 4, new Recorder()).execute(plan(step(1, "a", List.of()),
                step(2, "a", List.of()), alone(3, "a", List.of()), step(4, "a", List.of()), sameVm));
        assertThat(outcomes).extracting(StepOutcome::status).containsOnly(StepOutcome.Status.DONE);
        // while 3 runs nothing else does: its start and end are next to each other
        assertThat(events.indexOf("end 3")).isEqualTo(events.indexOf("start 3") + 1);
        // 4 and 5 are never under way together
        int start4 = events.indexOf("start 4");
        int start5 = events.indexOf("start 5");
        assertThat(start4 < start5 ? events.indexOf("end 4") < start5 : events.indexOf("end 5") < start4).isTrue();
        // and 1 and 2 did run together
        assertThat(events.indexOf("start 2")).isLessThan(events.indexOf("end 1"));
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void overlappingStepsPastTheirDeadlineHoldTheirNodeUntilBothWorkersEnd() {
        Recorder recorder = new Recorder();
        java.util.concurrent.CountDownLatch firstMayEnd = new java.util.concurrent.CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Executor.Limits limits = new Executor.Limits(s -> java.time.Duration.ofMillis(200), node -> null,
                (node, why) -> { }, java.time.Duration.ofSeconds(10));
        // 1 and 2 overlap on a and both pass their deadline; 2's worker ends first, 1's only after that; 3 needs a
        // and b alone (a migration would): it must not start while 1's worker may still act on a
        StepRunner runner = s -> {
            if (s.id() == 1 || s.id() == 2) {
                boolean interrupted = false;
                while (true) {
                    try {
                        Thread.sleep(400);
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // the deadline: keep going, as a native call would
                    }
                }
                if (s.id() == 1) {
                    try {
                        firstMayEnd.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                order.add("end " + s.id());
                if (s.id() == 2) {
                    firstMayEnd.countDown();
                }
                return interrupted ? "late" : "";
            }
            order.add("run " + s.id());
            return "";
        };
        List<StepOutcome> outcomes = new Executor(runner, 4, recorder, limits).execute(plan(step(1, "a", List.of()),
                step(2, "a", List.of()), migration(3, "b", "a")));
        assertThat(outcomes).doesNotContainNull();
        assertThat(outcomes.get(0).status()).isEqualTo(StepOutcome.Status.FAILED);
        assertThat(outcomes.get(1).status()).isEqualTo(StepOutcome.Status.FAILED);
        // node a stalled with step 1 or 2: the migration is reported, never run alongside a worker still on a
        assertThat(outcomes.get(2).status()).isEqualTo(StepOutcome.Status.SKIPPED);
        assertThat(order).doesNotContain("run 3").containsExactly("end 2", "end 1");
        assertThat(outcomes.get(0).message()).contains("after the deadline the step ended");
        assertThat(outcomes.get(1).message()).contains("after the deadline the step ended");
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aStepPastItsDeadlineStallsItsNodeOnlyAndTheApplyEnds() {
        Recorder recorder = new Recorder();
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        java.util.Map<String, String> stalled = new java.util.concurrent.ConcurrentHashMap<>();
        // the stuck worker holds node a for at most 0.3 s after the rest ended
        Executor.Limits limits = new Executor.Limits(s -> java.time.Duration.ofMillis(300),
                node -> "start domain vm1 (for 0.3s)", stalled::put, java.time.Duration.ofMillis(300));
        List<StepOutcome> outcomes = new Executor(s -> {
            if (s.id() == 1) {
                // a call into a node that froze: it never returns, and ignores interrupts
                while (true) {
                    try {
                        never.await();
                    } catch (InterruptedException ignored) {
                        // keep waiting, as a thread stuck in native code would
                    }
                }
            }
            return "";
        }, 2, recorder, limits).execute(plan(step(1, "a", List.of()), alone(2, "a", List.of()), step(3, "b", List.of())));
        assertThat(outcomes).extracting(StepOutcome::status).containsExactly(StepOutcome.Status.FAILED,
                StepOutcome.Status.SKIPPED, StepOutcome.Status.DONE);
        assertThat(outcomes.get(0).message()).startsWith("node a: stopped answering: step 1 (start vm1) did not finish"
                + " within 0.3s").endsWith("; stalled in: start domain vm1 (for 0.3s)");
        assertThat(outcomes.get(1).message()).isEqualTo("not run: node a stopped answering during step 1");
        assertThat(stalled).containsOnlyKeys("a");
    }

    @Test
    void aNodeThatStopsAnsweringGetsNoFurtherStep() {
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        java.util.Map<String, String> stalled = new java.util.concurrent.ConcurrentHashMap<>();
        List<StepOutcome> outcomes = new Executor(s -> {
            ran.add(s.id());
            if (s.id() == 1) {
                throw NodeException.unresponsive("a", "stopped answering: cannot start domain vm1: keepalive timeout",
                        null);
            }
            return "";
        }, 1, new Recorder(), new Executor.Limits(s -> java.time.Duration.ofSeconds(20), n -> null, stalled::put))
                .execute(plan(step(1, "a", List.of()), step(2, "a", List.of()), step(3, "b", List.of())));
        assertThat(ran).containsExactlyInAnyOrder(1, 3);
        assertThat(outcomes).extracting(StepOutcome::status).containsExactly(StepOutcome.Status.FAILED,
                StepOutcome.Status.SKIPPED, StepOutcome.Status.DONE);
        assertThat(stalled).containsOnlyKeys("a");
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aStepOnTwoNodesWaitsForBothAndNeitherRunsAnotherStepMeanwhile() {
        // step 1 on a and step 3 on b are independent; step 2 (a migration) touches a and b
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        Step migrate = new Step(2, "a", "domain:a/vm2", List.of(), "vm.vm2", "migrate vm2",
                new StepPayload.MigrateLive("vm2", "b", "tcp://b", Map.of(), Map.of(), 100, true), List.of(), List.of("b"));
        // steps 1 and 3 each wait until the other has started: they must run at the same time (parallelism 4)
        CountDownLatch oneAndThree = new CountDownLatch(2);
        List<Integer> runningWithTheTwoNodeStep = Collections.synchronizedList(new ArrayList<>());
        List<StepOutcome> outcomes = new Executor(s -> {
            int now = running.incrementAndGet();
            most.accumulateAndGet(now, Math::max);
            events.add("start " + s.id());
            try {
                if (s.id() == 2) {
                    Thread.sleep(50);
                    runningWithTheTwoNodeStep.add(running.get());
                } else {
                    oneAndThree.countDown();
                    if (!oneAndThree.await(20, TimeUnit.SECONDS)) {
                        throw new NodeException(s.node(), "steps 1 and 3 did not run at the same time", null);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            events.add("end " + s.id());
            running.decrementAndGet();
            return "";
        }, 4, new Recorder()).execute(plan(step(1, "a", List.of()), migrate, step(3, "b", List.of())));
        assertThat(outcomes).extracting(StepOutcome::status).containsOnly(StepOutcome.Status.DONE);
        int start2 = events.indexOf("start 2");
        int end2 = events.indexOf("end 2");
        assertThat(events.subList(start2 + 1, end2)).as("nothing else runs during the two-node step").isEmpty();
        assertThat(runningWithTheTwoNodeStep).as("steps running while the two-node step runs").containsExactly(1);
        assertThat(most.get()).as("the most steps running at once: 1 and 3 together, on one node each").isEqualTo(2);
        assertThat(migrate.nodes()).containsExactly("a", "b");
    }

    private static Step migration(int id, String source, String target) {
        return new Step(id, source, "domain:" + source + "/vm" + id, List.of(), "vm.vm" + id, "migrate vm" + id,
                new StepPayload.MigrateLive("vm" + id, target, "tcp://" + target, Map.of(), Map.of(), 100,
                        true), List.of(),
                List.of(target));
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void theNodesOfAStepPastItsDeadlineStayReservedUntilItsWorkerEnds() {
        // step 1, a migration from a to b, passes its deadline; step 2 on b is independent of it
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch interrupted = new CountDownLatch(1);
        Executor.Limits limits = new Executor.Limits(s -> java.time.Duration.ofMillis(s.id() == 1 ? 300 : 20_000),
                n -> null, (n, why) -> {
                }, java.time.Duration.ofSeconds(30));
        Recorder recorder = new Recorder();
        List<StepOutcome> outcomes = new Executor(s -> {
            if (s.id() == 2) {
                events.add("start 2");
                return "";
            }
            // the worker goes on after the deadline (as a migration aborting and rolling back does) until told the
            // deadline passed, or at most 5 s: before the fix nobody tells it, and step 2 starts meanwhile
            try {
                interrupted.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                events.add("worker 1 interrupted");
            }
            events.add("worker 1 ends");
            throw new NodeException("a", "aborted and rolled back", null);
        }, 2, recorder, limits).execute(plan(migration(1, "a", "b"), step(2, "b", List.of())));
        assertThat(events).containsExactly("worker 1 interrupted", "worker 1 ends", "start 2");
        // what the worker said when it ended is printed as it happens (the step's FAILED line came before)
        assertThat(recorder.events).contains("progress 1: after the deadline the step ended: node a: aborted and"
                + " rolled back");
        assertThat(outcomes).extracting(StepOutcome::status).containsExactly(StepOutcome.Status.FAILED,
                StepOutcome.Status.DONE);
        assertThat(outcomes.get(0).message()).startsWith("node a: stopped answering: step 1 (migrate vm1) did not"
                + " finish within 0.3s").endsWith("; after the deadline the step ended: node a: aborted and rolled back");
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aWorkerThatNeverEndsKeepsItsNodesFromEveryOtherStepAndTheApplyStillEnds() {
        CountDownLatch never = new CountDownLatch(1);
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        Executor.Limits limits = new Executor.Limits(s -> java.time.Duration.ofMillis(s.id() == 1 ? 300 : 20_000),
                n -> null, (n, why) -> {
                }, java.time.Duration.ofMillis(300));
        List<StepOutcome> outcomes = new Executor(s -> {
            ran.add(s.id());
            if (s.id() == 1) {
                while (true) {
                    try {
                        never.await(); // stuck in native code: interrupts change nothing
                    } catch (InterruptedException ignored) {
                        // keep waiting
                    }
                }
            }
            return "";
        }, 2, new Recorder(), limits).execute(plan(migration(1, "a", "b"), step(2, "b", List.of()),
                step(3, "c", List.of())));
        assertThat(ran).containsExactlyInAnyOrder(1, 3);
        assertThat(outcomes).extracting(StepOutcome::status).containsExactly(StepOutcome.Status.FAILED,
                StepOutcome.Status.SKIPPED, StepOutcome.Status.DONE);
        assertThat(outcomes.get(1).message()).isEqualTo("not run: node b is still held by step 1, whose worker had"
                + " not ended 0.3s after its deadline");
    }
}
