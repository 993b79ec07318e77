package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mcvirt.app.Reconcile;
import org.mcvirt.testing.Cli;
import picocli.CommandLine;

/** mcvirt reconcile's command line: help, usage errors (64), --interval, and the round lines (text and JSON). */
class ReconcileCommandTest {
    private static final Instant AT = Instant.parse("2026-12-03T07:20:00.456Z");

    @Test
    void helpExplainsTheRepairsAndTheExitCodes() {
        Cli.Result help = Cli.run("reconcile", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--interval=DURATION", "--once", "--json", "never creates, deletes, migrates or fails over anything",
                "mcvirt -f cluster.yaml reconcile --once", "2 changes beyond repairs (not applied)");
        assertThat(Cli.run("--help").out()).contains("reconcile");
    }

    @Test
    void usageErrorsExit64() {
        for (List<String> args : List.of(List.of("reconcile", "--interval", "soon"),
                List.of("reconcile", "--interval", "0s"), List.of("reconcile", "--interval", "5d"),
                List.of("reconcile", "--interval", "-5s"), List.of("reconcile", "--no-such-flag"),
                List.of("reconcile", "web1"))) {
            Cli.Result result = Cli.run(args.toArray(String[]::new));
            assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(64);
        }
        assertThat(Cli.run("reconcile", "--interval", "soon").err()).contains("'soon' is not a duration");
    }

    @Test
    void intervalsTakeSecondsMinutesAndHours() {
        ReconcileCommand.IntervalConverter converter = new ReconcileCommand.IntervalConverter();
        assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(converter.convert("90")).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> converter.convert("1.5m")).isInstanceOf(CommandLine.TypeConversionException.class);
        assertThat(ReconcileCommand.duration(Duration.ofSeconds(120))).isEqualTo("2m");
        assertThat(ReconcileCommand.duration(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(ReconcileCommand.duration(Duration.ofHours(2))).isEqualTo("2h");
    }

    private static Reconcile.Round round(int number, Reconcile.Result result, Duration next, boolean backingOff) {
        return new Reconcile.Round(number, AT, result, Optional.ofNullable(next), backingOff);
    }

    @Test
    void eachRoundIsOneLineWithItsUtcTime() {
        assertThat(ReconcileCommand.line(round(3, Reconcile.Result.repaired(List.of(
                "bring up mcvirt_web_root on node1", "start web on node1")), Duration.ofSeconds(60), false)))
                .isEqualTo("2026-12-03T07:20:00Z round 3: 2 repairs applied (bring up mcvirt_web_root on node1;"
                        + " start web on node1)");
        assertThat(ReconcileCommand.line(round(1, Reconcile.Result.repaired(List.of("start web on node1")), null,
                false))).isEqualTo("2026-12-03T07:20:00Z round 1: 1 repair applied (start web on node1)");
        assertThat(ReconcileCommand.line(round(4, Reconcile.Result.nothingToRepair(), Duration.ofSeconds(60), false)))
                .isEqualTo("2026-12-03T07:20:00Z round 4: nothing to repair");
        assertThat(ReconcileCommand.line(round(5, Reconcile.Result.error("node node2 could not be read: timeout"),
                Duration.ofSeconds(60), true))).isEqualTo("2026-12-03T07:20:00Z round 5: error: node node2 could not"
                + " be read: timeout; next round in 1m (backing off)");
        assertThat(ReconcileCommand.line(round(5, Reconcile.Result.error("x"), null, false)))
                .isEqualTo("2026-12-03T07:20:00Z round 5: error: x");
        assertThat(ReconcileCommand.line(round(6, Reconcile.Result.beyondRepairs(3, List.of("DEFINE_DOMAIN",
                "SET_AUTOSTART")), Duration.ofSeconds(60), false))).isEqualTo("2026-12-03T07:20:00Z round 6: the plan"
                + " has changes beyond repairs (3 steps: DEFINE_DOMAIN, SET_AUTOSTART): run 'mcvirt plan'; nothing"
                + " applied");
    }

    @Test
    void jsonIsOneObjectPerRoundOnOneLine() throws Exception {
        String json = ReconcileCommand.json(round(5, Reconcile.Result.error("boom"), Duration.ofSeconds(120), true));
        assertThat(json).doesNotContain("\n");
        var tree = new ObjectMapper().readTree(json);
        assertThat(tree.get("time").asText()).isEqualTo("2026-12-03T07:20:00Z");
        assertThat(tree.get("round").asInt()).isEqualTo(5);
        assertThat(tree.get("outcome").asText()).isEqualTo("error");
        assertThat(tree.get("error").asText()).isEqualTo("boom");
        assertThat(tree.get("nextRoundSeconds").asLong()).isEqualTo(120);
        assertThat(tree.get("backingOff").asBoolean()).isTrue();
        String repaired = ReconcileCommand.json(round(1, Reconcile.Result.repaired(List.of("start web on node1")), null,
                false));
        assertThat(new ObjectMapper().readTree(repaired).get("outcome").asText()).isEqualTo("repaired");
        assertThat(new ObjectMapper().readTree(repaired).get("repairs").get(0).asText()).isEqualTo("start web on node1");
    }
}
