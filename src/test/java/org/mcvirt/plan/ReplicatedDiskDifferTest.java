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
import org.mcvirt.state.Availability;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedLvm;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.NotifySpec;

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


    /** The resource file mcvirt writes for web's root disk today: the text of the create plan's file step. */
    private static String written(DesiredState desired) {
        ObservedState empty = new ObservedState(replicated(32, List.of()).nodes().stream().map(n -> new NodeObservation(
                n.node(), true, null, "9.0.0", "QEMU", List.of(), List.of(), List.of(), List.of(),
                new ObservedLvm(Availability.PRESENT, List.of(), n.lvm().volumeGroups(), List.of()),
                new ObservedDrbd(Availability.PRESENT, List.of(), "8.4.11", null, "9.22.0", List.of(), List.of())))
                .toList());
        return DIFFER.diff(desired, empty, Planner.Options.all()).drafts().stream()
                .filter(d -> d.kind() == StepKind.WRITE_DRBD_CONFIG)
                .map(d -> ((StepPayload.WriteDrbdConfig) d.payload()).text()).findFirst().orElseThrow();
    }

    /** replicated(32) with these resource files (as a node sends them: no secret line) on the nodes named. */
    private static ObservedState withFiles(Map<String, String> files) {
        return new ObservedState(replicated(32, List.of()).nodes().stream().map(n -> {
            ObservedDrbd d = n.drbd();
            Map<String, String> here = files.containsKey(n.node())
                    ? Map.of("mcvirt_web_root", files.get(n.node()).lines().filter(l -> !l.contains("shared-secret"))
                    .map(l -> l + "\n").collect(java.util.stream.Collectors.joining())) : Map.of();
            return new NodeObservation(n.node(), true, null, "9.0.0", "QEMU", n.domains(), List.of(), List.of(),
                    List.of(), n.lvm(), new ObservedDrbd(d.availability(), d.errors(), d.kernelVersion(), d.kernelApi(),
                    d.utilitiesVersion(), d.resources(), d.verifications(), d.deviceBytes(), d.failovers(), here));
        }).toList());
    }

    private static String withoutHandlers(String text) {
        return text.replaceAll("(?s)  handlers \\{.*?\n  }\n", "");
    }

    @Test
    void aKeptResourceFileWithoutHandlersIsRewrittenAndOneEditedBeyondThemIsOnlyReported() {
        DesiredState bare = replicatedDesired(32, VmSpec.PowerState.STOPPED);
        DesiredState desired = new DesiredState(bare.cluster(), bare.nodes().stream().map(n -> new org.mcvirt.model
                .NodeSpec(n.name(), n.local(), n.address(), n.clusterIp(), n.name().equals("n") ? "10.0.0.1"
                : "10.0.0.2", n.ssh(), n.libvirtUri(), n.domainType(), n.stateDirectory(), n.drbdConfigDirectory(),
                n.storage())).toList(), bare.networks(), bare.vms());
        String now = written(desired);
        assertThat(now).contains("handlers {", "out-of-sync \"logger -t mcvirt-drbd");
        assertThat(DIFFER.diff(desired, withFiles(Map.of("n", now, "m", now)), Planner.Options.all()))
                .as("files as mcvirt writes them").isEqualTo(Diff.EMPTY);
        assertThat(DIFFER.diff(desired, withFiles(Map.of("n", now.replace("# Managed by", "# Written by"))),
                Planner.Options.all())).as("a comment differs").isEqualTo(Diff.EMPTY);

        Diff old = DIFFER.diff(desired, withFiles(Map.of("n", withoutHandlers(now), "m", now)), Planner.Options.all());
        assertThat(old.problems()).isEmpty();
        assertThat(old.drafts()).extracting(d -> d.kind() + " " + d.node() + " " + d.subject())
                .containsExactly("WRITE_DRBD_CONFIG n drbd:n/mcvirt_web_root");
        assertThat(((StepPayload.WriteDrbdConfig) old.drafts().get(0).payload()).text()).isEqualTo(now);
        assertThat(old.changes()).singleElement().satisfies(c -> assertThat(c.attributes())
                .containsExactly(new AttributeChange("disk.root.handlers.n", "none", "journal", Effect.LIVE)));

        DesiredState notify = new DesiredState(new ClusterSpec("c", desired.cluster().drbd(),
                desired.cluster().capacity(), desired.cluster().migration(), new NotifySpec("/usr/local/bin/page")),
                desired.nodes(), desired.networks(), desired.vms());
        Diff paged = DIFFER.diff(notify, withFiles(Map.of("n", now, "m", now)), Planner.Options.all());
        assertThat(paged.drafts()).extracting(d -> d.kind() + " " + d.node()).containsExactly(
                "WRITE_DRBD_CONFIG m", "WRITE_DRBD_CONFIG n");
        assertThat(((StepPayload.WriteDrbdConfig) paged.drafts().get(0).payload()).text())
                .contains("timeout 10 /usr/local/bin/page mcvirt_web_root");

        Diff edited = DIFFER.diff(desired, withFiles(Map.of("n", withoutHandlers(now)
                .replace("resync-rate 100M", "resync-rate 5M"))), Planner.Options.all());
        assertThat(edited.drafts()).isEmpty();
        assertThat(edited.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(PlanFinding.Code.DRBD_FILE_DIFFERS);
            assertThat(p.code().warning()).isTrue();
            assertThat(p.message()).contains("mcvirt_web_root.res on node n differs from what mcvirt writes",
                    "left as it is");
        });
    }
}
