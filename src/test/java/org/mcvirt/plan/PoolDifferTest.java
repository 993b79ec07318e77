package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mcvirt.plan.DifferFixture.RENDERER;
import static org.mcvirt.plan.DifferFixture.desired;
import static org.mcvirt.plan.DifferFixture.images;
import static org.mcvirt.plan.DifferFixture.observed;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;

class PoolDifferTest {
    private static final PoolDiffer DIFFER = new PoolDiffer(RENDERER);

    @Test
    void aMissingFilePoolIsCreatedFromItsRenderedXml() {
        Diff diff = DIFFER.diff(desired(List.of(), List.of()), observed(List.of(), List.of(), List.of()), Planner.Options.all());
        assertThat(diff.problems()).isEmpty();
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.address()).isEqualTo("storage.images@n");
            assertThat(c.action()).isEqualTo(Action.CREATE);
            assertThat(c.attributes()).containsExactly(new AttributeChange("path", null, "/img", Effect.LIVE));
        });
        assertThat(diff.drafts()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(StepKind.CREATE_POOL);
            assertThat(d.subject()).isEqualTo("pool:n/mcvirt.c.images");
            assertThat(d.change()).isEqualTo("storage.images@n");
            StepPayload.CreatePool pool = (StepPayload.CreatePool) d.payload();
            assertThat(pool.name()).isEqualTo("mcvirt.c.images");
            assertThat(pool.xml()).contains("mcvirt.c.images", "/img");
        });
    }

    @Test
    void aStoppedPoolIsStartedAndARunningOneIsLeftAlone() {
        Diff stopped = DIFFER.diff(desired(List.of(), List.of()), observed(List.of(), List.of(), List.of(images(false))),
                Planner.Options.all());
        assertThat(stopped.changes()).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(Action.UPDATE);
            assertThat(c.attributes()).containsExactly(new AttributeChange("active", "false", "true", Effect.LIVE));
        });
        assertThat(stopped.drafts()).extracting(StepDraft::kind).containsExactly(StepKind.START_POOL);
        assertThat(DIFFER.diff(desired(List.of(), List.of()), observed(List.of(), List.of(), List.of(images(true))),
                Planner.Options.all())).isEqualTo(Diff.EMPTY);
    }

    @Test
    void aDirectoryThatIsAlreadyAnotherPoolIsAProblemAndNothingIsPlanned() {
        ObservedPool foreign = new ObservedPool("default", "dir", true, true, "/img", List.of(), null);
        Diff diff = DIFFER.diff(desired(List.of(), List.of()), observed(List.of(), List.of(), List.of(foreign)),
                Planner.Options.all());
        assertThat(diff.changes()).isEmpty();
        assertThat(diff.drafts()).isEmpty();
        assertThat(diff.problems()).singleElement().asString()
                .startsWith("storage images on node n: path /img is already the storage pool default");
    }

    @Test
    void aPoolAtAnotherPathIsNeverChangedInPlace() {
        ObservedPool moved = new ObservedPool("mcvirt.c.images", "dir", true, true, "/elsewhere", List.of(), null);
        Diff diff = DIFFER.diff(desired(List.of(), List.of()), observed(List.of(), List.of(), List.of(moved)),
                Planner.Options.all());
        assertThat(diff.drafts()).isEmpty();
        assertThat(diff.problems()).singleElement().asString().contains("is a dir pool at /elsewhere but the manifest"
                + " says a file pool at /img; pools are never changed in place");
    }

    @Test
    void lvmStorageATargetedPlanAndAnUnreadNodeGiveNothing() {
        NodeSpec lvmOnly = DifferFixture.node("n", new StorageSpec("vg", StorageSpec.StorageType.LVM, "vg0", null));
        DesiredState lvm = new DesiredState(DifferFixture.CLUSTER, List.of(lvmOnly), List.of(), List.of());
        ObservedState empty = observed(List.of(), List.of(), List.of());
        assertThat(DIFFER.diff(lvm, empty, Planner.Options.all())).isEqualTo(Diff.EMPTY);
        assertThat(DIFFER.diff(desired(List.of(), List.of()), empty, new Planner.Options(Set.of("vm"))))
                .isEqualTo(Diff.EMPTY);
        // the planner reports an unread node once; the differ plans nothing there
        ObservedState unread = new ObservedState(List.of(NodeObservation.unreachable("n", "node n: refused")));
        assertThat(DIFFER.diff(desired(List.of(), List.of()), unread, Planner.Options.all())).isEqualTo(Diff.EMPTY);
    }

    @Test
    void anEmptyPoolOfThisClusterThatTheManifestNoLongerNamesIsDestroyedAndItsDirectoryKept() {
        ObservedPool scratch = new ObservedPool("mcvirt.c.scratch", "dir", true, true, "/scratch", List.of(), null);
        Diff diff = DIFFER.diff(desired(List.of(), List.of()), observed(List.of(), List.of(),
                List.of(images(true), scratch)), Planner.Options.all());
        assertThat(diff.problems()).isEmpty();
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.address()).isEqualTo("storage.scratch@n");
            assertThat(c.action()).isEqualTo(Action.DELETE);
            assertThat(c.attributes()).containsExactly(new AttributeChange("path", "/scratch", null, Effect.LIVE));
            assertThat(c.reason()).isEqualTo("storage pool is not in the manifest and holds no volumes; its"
                    + " directory is kept");
        });
        assertThat(diff.drafts()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(StepKind.DELETE_POOL);
            assertThat(d.subject()).isEqualTo("pool:n/mcvirt.c.scratch");
            assertThat(d.description()).isEqualTo("remove storage pool mcvirt.c.scratch (its directory /scratch is"
                    + " kept)");
            assertThat(d.payload()).isEqualTo(new StepPayload.DeletePool("mcvirt.c.scratch"));
            assertThat(d.kind().destructive()).isTrue();
        });
    }

    @Test
    void aPoolOfThisClusterThatStillHoldsVolumesIsKeptWithAWarningNamingThem() {
        ObservedPool scratch = new ObservedPool("mcvirt.c.scratch", "dir", true, true, "/scratch", List.of(
                new ObservedPool.ObservedVolume("b.qcow2", "/scratch/b.qcow2", 1),
                new ObservedPool.ObservedVolume("a.qcow2", "/scratch/a.qcow2", 1)), null);
        Diff diff = DIFFER.diff(desired(List.of(), List.of()), observed(List.of(), List.of(),
                List.of(images(true), scratch)), Planner.Options.all());
        assertThat(diff.drafts()).isEmpty();
        assertThat(diff.changes()).isEmpty();
        assertThat(diff.problems()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(PlanFinding.Code.POOL_KEPT);
            assertThat(f.code().warning()).isTrue();
            assertThat(f.message()).isEqualTo("storage pool mcvirt.c.scratch on node n is not in the manifest but"
                    + " holds volumes a.qcow2, b.qcow2: it is kept; once they are gone, a plan removes it");
        });
    }

    @Test
    void anotherClustersPoolAndAPoolNotMcvirtsAreLeftAlone() {
        ObservedPool other = new ObservedPool("mcvirt.other.scratch", "dir", true, true, "/scratch", List.of(), null);
        ObservedPool foreign = new ObservedPool("default", "dir", true, true, "/var/lib/libvirt/images", List.of(),
                null);
        assertThat(DIFFER.diff(desired(List.of(), List.of()), observed(List.of(), List.of(),
                List.of(images(true), other, foreign)), Planner.Options.all())).isEqualTo(Diff.EMPTY);
    }
}
