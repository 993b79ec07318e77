package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
 * register and the "primary here" repair check the disks' health as a migration does (issue 17 item 5): with a
 * StandAlone or Outdated disk the vm is neither registered nor promoted nor started, and the plan problem names the vm,
 * the disk and the finding. Starts from the golden cases register-from-copy (files1 defined on no node, its saved
 * definition on both) and migrate-undone-both-secondary (files1 on node1, its disk Secondary on both nodes).
 */
class UnhealthyDiskRefusalTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("src/test/resources/testdata/plan");

    private static Plan plan(String folder, Consumer<ObjectNode> change) throws Exception {
        DesiredState desired = ManifestLoader.load(List.of(ROOT.resolve(folder).resolve("manifest.yaml")));
        ObjectNode observed = (ObjectNode) JSON.readTree(ROOT.resolve(folder).resolve("observed.json").toFile());
        change.accept(observed);
        return new Planner(new Renderer(Optional.empty())).plan(desired, JSON.treeToValue(observed,
                ObservedState.class), Planner.Options.all());
    }

    /** The DRBD resource mcvirt_files1_root on a node. */
    private static ObjectNode resource(ObjectNode observed, String node) {
        for (var n : observed.get("nodes")) {
            if (n.get("node").asText().equals(node)) {
                return (ObjectNode) n.get("drbd").get("resources").get(0);
            }
        }
        throw new AssertionError(node);
    }

    /** A split pair: StandAlone on both nodes, each side thinking the other's disk unknown. */
    private static void standAlone(ObjectNode observed) {
        for (String node : List.of("node1", "node2")) {
            resource(observed, node).put("connectionState", "StandAlone").put("peerDiskState", "DUnknown")
                    .put("peerRole", "Unknown");
        }
    }

    /** node2's copy Outdated (connected, not yet resynced). */
    private static void outdatedOnNode2(ObjectNode observed) {
        resource(observed, "node2").put("diskState", "Outdated");
        resource(observed, "node1").put("peerDiskState", "Outdated");
    }

    private static void assertRefused(Plan plan, String finding) {
        assertThat(plan.problems()).as(plan.problemMessages().toString()).anySatisfy(p -> {
            assertThat(p.code()).isEqualTo(PlanFinding.Code.DISK_NOT_HEALTHY);
            assertThat(p.subject()).isEqualTo(PlanFinding.Subject.vm("files1", "node1"));
            assertThat(p.message()).contains("vm files1", "disk root", "mcvirt_files1_root", finding);
        });
        // a plan with a problem is never applied; the vm's definition and disks are not touched by it either way
        assertThat(plan.steps()).extracting(Step::kind).as("nothing registers the vm or promotes its disk")
                .doesNotContain(StepKind.REGISTER_DOMAIN, StepKind.DRBD_PROMOTE);
    }

    @Test
    void registerWithHealthyDisksIsPlanned() throws Exception {
        assertThat(plan("register-from-copy", o -> { }).steps()).extracting(Step::kind)
                .containsExactly(StepKind.REGISTER_DOMAIN, StepKind.START_DOMAIN);
    }

    @Test
    void registerWithAStandAlonePairIsRefused() throws Exception {
        assertRefused(plan("register-from-copy", UnhealthyDiskRefusalTest::standAlone), "StandAlone");
    }

    @Test
    void registerWithAnOutdatedPeerIsRefused() throws Exception {
        assertRefused(plan("register-from-copy", UnhealthyDiskRefusalTest::outdatedOnNode2), "Outdated");
    }

    @Test
    void registerWithADiskNotUpOnThePeerIsRefused() throws Exception {
        assertRefused(plan("register-from-copy", o -> {
            resource(o, "node1").put("connectionState", "WFConnection").put("peerDiskState", "DUnknown");
            for (var n : o.get("nodes")) {
                if (n.get("node").asText().equals("node2")) {
                    ((ArrayNode) n.get("drbd").get("resources")).removeAll();
                }
            }
        }), "not");
    }

    @Test
    void primaryHereWithHealthyDisksPromotes() throws Exception {
        assertThat(plan("migrate-undone-both-secondary", o -> { }).steps()).extracting(Step::kind)
                .containsExactly(StepKind.DRBD_PROMOTE, StepKind.START_DOMAIN);
    }

    @Test
    void primaryHereWithAStandAlonePairIsRefused() throws Exception {
        assertRefused(plan("migrate-undone-both-secondary", UnhealthyDiskRefusalTest::standAlone), "StandAlone");
    }

    @Test
    void primaryHereWithAnOutdatedCopyHereIsRefused() throws Exception {
        assertRefused(plan("migrate-undone-both-secondary", o -> {
            resource(o, "node1").put("diskState", "Outdated");
            resource(o, "node2").put("peerDiskState", "Outdated");
        }), "Outdated");
    }
}
