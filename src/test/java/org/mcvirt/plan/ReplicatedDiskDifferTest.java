package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mcvirt.plan.DifferFixture.CLUSTER;
import static org.mcvirt.plan.DifferFixture.RENDERER;
import static org.mcvirt.plan.DifferFixture.domain;
import static org.mcvirt.plan.DifferFixture.node;
import static org.mcvirt.plan.VmDifferTest.replicated;
import static org.mcvirt.plan.VmDifferTest.replicatedDesired;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;

class ReplicatedDiskDifferTest {
    private static final ReplicatedDiskDiffer DIFFER = new ReplicatedDiskDiffer(RENDERER);
    private static final VmDiffer VM_DIFFER = new VmDiffer(RENDERER);

    @Test
    void aRemovedVmsReplicatedDiskIsTakenDownAndItsLvsRemovedOnBothNodesOfItsPairAfterTheUndefine() {
        StorageSpec vg0 = new StorageSpec("vg0", StorageSpec.StorageType.LVM, "vg0", null);
        DesiredState desired = new DesiredState(CLUSTER, List.of(node("n", vg0), node("m", vg0)), List.of(), List.of());
        ObservedDomain plain = domain("web", false, 64, false);
        VmMetadata mark = new VmMetadata("c", "web", false, List.of(new VmMetadata.Disk("root", "vg0", "vda",
                "/dev/drbd100", "mcvirt_web_root", 100, 7900)), List.of("m", "n"));
        ObservedDomain web = new ObservedDomain(plain.name(), plain.uuid(), false, "shut-off", true, false, 1, 65536, 1,
                65536, List.of(), List.of(), null, mark, plain.definition());
        ObservedState observed = new ObservedState(List.of(
                new NodeObservation("n", true, null, "9.0.0", "QEMU", List.of(web), List.of(), List.of(), List.of()),
                new NodeObservation("m", true, null, "9.0.0", "QEMU", List.of(), List.of(), List.of(), List.of())));
        Diff diff = DIFFER.diff(desired, observed, Planner.Options.all());
        assertThat(diff.problems()).isEmpty();
        assertThat(diff.changes()).as("the vm's change is the vm differ's").isEmpty();
        assertThat(diff.drafts()).extracting(d -> d.kind() + " " + d.node() + " " + d.subject() + " uses " + d.uses())
                .containsExactly("DELETE_DRBD m drbd:m/mcvirt_web_root uses [domain:n/web]",
                        "DELETE_LV m lv:m/vg0/mcvirt_web_root uses [drbd:m/mcvirt_web_root]",
                        "DELETE_DRBD n drbd:n/mcvirt_web_root uses [domain:n/web]",
                        "DELETE_LV n lv:n/vg0/mcvirt_web_root uses [drbd:n/mcvirt_web_root]");
        Diff vm = VM_DIFFER.diff(desired, observed, Planner.Options.all());
        assertThat(vm.drafts()).extracting(d -> d.kind() + " " + d.node() + " " + d.subject() + " uses " + d.uses())
                .containsExactly("UNDEFINE_DOMAIN n domain:n/web uses []");
        assertThat(vm.changes()).singleElement().satisfies(c -> assertThat(c.attributes())
                .anyMatch(a -> a.name().equals("disk.root") && a.effect() == Effect.DATA_LOSS));
    }


    @Test
    void aLargerReplicatedDiskGrowsBothLvsThenTheResourceAndASmallerOneIsRefused() {
        Diff grow = DIFFER.diff(replicatedDesired(64, VmSpec.PowerState.STOPPED), replicated(32, List.of()),
                Planner.Options.all());
        assertThat(grow.problems()).isEmpty();
        assertThat(grow.drafts()).extracting(d -> d.kind() + " " + d.node() + " " + d.subject() + " uses " + d.uses())
                .containsExactly("GROW_LV m lv:m/vg0/mcvirt_web_root uses []",
                        "GROW_LV n lv:n/vg0/mcvirt_web_root uses []",
                        "GROW_DRBD n drbd:n/mcvirt_web_root uses [lv:m/vg0/mcvirt_web_root, lv:n/vg0/mcvirt_web_root]");
        assertThat(grow.changes()).isEmpty();
        assertThat(VM_DIFFER.diff(replicatedDesired(64, VmSpec.PowerState.STOPPED), replicated(32, List.of()),
                Planner.Options.all()).changes()).singleElement().satisfies(c -> assertThat(c.attributes())
                .containsExactly(new AttributeChange("disk.root.size", "32MiB", "64MiB", Effect.LIVE)));
        // an LV rounded up to the extent is not a shrink; a real one is refused
        assertThat(DIFFER.diff(replicatedDesired(62, VmSpec.PowerState.STOPPED), replicated(64, List.of()),
                Planner.Options.all())).isEqualTo(Diff.EMPTY);
        assertThat(VM_DIFFER.diff(replicatedDesired(62, VmSpec.PowerState.STOPPED), replicated(64, List.of()),
                Planner.Options.all())).isEqualTo(Diff.EMPTY);
        assertThat(DIFFER.diff(replicatedDesired(32, VmSpec.PowerState.STOPPED), replicated(64, List.of()),
                Planner.Options.all()).problems()).singleElement().asString()
                .contains("disk root is 64MiB but the manifest says 32MiB: shrinking a disk is refused");
        assertThat(VM_DIFFER.diff(replicatedDesired(32, VmSpec.PowerState.STOPPED), replicated(64, List.of()),
                Planner.Options.all())).as("the refusal is said once, by the disk differ").isEqualTo(Diff.EMPTY);
    }


    @Test
    void aResourceLeftSmallerThanItsGrownLvsByAnInterruptedApplyIsGrownAgain() {
        long device = (32L << 20) - (40L << 10);
        Diff stopped = DIFFER.diff(replicatedDesired(64, VmSpec.PowerState.STOPPED),
                replicated(64, List.of(), Map.of(100, device)), Planner.Options.all());
        assertThat(stopped.problems()).isEmpty();
        assertThat(stopped.drafts()).extracting(d -> d.kind() + " " + d.node() + " uses " + d.uses())
                .containsExactly("GROW_DRBD n uses []");
        assertThat(((StepPayload.GrowDrbd) stopped.drafts().get(0).payload()).minimumBytes())
                .isEqualTo((64L << 20) - (64L << 20) / 32768 - (1L << 20));
        assertThat(DIFFER.diff(replicatedDesired(64, VmSpec.PowerState.STOPPED),
                replicated(64, List.of(), Map.of(100, (64L << 20) - (40L << 10))), Planner.Options.all()))
                .as("a resource the size of its LVs").isEqualTo(Diff.EMPTY);
    }

}
