package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StepOrderTest {
    private static StepDraft draft(StepKind kind, String subject, String... uses) {
        return new StepDraft("n1", subject, List.of(uses), "vm.x", kind + " " + subject, SamplePayloads.of(kind));
    }

    @Test
    void ordersByTheRuleTableWhateverTheInputOrder() {
        List<StepDraft> drafts = List.of(
                draft(StepKind.START_DOMAIN, "domain:n1/x", "network:n1/mcvirt-net"),
                draft(StepKind.DEFINE_DOMAIN, "domain:n1/x", "volume:n1/p/x-root", "network:n1/mcvirt-net"),
                draft(StepKind.CREATE_VOLUME, "volume:n1/p/x-root", "pool:n1/p"),
                draft(StepKind.CREATE_NETWORK, "network:n1/mcvirt-net"),
                draft(StepKind.CREATE_POOL, "pool:n1/p"));
        List<Step> steps = StepOrder.order(drafts);
        assertThat(steps).extracting(Step::kind).containsExactly(StepKind.CREATE_POOL, StepKind.CREATE_VOLUME,
                StepKind.CREATE_NETWORK, StepKind.DEFINE_DOMAIN, StepKind.START_DOMAIN);
        assertThat(steps.get(3).dependsOn()).containsExactly(2);
        assertThat(steps.get(4).dependsOn()).containsExactly(3, 4);
        List<StepDraft> reversed = new java.util.ArrayList<>(drafts);
        java.util.Collections.reverse(reversed);
        assertThat(StepOrder.order(reversed)).isEqualTo(steps);
    }

    @Test
    void deletionRunsInReverse() {
        List<Step> steps = StepOrder.order(List.of(
                draft(StepKind.DELETE_NETWORK, "network:n1/mcvirt-net"),
                draft(StepKind.DELETE_VOLUME, "volume:n1/p/x-root", "domain:n1/x"),
                draft(StepKind.UNDEFINE_DOMAIN, "domain:n1/x", "network:n1/mcvirt-net"),
                draft(StepKind.SHUTDOWN_DOMAIN, "domain:n1/x", "network:n1/mcvirt-net")));
        assertThat(steps).extracting(Step::kind).containsExactly(StepKind.SHUTDOWN_DOMAIN, StepKind.UNDEFINE_DOMAIN,
                StepKind.DELETE_NETWORK, StepKind.DELETE_VOLUME);
    }

    @Test
    void unrelatedStepsDoNotDependOnEachOther() {
        List<Step> steps = StepOrder.order(List.of(draft(StepKind.START_DOMAIN, "domain:n1/a"),
                draft(StepKind.START_DOMAIN, "domain:n1/b")));
        assertThat(steps).allSatisfy(s -> assertThat(s.dependsOn()).isEmpty());
        assertThat(steps).extracting(Step::subject).containsExactly("domain:n1/a", "domain:n1/b");
    }

    @Test
    void aNewVmOnANetworkThatIsReplacedIsDefinedFirstAndStartedOnTheNewNetwork() {
        // libvirt defines a domain whose network does not exist yet; only starting needs it. With a rule "network
        // before define" this plan was a cycle (define < delete < create < define) and planning crashed.
        List<Step> steps = StepOrder.order(List.of(
                draft(StepKind.DELETE_NETWORK, "network:n1/mcvirt-net"),
                draft(StepKind.CREATE_NETWORK, "network:n1/mcvirt-net"),
                draft(StepKind.DEFINE_DOMAIN, "domain:n1/x", "network:n1/mcvirt-net"),
                draft(StepKind.START_DOMAIN, "domain:n1/x", "network:n1/mcvirt-net")));
        assertThat(steps).extracting(Step::kind).containsExactly(StepKind.DEFINE_DOMAIN, StepKind.DELETE_NETWORK,
                StepKind.CREATE_NETWORK, StepKind.START_DOMAIN);
        assertThat(steps.get(3).dependsOn()).containsExactly(1, 3);
    }
}
