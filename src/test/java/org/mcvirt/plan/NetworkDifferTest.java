package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mcvirt.plan.DifferFixture.RENDERER;
import static org.mcvirt.plan.DifferFixture.desired;
import static org.mcvirt.plan.DifferFixture.observed;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedNetwork;
import org.mcvirt.state.ObservedState;

class NetworkDifferTest {
    private static final NetworkDiffer DIFFER = new NetworkDiffer(RENDERER);
    private static final NetworkSpec BRIDGED = new NetworkSpec("lan", "br0", false, null);
    private static final NetworkSpec NAT = new NetworkSpec("nat", null, true, "10.9.0.0/24");

    private static ObservedNetwork bridge(String name, boolean active, String bridge) {
        return new ObservedNetwork(name, active, true, true, "bridge", bridge, null, null, null, null);
    }

    private static ObservedDomain user(String name, boolean running, String network) {
        return new ObservedDomain(name, "u", running, running ? "running" : "shut-off", true, false, 1, 65536, 1, 65536,
                List.of(), List.of(new ObservedDomain.ObservedNic("52:54:00:00:00:01", "network", network)), null,
                new VmMetadata("c", name, false, List.of()), "<domain/>");
    }

    @Test
    void aMissingNetworkIsCreatedWithTheAttributesItWillHave() {
        Diff diff = DIFFER.diff(desired(List.of(NAT), List.of()), observed(List.of(), List.of(), List.of()),
                Planner.Options.all());
        assertThat(diff.problems()).isEmpty();
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.address()).isEqualTo("network.nat@n");
            assertThat(c.action()).isEqualTo(Action.CREATE);
            assertThat(c.attributes()).extracting(AttributeChange::name)
                    .containsExactly("forward", "bridge", "address", "netmask", "dhcp");
            assertThat(c.attributes()).contains(new AttributeChange("dhcp", null, "10.9.0.2-10.9.0.254", Effect.LIVE));
        });
        assertThat(diff.drafts()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(StepKind.CREATE_NETWORK);
            assertThat(d.subject()).isEqualTo("network:n/mcvirt.c.nat");
            assertThat(((StepPayload.CreateNetwork) d.payload()).xml()).contains("mcvirt.c.nat", "10.9.0.1");
        });
    }

    @Test
    void aDifferentNetworkIsReplacedAndRunningUsersAreAProblem() {
        Diff diff = DIFFER.diff(desired(List.of(BRIDGED), List.of()), observed(
                List.of(user("web", true, "mcvirt.c.lan")), List.of(bridge("mcvirt.c.lan", true, "br9")), List.of()),
                Planner.Options.all());
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(Action.REPLACE);
            assertThat(c.attributes()).containsExactly(new AttributeChange("bridge", "br9", "br0", Effect.LIVE));
        });
        assertThat(diff.drafts()).extracting(StepDraft::kind)
                .containsExactly(StepKind.DELETE_NETWORK, StepKind.CREATE_NETWORK);
        assertThat(diff.problems()).extracting(PlanFinding::message).containsExactly("network lan on node n must be replaced but running vms use it:"
                + " web; stop them first");
    }

    @Test
    void aStoppedNetworkIsStartedAndAMatchingOneIsLeftAlone() {
        Diff stopped = DIFFER.diff(desired(List.of(BRIDGED), List.of()),
                observed(List.of(), List.of(bridge("mcvirt.c.lan", false, "br0")), List.of()), Planner.Options.all());
        assertThat(stopped.changes()).singleElement().satisfies(c -> assertThat(c.attributes())
                .containsExactly(new AttributeChange("active", "false", "true", Effect.LIVE)));
        assertThat(stopped.drafts()).extracting(StepDraft::kind).containsExactly(StepKind.START_NETWORK);
        assertThat(DIFFER.diff(desired(List.of(BRIDGED), List.of()),
                observed(List.of(), List.of(bridge("mcvirt.c.lan", true, "br0")), List.of()), Planner.Options.all()))
                .isEqualTo(Diff.EMPTY);
    }

    @Test
    void thisClustersNetworkNotInTheManifestIsDeletedAndAnotherClustersIsNot() {
        VmSpec stillThere = DifferFixture.vm("web", 64, VmSpec.PowerState.STOPPED, false, List.of(), List.of());
        Diff diff = DIFFER.diff(desired(List.of(), List.of(stillThere)), observed(List.of(user("web", false, "mcvirt.c.old")),
                List.of(bridge("mcvirt.c.old", true, "br1"), bridge("mcvirt.other.old", true, "br2")), List.of()),
                Planner.Options.all());
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.address()).isEqualTo("network.old@n");
            assertThat(c.action()).isEqualTo(Action.DELETE);
        });
        assertThat(diff.drafts()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(StepKind.DELETE_NETWORK);
            assertThat(d.subject()).isEqualTo("network:n/mcvirt.c.old");
        });
        assertThat(diff.problems()).extracting(PlanFinding::message).containsExactly("network old on node n is to be destroyed but vm web still uses it");
    }

    @Test
    void aBridgeAnActiveForeignNetworkUsesIsAProblemAndATargetedPlanHasNoNetworks() {
        ObservedState foreign = observed(List.of(), List.of(bridge("default", true, "br0")), List.of());
        Diff diff = DIFFER.diff(desired(List.of(BRIDGED), List.of()), foreign, Planner.Options.all());
        assertThat(diff.changes()).isEmpty();
        assertThat(diff.drafts()).isEmpty();
        assertThat(diff.problems()).extracting(PlanFinding::message).containsExactly("network lan on node n: the active network default already uses"
                + " bridge br0; choose another bridge");
        assertThat(DIFFER.diff(desired(List.of(BRIDGED), List.of()), foreign, new Planner.Options(Set.of("web"))))
                .isEqualTo(Diff.EMPTY);
    }
}
