package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.mcvirt.testing.Cli;

/** A saved plan printed again without any node (text, JSON, Markdown) and drawn as a step graph. */
class ShowAndGraphTest {
    private static final Path REMOVED = Path.of("src/test/resources/testdata/plan/vm-removed");
    private static final Path REPLICATED = Path.of("src/test/resources/testdata/plan/replicated-create");

    @Test
    void showPrintsTheSavedPlanAsPlanWouldHave() throws Exception {
        Cli.Result text = Cli.run("show", REMOVED.resolve("plan.json").toString());
        assertThat(text.exitCode()).as(text.toString()).isZero();
        assertThat(text.out()).isEqualTo(Files.readString(REMOVED.resolve("plan.txt")));
        Cli.Result json = Cli.run("show", "--json", REMOVED.resolve("plan.json").toString());
        assertThat(json.out()).isEqualTo(Files.readString(REMOVED.resolve("plan.json")));
        Cli.Result missing = Cli.run("show", "no-such.plan");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("cannot read plan file no-such.plan");
    }

    @Test
    void markdownPutsDataLossFirstOneSectionPerChangeAndTheSummaryLast() {
        Cli.Result md = Cli.run("show", "--format", "markdown", REMOVED.resolve("plan.json").toString());
        assertThat(md.exitCode()).as(md.toString()).isZero();
        String out = md.out();
        assertThat(out).startsWith("### mcvirt plan for cluster `");
        int loss = out.indexOf("#### :rotating_light: Destroys data");
        assertThat(loss).isPositive();
        assertThat(out.indexOf("<details><summary><code>- vm.")).isGreaterThan(loss);
        assertThat(out.lines().filter(l -> l.startsWith("<details>")).count())
                .isEqualTo(out.lines().filter(l -> l.equals("</details>")).count());
        assertThat(out.strip().lines().reduce((a, b) -> b).orElseThrow()).matches("\\*\\*Plan: \\d+ to create, \\d+ to"
                + " change, \\d+ to migrate, \\d+ to destroy\\.\\*\\*");
        assertThat(Cli.run("show", "--format", "markdown", REMOVED.resolve("plan.json").toString()).out())
                .as("deterministic").isEqualTo(out);
    }

    @Test
    void graphDrawsOneLanePerNodeAndAnArrowPerDependency() throws Exception {
        Cli.Result graph = Cli.run("graph", REPLICATED.resolve("plan.json").toString());
        assertThat(graph.exitCode()).as(graph.toString()).isZero();
        assertThat(graph.out()).startsWith("digraph ").contains("subgraph \"cluster_alpha\"",
                "subgraph \"cluster_beta\"").endsWith("}\n");
        var plan = org.mcvirt.plan.PlanCodec.fromJson(Files.readString(REPLICATED.resolve("plan.json")));
        long arrows = plan.steps().stream().mapToLong(s -> s.dependsOn().size()).sum();
        assertThat(graph.out().lines().filter(l -> l.matches("  s\\d+ -> s\\d+;"))).hasSize((int) arrows);
        assertThat(arrows).isPositive();
    }
}
