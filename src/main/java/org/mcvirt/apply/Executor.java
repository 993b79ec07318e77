package org.mcvirt.apply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.mcvirt.node.Deadline;
import org.mcvirt.node.NodeException;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Step;

/**
 * Walks the step graph: a step starts when all its dependencies are done; steps on different nodes run in
 * parallel (up to the parallelism), steps on one node run one at a time in plan order. A step that touches several
 * nodes (a migration) reserves all of them. Dependents of a failed
 * step are skipped and reported; independent steps still run.
 *
 * <p>Every step has a deadline. A step that passes it, or fails because its node stopped answering, marks the node
 * stalled: no further step starts there, and the rest of that node's steps are reported as not run. The stalled
 * step's thread is abandoned (a daemon), so the apply ends within the deadline.
 */
public final class Executor {
    /**
     * How long each step may take, what a node is doing right now (for the report when it stalls), and who hears
     * that a node stalled.
     */
    public record Limits(Function<Step, Duration> deadline, Function<String, String> activity,
                         BiConsumer<String, String> onStalled) {
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

    /** stalledNode: the node that stopped answering during the step (one of the step's nodes), or null. */
    private record Finished(Step step, StepOutcome outcome, String stalledNode) {
    }

    public List<StepOutcome> execute(Plan plan) {
        List<Step> pending = new ArrayList<>(plan.steps());
        Map<Integer, StepOutcome> outcomes = new HashMap<>();
        Set<String> busyNodes = new HashSet<>();
        Map<String, Integer> stalledNodes = new HashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread thread = new Thread(r, "mcvirt-apply");
            thread.setDaemon(true);
            return thread;
        });
        ExecutorCompletionService<Finished> completion = new ExecutorCompletionService<>(pool);
        int running = 0;
        try {
            while (!pending.isEmpty() || running > 0) {
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
                        if (ready && running < parallelism && step.nodes().stream().noneMatch(busyNodes::contains)) {
                            busyNodes.addAll(step.nodes());
                            pending.remove(step);
                            running++;
                            completion.submit(() -> runOne(step));
                            progressed = true;
                        }
                    }
                }
                if (running == 0) {
                    break;
                }
                Finished finished = completion.take().get();
                running--;
                finished.step().nodes().forEach(busyNodes::remove);
                outcomes.put(finished.step().id(), finished.outcome());
                if (finished.stalledNode() != null) {
                    stalledNodes.putIfAbsent(finished.stalledNode(), finished.step().id());
                    limits.onStalled().accept(finished.stalledNode(), finished.outcome().message());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("apply interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("apply worker failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return plan.steps().stream().map(s -> outcomes.get(s.id())).toList();
    }

    private Finished runOne(Step step) {
        listener.started(step);
        long start = System.nanoTime();
        try {
            String note = Deadline.run(step.node(), "step " + step.id() + " (" + step.description() + ")",
                    limits.deadline().apply(step), () -> limits.activity().apply(step.node()), () -> runner.run(step));
            long millis = (System.nanoTime() - start) / 1_000_000;
            listener.finished(step, millis, note);
            return new Finished(step, new StepOutcome(step.id(), StepOutcome.Status.DONE, note), null);
        } catch (NodeException e) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            listener.failed(step, millis, e.getMessage());
            String stalled = !e.unresponsive() ? null : step.nodes().contains(e.node()) ? e.node() : step.node();
            return new Finished(step, new StepOutcome(step.id(), StepOutcome.Status.FAILED, e.getMessage()), stalled);
        } catch (RuntimeException e) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            listener.failed(step, millis, e.getMessage());
            return new Finished(step, new StepOutcome(step.id(), StepOutcome.Status.FAILED, e.getMessage()), null);
        }
    }
}
