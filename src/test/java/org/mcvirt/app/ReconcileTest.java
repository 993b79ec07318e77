package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mcvirt.apply.StepOutcome;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Step;
import org.mcvirt.plan.StepPayload;

/**
 * mcvirt reconcile's loop without a cluster: rounds from a script, a fixed clock and a pause that records the waits
 * instead of sleeping. The back-off doubles the wait on consecutive errors up to 10 intervals and resets after a good
 * round; --once runs one round; a stop ends the loop after the round in progress.
 */
class ReconcileTest {
    private static final Duration MINUTE = Duration.ofSeconds(60);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T07:20:00.123Z"), ZoneOffset.UTC);

    /** Records the waits; requests a stop once the script is used up. */
    private static final class Script implements Reconcile.Pause {
        final Deque<Reconcile.Result> results;
        final List<Duration> waits = new ArrayList<>();
        boolean stop;

        Script(List<Reconcile.Result> results) {
            this.results = new ArrayDeque<>(results);
        }

        Reconcile.Result next(int number) {
            Reconcile.Result result = results.poll();
            stop = results.isEmpty();
            return result;
        }

        @Override
        public void sleep(Duration duration) {
            waits.add(duration);
        }

        @Override
        public boolean stopRequested() {
            return stop;
        }
    }

    private static final Reconcile.Result ERROR = Reconcile.Result.error("node node2 could not be read: timeout");
    private static final Reconcile.Result GOOD = Reconcile.Result.nothingToRepair();

    @Test
    void theWaitDoublesOnConsecutiveErrorsUpToTenIntervals() {
        assertThat(List.of(0, 1, 2, 3, 4, 5, 40).stream().map(n -> Reconcile.waitAfter(MINUTE, n).toSeconds()))
                .containsExactly(60L, 120L, 240L, 480L, 600L, 600L, 600L);
        assertThat(Reconcile.waitAfter(Duration.ofSeconds(30), 3)).isEqualTo(Duration.ofSeconds(240));
    }

    @Test
    void theLoopBacksOffOnErrorsAndResetsAfterAGoodRound() {
        Script script = new Script(List.of(ERROR, ERROR, ERROR, GOOD, ERROR, GOOD, GOOD));
        List<Reconcile.Round> rounds = new ArrayList<>();
        Optional<Reconcile.Round> last = new Reconcile.Loop(MINUTE, false, script::next, CLOCK, script, rounds::add)
                .run();
        assertThat(script.waits).map(Duration::toSeconds).containsExactly(120L, 240L, 480L, 60L, 120L, 60L);
        assertThat(rounds).extracting(Reconcile.Round::number).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(rounds).extracting(Reconcile.Round::backingOff).containsExactly(true, true, true, false, true,
                false, false);
        assertThat(last.orElseThrow().next()).as("the round after which a stop came has no next").isEmpty();
        assertThat(rounds.get(0).at()).isEqualTo(CLOCK.instant());
    }

    @Test
    void onceRunsOneRoundAndAStopRequestedBeforehandRunsNone() {
        Script script = new Script(List.of(ERROR, GOOD));
        List<Reconcile.Round> rounds = new ArrayList<>();
        Optional<Reconcile.Round> last = new Reconcile.Loop(MINUTE, true, script::next, CLOCK, script, rounds::add)
                .run();
        assertThat(rounds).hasSize(1);
        assertThat(last.orElseThrow().result()).isEqualTo(ERROR);
        assertThat(last.get().next()).isEmpty();
        assertThat(script.waits).isEmpty();
        Script stopped = new Script(List.of(GOOD));
        stopped.stop = true;
        assertThat(new Reconcile.Loop(MINUTE, false, stopped::next, CLOCK, stopped, rounds::add).run()).isEmpty();
    }

    @Test
    void aStopEndsTheWaitAtOnce() throws Exception {
        Reconcile.Stop stop = new Reconcile.Stop();
        assertThat(stop.stopRequested()).isFalse();
        stop.request();
        stop.sleep(Duration.ofHours(1)); // returns at once: the test would time out otherwise
        assertThat(stop.stopRequested()).isTrue();
    }

    private static Plan plan(List<Step> steps) {
        return new Plan(Plan.FORMAT_VERSION, "gold", "f", List.of(), steps, List.of(), new Plan.Summary(0, 0, 0, 0));
    }

    @Test
    void anApplyOfRepairsIsReportedStepByStep() {
        List<Step> steps = List.of(
                new Step(1, "node1", "drbd:node1/mcvirt_web_root", List.of(), "vm.web.up", "d",
                        new StepPayload.DrbdUp("mcvirt_web_root"), List.of()),
                new Step(2, "node1", "domain:node1/web", List.of(), "vm.web", "d", new StepPayload.StartDomain("web"),
                        List.of(1)));
        Reconcile.Result done = Reconcile.result(new ApplyResult(plan(steps), List.of(
                new StepOutcome(1, StepOutcome.Status.DONE, ""), new StepOutcome(2, StepOutcome.Status.DONE, "")),
                Map.of(), List.of()));
        assertThat(done).isEqualTo(Reconcile.Result.repaired(List.of("bring up mcvirt_web_root on node1",
                "start web on node1")));
        Reconcile.Result failed = Reconcile.result(new ApplyResult(plan(steps), List.of(
                new StepOutcome(1, StepOutcome.Status.FAILED, "node node1: drbdadm adjust failed"),
                new StepOutcome(2, StepOutcome.Status.SKIPPED, "after a failed step")), Map.of(), List.of()));
        assertThat(failed.outcome()).isEqualTo(Reconcile.Outcome.ERROR);
        assertThat(failed.error()).isEqualTo("2 of 2 repairs not done (bring up mcvirt_web_root on node1 failed: node"
                + " node1: drbdadm adjust failed; start web on node1 not run: after a failed step)");
        assertThat(Reconcile.result(new ApplyResult(plan(List.of()), List.of(), Map.of(), List.of())))
                .isEqualTo(GOOD);
    }

    @Test
    void anErrorIsOneLine() {
        assertThat(Reconcile.Result.error("the plan has problems:\n  a\n  b\n").error())
                .isEqualTo("the plan has problems: a; b");
    }
}
