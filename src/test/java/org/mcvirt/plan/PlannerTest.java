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

    /** replicated-create with node alpha's total memory 32 MiB (beta's unread), in the given N+1 mode. */
    private static Plan replicatedCreateWithSmallAlpha(org.mcvirt.model.CapacitySpec.NPlusOne mode) throws Exception {
        Path folder = CASES.resolve("replicated-create");
        org.mcvirt.model.DesiredState read = org.mcvirt.manifest.ManifestLoader.load(java.util.List.of(
                folder.resolve("manifest.yaml")));
        org.mcvirt.model.DesiredState desired = new org.mcvirt.model.DesiredState(new org.mcvirt.model.ClusterSpec(
                read.cluster().name(), read.cluster().drbd(), new org.mcvirt.model.CapacitySpec(mode)), read.nodes(),
                read.networks(), read.vms());
        org.mcvirt.state.ObservedState golden = new com.fasterxml.jackson.databind.ObjectMapper().readValue(
                folder.resolve("observed.json").toFile(), org.mcvirt.state.ObservedState.class);
        org.mcvirt.state.ObservedState observed = new org.mcvirt.state.ObservedState(golden.nodes().stream()
                .map(n -> n.node().equals("alpha") ? n.withHost(n.freeMemoryBytes(), 32L << 20, n.savedDefinitions()) : n)
                .toList());
        return new Planner(new org.mcvirt.render.Renderer(java.util.Optional.empty())).plan(desired, observed,
                Planner.Options.all());
    }

    private static final String SMALL_ALPHA = "capacity: if beta failed, alpha could not hold the running vms: they"
            + " need 64.0 MiB (web1 from beta: 64.0 MiB), alpha has 32.0 MiB in total; add memory or run fewer vms on"
            + " the pair";

    @Test
    void aPairWhoseSurvivorIsTooSmallIsAWarningInThePlanText() throws Exception {
        Plan plan = replicatedCreateWithSmallAlpha(org.mcvirt.model.CapacitySpec.NPlusOne.WARN);
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.warnings()).extracting(PlanFinding::message).containsExactly(SMALL_ALPHA
                + " (cluster.capacity.nPlusOne: enforce makes this a plan problem)");
        assertThat(PlanText.render(plan, false)).startsWith("Warning: " + SMALL_ALPHA
                + " (cluster.capacity.nPlusOne: enforce makes this a plan problem)\n");
        // the golden case itself (no total memory read) has no such warning
        assertThat(PlanGoldenTest.plan(CASES.resolve("replicated-create")).warnings()).isEmpty();
    }

    @Test
    void withEnforceTheSamePlanHasAProblemAndApplyWouldRefuseIt() throws Exception {
        Plan plan = replicatedCreateWithSmallAlpha(org.mcvirt.model.CapacitySpec.NPlusOne.ENFORCE);
        assertThat(plan.warnings()).isEmpty();
        assertThat(plan.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(PlanFinding.Code.CAPACITY_N_PLUS_ONE_ENFORCED);
            assertThat(p.subject()).isEqualTo(PlanFinding.Subject.node("alpha"));
            assertThat(p.message()).isEqualTo(SMALL_ALPHA
                    + ", or set cluster.capacity.nPlusOne: warn to allow it");
        });
        assertThat(PlanText.render(plan, false)).startsWith("Error: " + SMALL_ALPHA
                + ", or set cluster.capacity.nPlusOne: warn to allow it\n")
                .contains("the plan has 1 problem(s) listed at the top; apply refuses it");
    }
}
