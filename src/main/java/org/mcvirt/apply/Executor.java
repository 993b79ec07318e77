package org.mcvirt.apply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.mcvirt.node.Deadline;
import org.mcvirt.node.NodeException;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Step;
import org.mcvirt.plan.StepKind;

/**
 * Walks the step graph: a step starts when all its dependencies are done; steps on different nodes run in
 * parallel (up to the parallelism). On one node, steps whose kind {@linkplain StepKind#overlapsOnItsNode() overlaps}
 * (a vm's volume, define, start, shutdown, undefine) run side by side when they belong to different vms; any other
 * step has the node to itself. A step that touches several nodes (a migration) reserves all of them. Dependents of a failed
 * step are skipped and reported; independent steps still run.
 *
 * <p>Every step has a deadline. A step that passes it, or fails because its node stopped answering, marks the node
 * stalled: no further step starts there, and the rest of that node's steps are reported as not run. The worker of a
 * step past its deadline is interrupted (a live migration then aborts its job and rolls back) and all the step's nodes
 * stay held until that worker has ended, so no other step acts on a node it may still act on; what the worker reports
 * when it ends is added to the step's outcome. A worker that has not ended {@link Limits#release()} after the others
 * is abandoned (a daemon thread, stuck in a native call): the steps that need its nodes are reported as not run, so
 * the apply still ends.
 */
public final class Executor {
    /**
     * How long each step may take, what a node is doing right now (for the report when it stalls), and who hears
     * that a node stalled.
     */
    public record Limits(Function<Step, Duration> deadline, Function<String, String> activity,
                         BiConsumer<String, String> onStalled, Duration release) {
        /** How long the nodes of a step past its deadline stay held, at most, for its worker to end. */
        public static final Duration DEFAULT_RELEASE = Duration.ofSeconds(60);

        public Limits(Function<Step, Duration> deadline, Function<String, String> activity,
                      BiConsumer<String, String> onStalled) {
            this(deadline, activity, onStalled, DEFAULT_RELEASE);
        }

        /** No practical deadline: for tests of the walk itself. */
        public static Limits none() {
            return new Limits(s -> Duration.ofDays(1), n -> null, (n, why) -> {
            });
        }
    }

    private final StepRunner runner;
    private final int parallelism;
    private final ApplyListener listener;
    private final Limits limits;

    public Executor(StepRunner runner, int parallelism, ApplyListener listener) {
        this(runner, parallelism, listener, Limits.none());
    }

    public Executor(StepRunner runner, int parallelism, ApplyListener listener, Limits limits) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.runner = runner;
        this.parallelism = parallelism;
        this.listener = listener;
        this.limits = limits;
    }

    /**
     * stalledNode: the node that stopped answering during the step (one of the step's nodes), or null. worker: the
     * end of the thread that ran the step, with its own report, when the step passed its deadline and its worker went
     * on (aborting, rolling back); null otherwise.
     */
    private record Finished(Step step, StepOutcome outcome, String stalledNode, CompletableFuture<String> worker) {
    }

    /** The worker of a step that passed its deadline has ended, with its report: its nodes are free again. */
    private record Released(Step step, String report) {
    }

    public List<StepOutcome> execute(Plan plan) {
        List<Step> pending = new ArrayList<>(plan.steps());
        Map<Integer, StepOutcome> outcomes = new HashMap<>();
        Occupancy busyNodes = new Occupancy();
        // nodes of steps past their deadline whose worker still runs -> the step; no other step starts there
        Map<String, Set<Integer>> heldNodes = new TreeMap<>();
        Map<String, Integer> stalledNodes = new HashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread thread = new Thread(r, "mcvirt-apply");
            thread.setDaemon(true);
            return thread;
        });
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        int running = 0;
        try {
            while (!pending.isEmpty() || running > 0 || !heldNodes.isEmpty()) {
                boolean progressed = true;
                while (progressed) {
                    progressed = false;
                    for (Step step : List.copyOf(pending)) {
                        if (step.dependsOn().stream().anyMatch(d -> outcomes.containsKey(d)
                                && outcomes.get(d).status() != StepOutcome.Status.DONE)) {
                            String why = "skipped: step " + step.dependsOn().stream().filter(d -> outcomes.containsKey(d)
                                    && outcomes.get(d).status() != StepOutcome.Status.DONE).findFirst().orElseThrow()
                                    + " it depends on did not complete";
                            outcomes.put(step.id(), new StepOutcome(step.id(), StepOutcome.Status.SKIPPED, why));
                            listener.skipped(step, why);
                            pending.remove(step);
                            progressed = true;
                            continue;
                        }
                        boolean ready = step.dependsOn().stream().allMatch(outcomes::containsKey);
                        String stalledNode = step.nodes().stream().filter(stalledNodes::containsKey).findFirst()
                                .orElse(null);
                        if (ready && stalledNode != null) {
                            String why = "not run: node " + stalledNode + " stopped answering during step "
                                    + stalledNodes.get(stalledNode);
                            outcomes.put(step.id(), new StepOutcome(step.id(), StepOutcome.Status.SKIPPED, why));
                            listener.skipped(step, why);
                            pending.remove(step);
                            progressed = true;
                            continue;
                        }
                        if (ready && running < parallelism && busyNodes.free(step)
                                && step.nodes().stream().noneMatch(heldNodes::containsKey)) {
                            busyNodes.take(step);
                            pending.remove(step);
                            running++;
                            pool.submit(() -> events.add(runSafely(step)));
                            progressed = true;
                        }
                    }
                }
                if (running == 0 && heldNodes.isEmpty()) {
                    break;
                }
                Object event = running > 0 ? events.take() : events.poll(limits.release().toNanos(),
                        TimeUnit.NANOSECONDS);
                if (event == null) {
                    // only workers past their deadline are left, and they did not end in time: give up on them
                    notRunOnHeldNodes(pending, heldNodes, outcomes);
                    break;
                }
                if (event instanceof Released released) {
                    for (String n : released.step().nodes()) {
                        Set<Integer> holders = heldNodes.get(n);
                        if (holders != null && holders.remove(released.step().id()) && holders.isEmpty()) {
                            heldNodes.remove(n);
                        }
                    }
                    busyNodes.release(released.step());
                    StepOutcome outcome = outcomes.get(released.step().id());
                    outcomes.put(outcome.id(), new StepOutcome(outcome.id(), outcome.status(), outcome.message()
                            + "; after the deadline the step ended: " + released.report()));
                    // said as it happens too: the step's line was printed when its deadline passed
                    listener.progress(released.step(), "after the deadline the step ended: " + released.report());
                    continue;
                }
                Finished finished = (Finished) event;
                running--;
                outcomes.put(finished.step().id(), finished.outcome());
                if (finished.worker() == null) {
                    busyNodes.release(finished.step());
                } else {
                    // the worker may still act on these nodes: they stay busy until it ends
                    finished.step().nodes().forEach(n -> heldNodes.computeIfAbsent(n, k -> new TreeSet<>())
                            .add(finished.step().id()));
                    finished.worker().whenComplete((report, failure) -> events.add(new Released(finished.step(),
                            failure == null ? report.isEmpty() ? "done" : report : failure.getMessage())));
                }
                if (finished.stalledNode() != null) {
                    stalledNodes.putIfAbsent(finished.stalledNode(), finished.step().id());
                    limits.onStalled().accept(finished.stalledNode(), finished.outcome().message());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("apply interrupted", e);
        } finally {
            pool.shutdownNow();
        }
        // a step the walk could not start (it should not happen: said rather than left without an outcome)
        for (Step step : pending) {
            String why = "not run: the apply ended before its node was free";
            outcomes.putIfAbsent(step.id(), new StepOutcome(step.id(), StepOutcome.Status.SKIPPED, why));
            listener.skipped(step, why);
        }
        return plan.steps().stream().map(s -> outcomes.get(s.id())).toList();
    }

    /** Which steps hold each node: one that needs it to itself, or any number that may overlap there. */
    private static final class Occupancy {
        private final Map<String, List<Step>> holders = new HashMap<>();

        /** Whether step may start now: each of its nodes is free, or held only by overlapping steps of other vms. */
        boolean free(Step step) {
            for (String node : step.nodes()) {
                for (Step other : holders.getOrDefault(node, List.of())) {
                    if (!step.kind().overlapsOnItsNode() || !other.kind().overlapsOnItsNode()
                            || Objects.equals(other.change(), step.change())) {
                        return false;
                    }
                }
            }
            return true;
        }

        void take(Step step) {
            step.nodes().forEach(n -> holders.computeIfAbsent(n, k -> new ArrayList<>()).add(step));
        }

        void release(Step step) {
            for (String node : step.nodes()) {
                List<Step> on = holders.get(node);
                if (on != null) {
                    on.remove(step);
                    if (on.isEmpty()) {
                        holders.remove(node);
                    }
                }
            }
        }
    }

    /** The steps still pending when the workers holding their nodes did not end: reported as not run. */
    private void notRunOnHeldNodes(List<Step> pending, Map<String, Set<Integer>> heldNodes,
                                   Map<Integer, StepOutcome> outcomes) {
        for (Step step : List.copyOf(pending)) {
            String held = step.nodes().stream().filter(heldNodes::containsKey).findFirst().orElse(null);
            String why = held != null ? "not run: node " + held + " is still held by step "
                    + heldNodes.get(held).iterator().next()
                    + ", whose worker had not ended " + Deadline.describe(limits.release()) + " after its deadline"
                    : "not run: a step it depends on did not end";
            outcomes.put(step.id(), new StepOutcome(step.id(), StepOutcome.Status.SKIPPED, why));
            listener.skipped(step, why);
            pending.remove(step);
        }
    }

    /** runOne, and a listener that throws is the step's failure rather than a walk that waits forever. */
    private Finished runSafely(Step step) {
        try {
            return runOne(step);
        } catch (RuntimeException | Error e) {
            return new Finished(step, new StepOutcome(step.id(), StepOutcome.Status.FAILED, String.valueOf(
                    e.getMessage())), null, null);
        }
    }

    /**
     * Runs one step on a worker thread under its deadline. When the deadline passes the worker is interrupted (a step
     * that can, such as a live migration, then aborts and rolls back) and the returned worker future stays open until
     * it ends.
     */
    private Finished runOne(Step step) {
        listener.started(step);
        long start = System.nanoTime();
        CompletableFuture<String> worker = new CompletableFuture<>();
        AtomicReference<Thread> workerThread = new AtomicReference<>();
        try {
            String note = Deadline.run(step.node(), "step " + step.id() + " (" + step.description() + ")",
                    limits.deadline().apply(step), () -> limits.activity().apply(step.node()), () -> {
                        workerThread.set(Thread.currentThread());
                        try {
                            String result = runner.run(step);
                            worker.complete(result);
                            return result;
                        } catch (Throwable e) {
                            worker.completeExceptionally(e);
                            throw e;
                        }
                    });
            long millis = (System.nanoTime() - start) / 1_000_000;
            listener.finished(step, millis, note);
            return new Finished(step, new StepOutcome(step.id(), StepOutcome.Status.DONE, note), null, null);
        } catch (NodeException e) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            boolean abandoned = !worker.isDone();
            if (abandoned) {
                Thread thread = workerThread.get();
                if (thread != null) {
                    thread.interrupt();
                }
            }
            listener.failed(step, millis, e.getMessage());
            String stalled = !e.unresponsive() ? null : step.nodes().contains(e.node()) ? e.node() : step.node();
            return new Finished(step, new StepOutcome(step.id(), StepOutcome.Status.FAILED, e.getMessage()), stalled,
                    abandoned ? worker : null);
        } catch (RuntimeException e) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            listener.failed(step, millis, e.getMessage());
            return new Finished(step, new StepOutcome(step.id(), StepOutcome.Status.FAILED, e.getMessage()), null,
                    null);
        }
    }
}
