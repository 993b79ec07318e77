package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerTest {
    private static final Path CASES = Path.of("src/test/resources/testdata/plan");

    @Test
    void targetLimitsThePlanToTheNamedVms() throws Exception {
        Path folder = CASES.resolve("create-from-empty");
        Plan all = PlanGoldenTest.plan(folder, Planner.Options.all());
        Plan onlyWeb = PlanGoldenTest.plan(folder, new Planner.Options(Set.of("demo-web")));
        assertThat(all.changes()).extracting(ResourceChange::address).contains("vm.demo-db", "vm.demo-web",
                "network.demo@here");
        assertThat(onlyWeb.changes()).extracting(ResourceChange::address).containsExactly("vm.demo-web");
        assertThat(onlyWeb.steps()).allMatch(s -> s.change().equals("vm.demo-web"));
    }

    @Test
    void theFingerprintIgnoresUnmanagedDomainsButNotManagedOnes() throws Exception {
        Path folder = CASES.resolve("no-changes");
        Plan base = PlanGoldenTest.plan(folder, Planner.Options.all());
        Plan drift = PlanGoldenTest.plan(CASES.resolve("drift-memory-cpus"), Planner.Options.all());
        assertThat(drift.fingerprint()).isNotEqualTo(base.fingerprint());
        assertThat(PlanGoldenTest.plan(CASES.resolve("create-from-empty"), Planner.Options.all()).fingerprint())
                .isNotEqualTo(base.fingerprint());
    }
}
