package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.mcvirt.state.ObservedState;

/** --allow-destroy is decided on what the steps do in the cluster as read ({@link StepEffects}), not on their kinds. */
class StepEffectsTest {
    private static final Path ROOT = Path.of("src/test/resources/testdata/plan");

    private static ObservedState observed(String name) throws Exception {
        return new ObjectMapper().readValue(ROOT.resolve(name).resolve("observed.json").toFile(), ObservedState.class);
    }

    static List<String> cases() throws Exception {
        return PlanGoldenTest.cases().toList();
    }

    /** mcvirt's own plans label what they destroy: deciding on the effects agrees with the labels on every golden. */
    @ParameterizedTest
    @MethodSource("cases")
    void onEveryGoldenPlanTheEffectsAgreeWithTheLabels(String name) throws Exception {
        Plan plan = PlanGoldenTest.plan(ROOT.resolve(name));
        assertThat(!StepEffects.destroys(plan, observed(name)).isEmpty()).as(name).isEqualTo(plan.destroys());
    }

    @Test
    void aDefinitionThatDropsADiskDestroysThoughItsKindDoesNot() throws Exception {
        Plan plan = PlanGoldenTest.plan(ROOT.resolve("drift-memory-cpus"));
        Step define = plan.steps().get(0);
        StepPayload.DefineDomain payload = define.payload(StepPayload.DefineDomain.class);
        assertThat(payload.name()).isEqualTo("demo-db");
        String withoutData = payload.xml().replaceFirst("(?s)<disk device=\"disk\" type=\"file\">\\s*<driver[^>]*/>"
                + "\\s*<source file=\"/var/lib/mcvirt/images/demo-db-data.qcow2\"/>.*?</disk>", "");
        assertThat(withoutData).isNotEqualTo(payload.xml()).doesNotContain("demo-db-data.qcow2\"/>");
        List<Step> steps = new ArrayList<>(plan.steps());
        steps.set(0, new Step(define.id(), define.node(), define.subject(), define.uses(), define.change(),
                define.description(), new StepPayload.DefineDomain(payload.name(), withoutData, payload.copies()),
                define.dependsOn(), define.peers()));
        Plan dropping = new Plan(plan.formatVersion(), plan.cluster(), plan.fingerprint(), plan.manifestDigest(),
                plan.nodes(), plan.changes(), steps, plan.problems(), plan.warnings(), plan.summary());
        assertThat(dropping.destroys()).as("the labels say nothing is destroyed").isFalse();
        assertThat(StepEffects.destroys(dropping, observed("drift-memory-cpus"))).containsExactly("step 1"
                + " (DEFINE_DOMAIN on here): domain demo-db no longer has its disk"
                + " /var/lib/mcvirt/images/demo-db-data.qcow2");
    }

    @Test
    void anInitialSyncOverAPeerWhoseMetadataThePlanDoesNotCreateDestroys() throws Exception {
        Plan plan = PlanGoldenTest.plan(ROOT.resolve("replicated-create"));
        assertThat(StepEffects.destroys(plan, observed("replicated-create"))).isEmpty();
        // the same plan without beta's (the peer's) new metadata: the sync overwrites what beta has
        Step sync = plan.steps().stream().filter(s -> s.kind() == StepKind.DRBD_INITIAL_SYNC).findFirst().orElseThrow();
        List<Step> steps = plan.steps().stream().filter(s -> !(s.kind() == StepKind.CREATE_DRBD_METADATA
                && !s.node().equals(sync.node()))).map(s -> new Step(s.id(), s.node(), s.subject(), s.uses(),
                s.change(), s.description(), s.payload(StepPayload.class), s.dependsOn().stream()
                .filter(d -> plan.steps().get(d - 1).kind() != StepKind.CREATE_DRBD_METADATA
                        || plan.steps().get(d - 1).node().equals(sync.node())).toList(), s.peers())).toList();
        Plan overwriting = new Plan(plan.formatVersion(), plan.cluster(), plan.fingerprint(), plan.manifestDigest(),
                plan.nodes(), plan.changes(), steps, plan.problems(), plan.warnings(), plan.summary());
        assertThat(overwriting.destroys()).as("the labels say nothing is destroyed").isFalse();
        assertThat(StepEffects.destroys(overwriting, observed("replicated-create"))).singleElement().asString()
                .startsWith("step " + sync.id() + " (DRBD_INITIAL_SYNC on " + sync.node() + "): overwrites the peer's"
                        + " copy of mcvirt_web1_root");
    }

    /** An image written onto a replicated disk the plan creates destroys nothing; onto one already there, its data. */
    @Test
    void anImageWrittenOntoADiskThatWasThereBeforeThePlanDestroys() throws Exception {
        Plan plan = PlanGoldenTest.plan(ROOT.resolve("replicated-create"));
        Step sync = plan.steps().stream().filter(s -> s.kind() == StepKind.DRBD_INITIAL_SYNC).findFirst().orElseThrow();
        List<Step> steps = new ArrayList<>(plan.steps());
        steps.add(new Step(steps.size() + 1, sync.node(), sync.subject(), List.of(), sync.change(), "write image",
                new StepPayload.WriteImage("mcvirt_web1_root", 100, "/img/image.debian.0123456789ab.qcow2", "qcow2",
                        "a".repeat(64), 1L << 20), List.of(sync.id()), List.of()));
        Plan writing = new Plan(plan.formatVersion(), plan.cluster(), plan.fingerprint(), plan.manifestDigest(),
                plan.nodes(), plan.changes(), steps, plan.problems(), plan.warnings(), plan.summary());
        ObservedState observed = observed("replicated-create");
        assertThat(StepEffects.destroys(writing, observed)).as("the plan creates the LV").isEmpty();

        List<org.mcvirt.state.NodeObservation> nodes = observed.nodes().stream().map(n -> !n.node().equals(sync.node())
                ? n : n.withStorage(new org.mcvirt.state.ObservedLvm(n.lvm().availability(), n.lvm().errors(),
                n.lvm().volumeGroups(), List.of(new org.mcvirt.state.ObservedLvm.LogicalVolume("mcvirt_web1_root", "vg0",
                64L << 20, "/dev/vg0/mcvirt_web1_root", "-wi-a-----", List.of("mcvirt.c")))), n.drbd(), n.journal()))
                .toList();
        assertThat(StepEffects.destroys(writing, new ObservedState(nodes))).singleElement().asString()
                .endsWith("(WRITE_IMAGE on " + sync.node() + "): image written over the data already on"
                        + " mcvirt_web1_root (/dev/drbd100)");
    }

    @Test
    void aCdromIsNotADisk() {
        assertThat(StepEffects.disks("<domain><devices><disk type='file' device='cdrom'><source file='/i.iso'/>"
                + "</disk><disk type='block' device='disk'><source dev='/dev/drbd1'/></disk></devices></domain>"))
                .containsExactly("/dev/drbd1");
    }
}
