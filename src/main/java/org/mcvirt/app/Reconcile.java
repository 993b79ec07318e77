package org.mcvirt.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.mcvirt.apply.StepOutcome;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Planner;
import org.mcvirt.plan.Repairs;
import org.mcvirt.plan.Step;

/**
 * mcvirt reconcile: the repairs of health and power state, round after round ({@link Loop}). A round reads the
 * cluster and plans without the lock; a plan with nothing to do ends there. A plan whose steps are all repairs
 * ({@link Repairs}: a DRBD resource brought up, a vm's disk made primary on its node, a vm that should run started, a
 * second primary ended) is applied like {@code apply --auto-approve} without --allow-destroy: under the cluster lock it
 * is planned again and applied only if it still holds nothing but repairs. A plan with anything else (a create, a
 * delete, a move, a failover, a definition or autostart change) or with problems is applied not at all: that is for an
 * operator and {@code mcvirt plan}. The lock is held only while a round applies.
 */
public final class Reconcile {
    /** The wait between rounds when none is given. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
    /** After consecutive errors the wait doubles, up to this many intervals. */
    static final int MAX_BACKOFF_INTERVALS = 10;

    private final ClusterAccess access;

    public Reconcile(ClusterAccess access) {
        this.access = access;
    }

    /** What a round came to. */
    public enum Outcome {
        /** The plan had no steps. */
        NOTHING_TO_REPAIR,
        /** Every step was a repair, and all of them were applied. */
        REPAIRED,
        /** The plan had steps beyond repairs: nothing was applied. */
        BEYOND_REPAIRS,
        /** The round failed: manifests, nodes, the lock, plan problems, or a repair that failed. */
        ERROR
    }

    /**
     * What one round found and did: the repairs applied (in a few words each), or the number and kinds of the steps
     * beyond repairs, or the error, on one line.
     */
    public record Result(Outcome outcome, List<String> repairs, int beyondSteps, List<String> beyondKinds,
                         String error) {
        public Result {
            repairs = List.copyOf(repairs);
            beyondKinds = List.copyOf(beyondKinds);
            error = error == null ? null : error.strip().replaceAll(":\\s*\\n\\s*", ": ").replaceAll("\\s*\\n\\s*", "; ");
        }

        public static Result nothingToRepair() {
            return new Result(Outcome.NOTHING_TO_REPAIR, List.of(), 0, List.of(), null);
        }

        public static Result repaired(List<String> repairs) {
            return new Result(Outcome.REPAIRED, repairs, 0, List.of(), null);
        }

        public static Result beyondRepairs(int steps, List<String> kinds) {
            return new Result(Outcome.BEYOND_REPAIRS, List.of(), steps, kinds, null);
        }

        public static Result error(String message) {
            return new Result(Outcome.ERROR, List.of(), 0, List.of(), message);
        }
    }

    /**
     * A round as the log shows it: its number, when it started, its result, and the wait before the next round
     * (empty for the last one), longer than the interval while backing off after errors.
     */
    public record Round(int number, Instant at, Result result, Optional<Duration> next, boolean backingOff) {
    }

    /** Runs one round (see the class comment); never throws: a failure is its result. */
    public Result round(ApplyOptions options) {
        try {
            Result planned = access.readAndPlan(Planner.Options.all(), (desired, observed, plan, cluster) ->
                    assess(desired, plan).orElse(null));
            return planned != null ? planned : applyRepairs(options);
        } catch (McvirtException e) {
            return Result.error(e.getMessage());
        } catch (RuntimeException e) {
            return Result.error("unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * What a plan comes to when it is not applied: problems (an error), nothing to do, or steps beyond repairs; empty
     * when every step is a repair.
     */
    static Optional<Result> assess(DesiredState desired, Plan plan) {
        if (!plan.problems().isEmpty()) {
            return Optional.of(Result.error("the plan has problems (" + plan.problems().size() + "): "
                    + String.join("; ", plan.problemMessages()) + "; run 'mcvirt plan'; nothing applied"));
        }
        if (!plan.hasChanges()) {
            return Optional.of(Result.nothingToRepair());
        }
        Repairs.Verdict verdict = Repairs.of(desired, plan);
        if (!verdict.onlyRepairs()) {
            return Optional.of(Result.beyondRepairs(plan.steps().size(),
                    verdict.beyondKinds().stream().map(Enum::name).toList()));
        }
        return Optional.empty();
    }

    /** Plans again under the lock and applies the plan if it is still nothing but repairs. */
    private Result applyRepairs(ApplyOptions options) throws McvirtException {
        AtomicReference<DesiredState> manifests = new AtomicReference<>();
        AtomicReference<Result> notApplied = new AtomicReference<>();
        Scope scope = new Scope(d -> d, Planner.Options.all(), (desired, observed) -> manifests.set(desired), plan -> {
            Optional<Result> assessed = assess(manifests.get(), plan);
            if (assessed.isPresent() && assessed.get().outcome() == Outcome.BEYOND_REPAIRS) {
                notApplied.set(assessed.get());
                throw new McvirtException(McvirtException.Category.REFUSED, "the plan has changes beyond repairs");
            }
        });
        ApplyResult applied;
        try {
            applied = new PlanApply(access).apply(Optional.empty(), true, options, QUIET, APPROVED, scope);
        } catch (McvirtException e) {
            if (notApplied.get() != null) {
                return notApplied.get();
            }
            throw e;
        }
        return result(applied);
    }

    /** The result of an apply of repairs: each one done, or an error naming those that failed or did not run. */
    static Result result(ApplyResult applied) {
        if (!applied.ran()) {
            return Result.nothingToRepair(); // repaired by someone else between the two plans
        }
        Map<Integer, Step> steps = applied.plan().steps().stream().collect(Collectors.toMap(Step::id, s -> s));
        List<String> done = applied.outcomes().stream().filter(o -> o.status() == StepOutcome.Status.DONE)
                .map(o -> Repairs.describe(steps.get(o.id()))).toList();
        List<String> failed = applied.outcomes().stream().filter(o -> o.status() != StepOutcome.Status.DONE)
                .map(o -> Repairs.describe(steps.get(o.id())) + (o.status() == StepOutcome.Status.FAILED ? " failed: "
                        : " not run: ") + o.message()).toList();
        if (failed.isEmpty() && applied.stalled().isEmpty()) {
            return Result.repaired(done);
        }
        return Result.error(failed.size() + " of " + applied.outcomes().size() + " repairs not done (" + String.join(
                "; ", failed) + ")" + (done.isEmpty() ? "" : "; done: " + String.join("; ", done))
                + (applied.stalled().isEmpty() ? "" : "; nodes not answering: " + String.join(", ",
                applied.stalled().keySet())));
    }

    /** The wait before the next round after this many consecutive errors: doubled each time, at most 10 intervals. */
    public static Duration waitAfter(Duration interval, int consecutiveErrors) {
        long factor = consecutiveErrors <= 0 ? 1 : Math.min(1L << Math.min(consecutiveErrors, 10),
                MAX_BACKOFF_INTERVALS);
        return interval.multipliedBy(factor);
    }

    /** How the loop waits between rounds, and learns it is to stop (SIGINT, SIGTERM). */
    public interface Pause {
        /** Waits for duration, or less once a stop is requested. */
        void sleep(Duration duration) throws InterruptedException;

        boolean stopRequested();
    }

    /** The pause of a real run: a stop request ends a wait at once. */
    public static final class Stop implements Pause {
        private final CountDownLatch stop = new CountDownLatch(1);

        public void request() {
            stop.countDown();
        }

        @Override
        public boolean stopRequested() {
            return stop.getCount() == 0;
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Rounds, one after another: one only (once), or until a stop is requested, which ends the loop after the round in
     * progress (its apply completes). Each round is handed to log when it ends, with the wait before the next one: the
     * interval, or after consecutive errors {@link #waitAfter(Duration, int)}; a good round resets it.
     */
    public static final class Loop {
        private final Duration interval;
        private final boolean once;
        private final IntFunction<Result> rounds;
        private final Clock clock;
        private final Pause pause;
        private final Consumer<Round> log;

        /** @param rounds runs round N (numbered from 1) */
        public Loop(Duration interval, boolean once, IntFunction<Result> rounds, Clock clock, Pause pause,
                    Consumer<Round> log) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the interval must be positive");
            }
            this.interval = interval;
            this.once = once;
            this.rounds = rounds;
            this.clock = clock;
            this.pause = pause;
            this.log = log;
        }

        /** Runs the rounds; returns the last one (empty when stopped before the first). */
        public Optional<Round> run() {
            int errors = 0;
            Round last = null;
            for (int number = 1; !pause.stopRequested(); number++) {
                Instant at = clock.instant();
                Result result = rounds.apply(number);
                errors = result.outcome() == Outcome.ERROR ? errors + 1 : 0;
                boolean more = !once && !pause.stopRequested();
                Duration next = waitAfter(interval, errors);
                last = new Round(number, at, result, more ? Optional.of(next) : Optional.empty(), more && errors > 0);
                log.accept(last);
                if (!more) {
                    break;
                }
                try {
                    pause.sleep(next);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return Optional.ofNullable(last);
        }
    }

    /** Progress of a round's apply: not shown (the round's line says what was done). */
    private static final ApplyProgress QUIET = new ApplyProgress() {
        @Override
        public void started(StepLine step) {
        }

        @Override
        public void finished(StepLine step, long millis, String note) {
        }

        @Override
        public void failed(StepLine step, long millis, String error) {
        }

        @Override
        public void skipped(StepLine step, String why) {
        }

        @Override
        public void progress(StepLine step, String message) {
        }
    };

    /** A reconcile applies without asking (only repairs, never a destroy) and shows no plan. */
    private static final Interaction APPROVED = new Interaction() {
        @Override
        public void show(PlanView plan) {
        }

        @Override
        public boolean approve(PlanView plan) {
            return true;
        }
    };
}
