package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;
import org.mcvirt.render.Renderer;
import org.mcvirt.state.ObservedState;

/**
 * A node back from a reboot or a power cut that stays online in the manifest (issue 16 item 5): its DRBD resources are
 * brought up, the vm's node made primary once up, the vm started; never more than that. Starts from the golden case
 * reboot-home-node (files1's resource down on node1, its home; node2 Secondary in WFConnection).
 */
class RebootRecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("src/test/resources/testdata/plan");

    private static Plan plan(String folder, Consumer<ObjectNode> change) throws Exception {
        DesiredState desired = ManifestLoader.load(List.of(ROOT.resolve(folder).resolve("manifest.yaml")));
        ObjectNode observed = (ObjectNode) JSON.readTree(ROOT.resolve(folder).resolve("observed.json").toFile());
        change.accept(observed);
        return new Planner(new Renderer(Optional.empty())).plan(desired, JSON.treeToValue(observed,
                ObservedState.class), Planner.Options.all());
    }

    private static ObjectNode node(ObjectNode observed, String name) {
        for (var n : observed.get("nodes")) {
            if (n.get("node").asText().equals(name)) {
                return (ObjectNode) n;
            }
        }
        throw new AssertionError(name);
    }

    private static List<String> steps(Plan plan) {
        return plan.steps().stream().map(s -> s.kind() + " " + s.node() + " " + s.dependsOn()).toList();
    }

    @Test
    void bothNodesDownAreBothBroughtUpAndThePromoteWaitsForThePeersUpToo() throws Exception {
        Plan plan = plan("reboot-home-node", o -> ((ObjectNode) node(o, "node2").get("drbd")).putArray("resources"));
        assertThat(plan.problems()).isEmpty();
        assertThat(steps(plan)).containsExactly("DRBD_UP node1 []", "DRBD_UP node2 []", "DRBD_PROMOTE node1 [1, 2]",
                "START_DOMAIN node1 [3]");
    }

    @Test
    void aPeerThatIsStandAloneStopsThePromoteAndTheStart() throws Exception {
        Plan plan = plan("reboot-home-node", o -> ((ObjectNode) node(o, "node2").get("drbd").get("resources").get(0))
                .put("connectionState", "StandAlone"));
        assertThat(plan.problemMessages()).anySatisfy(p -> assertThat(p).contains("vm files1 is not made primary on"
                + " its node node1").contains("StandAlone"));
        assertThat(plan.steps()).extracting(Step::kind).doesNotContain(StepKind.DRBD_PROMOTE);
    }

    @Test
    void nothingIsBroughtUpWithoutMcvirtsLogicalVolume() throws Exception {
        Plan plan = plan("reboot-home-node", o -> ((ObjectNode) node(o, "node1").get("lvm")).putArray("logicalVolumes"));
        assertThat(plan.steps()).extracting(Step::kind).doesNotContain(StepKind.DRBD_UP, StepKind.DRBD_PROMOTE);
    }

    @Test
    void aRebootedNodePlansNothingDestructive() throws Exception {
        for (String folder : List.of("reboot-home-node", "reboot-peer-node")) {
            Plan plan = plan(folder, o -> { });
            assertThat(plan.problems()).isEmpty();
            assertThat(plan.destroys()).as(folder).isFalse();
            assertThat(plan.steps()).extracting(Step::kind).as(folder).allMatch(k -> !k.destructive())
                    .containsAnyOf(StepKind.DRBD_UP);
            assertThat(plan.steps()).extracting(Step::payload).noneMatch(p -> p instanceof StepPayload.DrbdPromote d
                    && d.force());
        }
    }
}
