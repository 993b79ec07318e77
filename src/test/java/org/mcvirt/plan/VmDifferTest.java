package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mcvirt.plan.DifferFixture.RENDERER;
import static org.mcvirt.plan.DifferFixture.node;
import static org.mcvirt.plan.DifferFixture.desired;
import static org.mcvirt.plan.DifferFixture.disk;
import static org.mcvirt.plan.DifferFixture.domain;
import static org.mcvirt.plan.DifferFixture.images;
import static org.mcvirt.plan.DifferFixture.observed;
import static org.mcvirt.plan.DifferFixture.vm;

import java.util.List;
import org.mcvirt.render.Views;
import java.util.Map;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.state.Availability;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedLvm;
import org.mcvirt.state.VerifyRecord;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;

class VmDifferTest {
    private static final VmDiffer DIFFER = new VmDiffer(RENDERER);
    private static final NetworkSpec LAN = new NetworkSpec("lan", "br0", false, null);
    private static final ObservedPool.ObservedVolume WEB_ROOT =
            new ObservedPool.ObservedVolume("web-root.qcow2", "/img/web-root.qcow2", 64L << 20);

    @Test
    void aNewVmGetsItsVolumeADefinitionAndAStartThatUseTheVolumeAndTheNetwork() {
        VmSpec web = vm("web", 64, VmSpec.PowerState.RUNNING, false, List.of(disk("root", 64)),
                List.of(new VmSpec.NicSpec("lan", "52:54:00:00:00:01")));
        Diff diff = DIFFER.diff(desired(List.of(LAN), List.of(web)), observed(List.of(), List.of(), List.of(images(true))),
                Planner.Options.all());
        assertThat(diff.problems()).isEmpty();
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.address()).isEqualTo("vm.web");
            assertThat(c.action()).isEqualTo(Action.CREATE);
            assertThat(c.attributes()).extracting(AttributeChange::name)
                    .containsExactly("cpus", "memory", "disk.root", "nic.52:54:00:00:00:01", "autostart", "state");
        });
        assertThat(diff.drafts()).extracting(StepDraft::kind)
                .containsExactly(StepKind.CREATE_VOLUME, StepKind.DEFINE_DOMAIN, StepKind.START_DOMAIN);
        assertThat(diff.drafts().get(0).subject()).isEqualTo("volume:n/mcvirt.c.images/web-root.qcow2");
        assertThat(diff.drafts().get(0).uses()).containsExactly("pool:n/mcvirt.c.images");
        assertThat(diff.drafts().get(1).uses())
                .containsExactly("volume:n/mcvirt.c.images/web-root.qcow2", "network:n/mcvirt.c.lan");
        assertThat(((StepPayload.DefineDomain) diff.drafts().get(1).payload()).xml()).contains("/img/web-root.qcow2", "52:54:00:00:00:01");
    }

    @Test
    void anExistingVolumeOfTheNewDiskIsAProblemNotOverwritten() {
        VmSpec web = vm("web", 64, VmSpec.PowerState.STOPPED, false, List.of(disk("root", 64)), List.of());
        Diff diff = DIFFER.diff(desired(List.of(), List.of(web)),
                observed(List.of(), List.of(), List.of(images(true, WEB_ROOT))), Planner.Options.all());
        assertThat(diff.drafts()).extracting(StepDraft::kind).containsExactly(StepKind.DEFINE_DOMAIN);
        assertThat(diff.problems()).singleElement().asString()
                .startsWith("volume web-root.qcow2 already exists in pool mcvirt.c.images on node n");
    }

    @Test
    void memoryDriftOfAStoppedVmIsOneLiveUpdateByAnEditedDefinition() {
        VmSpec web = vm("web", 128, VmSpec.PowerState.STOPPED, false, List.of(disk("root", 64)), List.of());
        Diff diff = DIFFER.diff(desired(List.of(), List.of(web)),
                observed(List.of(domain("web", false, 64, false, "root")), List.of(), List.of(images(true, WEB_ROOT))),
                Planner.Options.all());
        assertThat(diff.problems()).isEmpty();
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(Action.UPDATE);
            assertThat(c.attributes()).containsExactly(new AttributeChange("memory", "64MiB", "128MiB", Effect.LIVE));
        });
        assertThat(diff.drafts()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(StepKind.DEFINE_DOMAIN);
            assertThat(((StepPayload.DefineDomain) d.payload()).xml()).contains("131072", "/img/web-root.qcow2", "pc-i440fx-7.2");
        });
    }

    @Test
    void aDiskRemovedFromTheManifestIsDataLossAndItsVolumeDeletionWaitsOnTheDomain() {
        VmSpec web = vm("web", 64, VmSpec.PowerState.STOPPED, false, List.of(disk("root", 64)), List.of());
        Diff diff = DIFFER.diff(desired(List.of(), List.of(web)),
                observed(List.of(domain("web", false, 64, false, "root", "old")), List.of(), List.of(images(true, WEB_ROOT))),
                Planner.Options.all());
        assertThat(diff.changes()).singleElement().satisfies(c -> assertThat(c.attributes())
                .containsExactly(new AttributeChange("disk.old", "/img/web-old.qcow2", null, Effect.DATA_LOSS)));
        assertThat(diff.drafts()).extracting(StepDraft::kind)
                .containsExactly(StepKind.DELETE_VOLUME, StepKind.DEFINE_DOMAIN);
        assertThat(diff.drafts().get(0).uses()).containsExactly("domain:n/web");
        assertThat(((StepPayload.DefineDomain) diff.drafts().get(1).payload()).xml()).doesNotContain("web-old.qcow2");
    }

    @Test
    void aVmNotInTheManifestIsDeletedWithItsVolumesUnlessProtected() {
        DesiredState none = desired(List.of(), List.of());
        Diff diff = DIFFER.diff(none, observed(List.of(domain("gone", true, 64, false, "root")), List.of(), List.of()),
                Planner.Options.all());
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(Action.DELETE);
            assertThat(c.attributes()).contains(new AttributeChange("disk.root", "/img/gone-root.qcow2", null,
                    Effect.DATA_LOSS));
        });
        assertThat(diff.drafts()).extracting(StepDraft::kind)
                .containsExactly(StepKind.SHUTDOWN_DOMAIN, StepKind.UNDEFINE_DOMAIN, StepKind.DELETE_VOLUME);
        Diff kept = DIFFER.diff(none, observed(List.of(domain("gone", true, 64, true, "root")), List.of(), List.of()),
                Planner.Options.all());
        assertThat(kept.changes()).isEmpty();
        assertThat(kept.drafts()).isEmpty();
        assertThat(kept.problems()).singleElement().asString()
                .startsWith("vm gone on node n is not in the manifest but is protected");
    }

    @Test
    void anUnmanagedDomainOfTheSameNameIsAProblemAndNeverTouched() {
        ObservedDomain byHand = new ObservedDomain("web", "u", false, "shut-off", true, false, 1, 65536, 1, 65536,
                List.of(), List.of(), null, null, "<domain/>");
        Diff diff = DIFFER.diff(desired(List.of(), List.of(vm("web", 64, VmSpec.PowerState.STOPPED, false, List.of(),
                List.of()))), observed(List.of(byHand), List.of(), List.of()), Planner.Options.all());
        assertThat(diff.changes()).isEmpty();
        assertThat(diff.drafts()).isEmpty();
        assertThat(diff.problems()).singleElement().asString()
                .startsWith("domain web on node n exists but is not managed by mcvirt");
    }

    @Test
    void aLargerFileDiskGrowsInPlaceAndASmallerOneIsRefused() {
        VmSpec bigger = vm("web", 64, VmSpec.PowerState.STOPPED, false, List.of(disk("root", 128)), List.of());
        ObservedState seen = observed(List.of(domain("web", true, 64, false, "root")), List.of(),
                List.of(images(true, WEB_ROOT)));
        Diff grow = DIFFER.diff(desired(List.of(), List.of(bigger)), seen, Planner.Options.all());
        assertThat(grow.problems()).isEmpty();
        assertThat(grow.changes()).singleElement().satisfies(c -> assertThat(c.attributes())
                .contains(new AttributeChange("disk.root.size", "64MiB", "128MiB", Effect.LIVE)));
        assertThat(grow.drafts()).filteredOn(d -> d.kind() == StepKind.GROW_VOLUME).singleElement().satisfies(d -> {
            assertThat(d.payload()).isEqualTo(new StepPayload.GrowVolume("mcvirt.c.images", "web-root.qcow2",
                    128L << 20, "web", "/img/web-root.qcow2"));
            assertThat(d.description()).contains("(live, in the running vm: block resize of vda)");
        });

        VmSpec smaller = vm("web", 64, VmSpec.PowerState.STOPPED, false, List.of(disk("root", 32)), List.of());
        Diff shrink = DIFFER.diff(desired(List.of(), List.of(smaller)), seen, Planner.Options.all());
        assertThat(shrink.problems()).singleElement().asString().isEqualTo("vm web disk root is 64MiB but the manifest"
                + " says 32MiB: shrinking a disk is refused (the guest's data past the new end would be lost); set the"
                + " size back to at least 64MiB");
        assertThat(shrink.drafts()).noneMatch(d -> d.kind() == StepKind.GROW_VOLUME);
    }

    /** A stopped vm web on n with a replicated disk root (LVs of lvMib on n and m) and these verify records. */
    static ObservedState replicated(long lvMib, List<VerifyRecord> records) {
        return replicated(lvMib, records, Map.of());
    }

    static ObservedState replicated(long lvMib, List<VerifyRecord> records, Map<Integer, Long> devices) {
        ObservedDomain plain = domain("web", false, 64, false);
        VmMetadata mark = new VmMetadata("c", "web", false, List.of(new VmMetadata.Disk("root", "vg0", "vda",
                "/dev/drbd100", "mcvirt_web_root", 100, 7900)), List.of("m", "n"));
        ObservedDomain web = new ObservedDomain(plain.name(), plain.uuid(), false, "shut-off", true, false, 1, 65536, 1,
                65536, List.of(new ObservedDomain.ObservedDisk("vda", "virtio", "/dev/drbd100")), List.of(), null, mark,
                plain.definition());
        List<NodeObservation> nodes = new java.util.ArrayList<>();
        for (String name : List.of("n", "m")) {
            ObservedLvm lvm = new ObservedLvm(Availability.PRESENT, List.of(),
                    List.of(new ObservedLvm.VolumeGroup("vg0", 4L << 30, 3L << 30, 4L << 20)),
                    List.of(new ObservedLvm.LogicalVolume("mcvirt_web_root", "vg0", lvMib << 20, "/dev/vg0/mcvirt_web_root",
                            "-wi-ao----", List.of("mcvirt.c"))));
            ObservedDrbd drbd = new ObservedDrbd(Availability.PRESENT, List.of(), "8.4.11", null, "9.22.0",
                    List.of(new ObservedDrbd.Resource("mcvirt_web_root", 0, 100, "/dev/vg0/mcvirt_web_root", "internal",
                            null, null, "C", Map.of(), "Connected", name.equals("n") ? "Primary" : "Secondary",
                            name.equals("n") ? "Secondary" : "Primary", "UpToDate", "UpToDate", 0, null, Map.of())),
                    records, devices);
            nodes.add(new NodeObservation(name, true, null, "9.0.0", "QEMU", name.equals("n") ? List.of(web) : List.of(),
                    List.of(), List.of(), List.of(), lvm, drbd));
        }
        return new ObservedState(nodes);
    }

    static DesiredState replicatedDesired(long sizeMib, VmSpec.PowerState state) {
        StorageSpec vg0 = new StorageSpec("vg0", StorageSpec.StorageType.LVM, "vg0", null);
        VmSpec web = new VmSpec("web", "n", 1, 64L << 20, state, false, false,
                List.of(new VmSpec.DiskSpec("root", sizeMib << 20, "vg0", true, VmSpec.DiskBus.VIRTIO)), List.of(),
                List.of(), List.of(), List.of("m", "n"), VmSpec.Migration.OFFLINE);
        return new DesiredState(new ClusterSpec("c", new DrbdSpec(true, "C", "100M", "sha1", new org.mcvirt.model.IntRange(7900, 7999), new org.mcvirt.model.IntRange(100, 199), new DrbdSpec.SecretRef("/s", null))),
                List.of(node("n", vg0), node("m", vg0)), List.of(), List.of(web));
    }

    @Test
    void aVmWhoseVerifyFoundBlocksOutOfSyncIsNotStarted() {
        VerifyRecord found = new VerifyRecord("mcvirt_web_root", "2026-11-27T05:00:00Z", "2026-11-27T05:00:04Z",
                VerifyRecord.Result.OUT_OF_SYNC, 64L, "n", null);
        Diff marked = DIFFER.diff(replicatedDesired(32, VmSpec.PowerState.RUNNING), replicated(32, List.of(found)),
                Planner.Options.all());
        assertThat(marked.problems()).singleElement().asString().isEqualTo("vm web cannot be started: disk root"
                + " (mcvirt_web_root): the verify of 2026-11-27T05:00:00Z found 64 KiB out of sync; the vm is not started"
                + " until a resync and a clean verify; fix: 'mcvirt resync web --source-node NODE' with the node whose"
                + " data is good, then 'mcvirt verify web'");
        VerifyRecord clean = new VerifyRecord("mcvirt_web_root", "2026-11-27T05:10:00Z", "2026-11-27T05:10:04Z",
                VerifyRecord.Result.CLEAN, 0L, "n", null);
        Diff start = DIFFER.diff(replicatedDesired(32, VmSpec.PowerState.RUNNING), replicated(32, List.of(clean)),
                Planner.Options.all());
        assertThat(start.problems()).isEmpty();
        assertThat(start.drafts()).extracting(StepDraft::kind).containsExactly(StepKind.START_DOMAIN);
    }

    @Test
    void aResourceAnInterruptedApplyBroughtUpKeepsItsMinorAndPort() {
        // no domain records the disk yet, but its resource is up on m with minor 105 and port 7905; minor 100 is free
        ObservedState interrupted = new ObservedState(replicated(32, List.of()).nodes().stream()
                .map(n -> new NodeObservation(n.node(), true, null, "9.0.0", "QEMU", List.of(), List.of(), List.of(),
                        List.of(), n.lvm(), n.node().equals("n") ? new ObservedDrbd(Availability.PRESENT, List.of(),
                        "8.4.11", null, "9.22.0", List.of(), List.of()) : new ObservedDrbd(Availability.PRESENT, List.of(),
                        "8.4.11", null, "9.22.0", List.of(new ObservedDrbd.Resource("mcvirt_web_root", 0, 105,
                        "/dev/vg0/mcvirt_web_root", "internal", "10.0.0.2:7905", "10.0.0.1:7905", "C", Map.of(),
                        "WFConnection", "Secondary", "Unknown", "Inconsistent", "DUnknown", 0, null, Map.of())),
                        List.of()))).toList());
        DrbdAllocation allocation = DrbdAllocation.of(replicatedDesired(32, VmSpec.PowerState.STOPPED), interrupted,
                DrbdAllocation.minorsInUse(interrupted), DrbdAllocation.portsInUse(interrupted));
        assertThat(allocation.of("web")).containsEntry("root", new Views.DrbdDiskView("mcvirt_web_root", 105, 7905));
    }

    @Test
    void onlyTheTargetedVmsArePlanned() {
        DesiredState desired = desired(List.of(), List.of(vm("web", 64, VmSpec.PowerState.STOPPED, false, List.of(),
                List.of())));
        ObservedState observed = observed(List.of(domain("gone", false, 64, false)), List.of(), List.of());
        assertThat(DIFFER.diff(desired, observed, new Planner.Options(Set.of("other")))).isEqualTo(Diff.EMPTY);
        assertThat(DIFFER.diff(desired, observed, new Planner.Options(Set.of("gone"))).changes())
                .extracting(ResourceChange::address).containsExactly("vm.gone");
    }
}
