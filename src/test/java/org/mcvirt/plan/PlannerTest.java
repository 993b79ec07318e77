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

    @Test
    void aNarrowerCidrReplacesTheNetwork() throws Exception {
        // observed: mcvirt.demo.demo is 192.168.151.1 netmask 255.255.255.0; the manifest now says /25
        Plan plan = PlanGoldenTest.plan(CASES.resolve("network-netmask-changed"));
        ResourceChange change = plan.changes().stream().filter(c -> c.address().equals("network.demo@here"))
                .findFirst().orElseThrow(() -> new AssertionError("no change for network.demo@here: " + plan.changes()));
        assertThat(change.action()).isEqualTo(Action.REPLACE);
        assertThat(change.attributes()).contains(
                new AttributeChange("netmask", "255.255.255.0", "255.255.255.128", Effect.LIVE));
        assertThat(plan.steps()).filteredOn(s -> s.change().equals("network.demo@here")).extracting(Step::kind)
                .containsExactly(StepKind.DELETE_NETWORK, StepKind.CREATE_NETWORK);
        assertThat(plan.steps()).filteredOn(s -> s.kind() == StepKind.CREATE_NETWORK).singleElement()
                .satisfies(s -> assertThat(s.payload(StepPayload.CreateNetwork.class).xml()).contains("netmask='255.255.255.128'"));
        // demo-web runs on it: replacing the network under it is refused, as for any other network difference
        assertThat(plan.problems()).extracting(PlanFinding::message).containsExactly("network demo on node here must be replaced but running vms use it:"
                + " demo-web; stop them first");
        assertThat(plan.summary()).isEqualTo(new Plan.Summary(1, 0, 0, 1));
        assertThat(plan.destroys()).isTrue();
        assertThat(plan.changes()).hasSize(1);
    }

    @Test
    void anEditedDhcpRangeReplacesTheNetwork() throws Exception {
        // observed: the range of mcvirt.demo.demo was narrowed by hand to .100-.200; the manifest's /24 means .2-.254
        Plan plan = PlanGoldenTest.plan(CASES.resolve("network-dhcp-range-changed"));
        assertThat(plan.changes()).singleElement().satisfies(change -> {
            assertThat(change.address()).isEqualTo("network.demo@here");
            assertThat(change.action()).isEqualTo(Action.REPLACE);
            assertThat(change.attributes()).containsExactly(new AttributeChange("dhcp",
                    "192.168.151.100-192.168.151.200", "192.168.151.2-192.168.151.254", Effect.LIVE));
        });
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.DELETE_NETWORK, StepKind.CREATE_NETWORK);
    }

    @Test
    void aNarrowerCidrAlsoNarrowsTheDhcpRange() throws Exception {
        Plan plan = PlanGoldenTest.plan(CASES.resolve("network-netmask-changed"));
        assertThat(plan.changes()).singleElement().satisfies(change -> assertThat(change.attributes()).containsExactly(
                new AttributeChange("netmask", "255.255.255.0", "255.255.255.128", Effect.LIVE),
                new AttributeChange("dhcp", "192.168.151.2-192.168.151.254", "192.168.151.2-192.168.151.126", Effect.LIVE)));
    }
}
