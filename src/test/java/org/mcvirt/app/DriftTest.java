package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.IntRange;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.plan.Action;
import org.mcvirt.plan.AttributeChange;
import org.mcvirt.plan.ChangeKind;
import org.mcvirt.plan.Effect;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.PlanFinding;
import org.mcvirt.plan.Planner;
import org.mcvirt.plan.ResourceChange;
import org.mcvirt.render.Renderer;
import org.mcvirt.state.Availability;
import org.mcvirt.state.Journal;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.VerifyRecord;

/**
 * The drift report from hand-built desired and observed states and plans: cluster c, nodes n1 and n2 (each with file
 * storage images and lvm storage vg0), network lan, and vm files on n1 with the replicated disk data (pair n1, n2).
 */
class DriftTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final String RESOURCE = "mcvirt_files_data";
    private static final List<StorageSpec> STORAGE = List.of(
            new StorageSpec("images", StorageSpec.StorageType.FILE, null, "/img"),
            new StorageSpec("vg0", StorageSpec.StorageType.LVM, "vg0", null));

    private static NodeSpec nodeSpec(String name) {
        return new NodeSpec(name, true, null, null, null, null, "qemu:///system", NodeSpec.DomainType.QEMU,
                "/var/lib/mcvirt", "/etc/drbd.d", STORAGE);
    }

    private static VmSpec files(String node) {
        return new VmSpec("files", node, 1, 64L << 20, VmSpec.PowerState.RUNNING, false, false,
                List.of(new VmSpec.DiskSpec("data", 64L << 20, "vg0", true, VmSpec.DiskBus.VIRTIO)), List.of(),
                List.of(), List.of(), List.of("n1", "n2"), VmSpec.Migration.OFFLINE);
    }

    private static DesiredState desired(Duration verifyMaxAge) {
        DrbdSpec drbd = new DrbdSpec(true, "C", "100M", "sha256", new IntRange(7800, 7899), new IntRange(300, 399),
                new DrbdSpec.SecretRef("/s", null), verifyMaxAge);
        return new DesiredState(new ClusterSpec("c", drbd), List.of(nodeSpec("n1"), nodeSpec("n2")),
                List.of(new NetworkSpec("lan", "br0", false, null)), List.of(files("n1")));
    }

    private static ObservedDrbd.Resource resource(String cs, String role, String peerRole, String disk, String peerDisk,
                                                  long outOfSyncKiB) {
        return new ObservedDrbd.Resource(RESOURCE, 0, 300, "/dev/vg0/" + RESOURCE, "internal", "10.0.0.1:7800",
                "10.0.0.2:7800", "C", Map.of(), cs, role, peerRole, disk, peerDisk, outOfSyncKiB, null, Map.of());
    }

    private static ObservedDomain filesDomain() {
        VmMetadata meta = new VmMetadata("c", "files", false, List.of(new VmMetadata.Disk("data", "vg0", "vda",
                "/dev/drbd300", RESOURCE, 300, 7800)), List.of("n1", "n2"));
        return new ObservedDomain("files", "u", true, "running", true, false, 1, 65536, 1, 65536, List.of(), List.of(),
                null, meta, "<domain/>");
    }

    private static NodeObservation node(String name, ObservedDrbd.Resource resource, List<VerifyRecord> records,
                                        List<Journal.Entry> journal) {
        ObservedDrbd drbd = new ObservedDrbd(Availability.PRESENT, List.of(), "9.2.0", null, "9.22.0",
                resource == null ? List.of() : List.of(resource), records);
        List<ObservedDomain> domains = name.equals("n1") ? List.of(filesDomain()) : List.of();
        return new NodeObservation(name, true, null, "9.0.0", "QEMU 7.2.0", domains, List.of(),
                List.of(new ObservedPool("mcvirt.c.images", "dir", true, true, "/img", List.of(), null)), List.of(),
                null, drbd, journal);
    }

    private static ObservedState healthy(List<VerifyRecord> records) {
        return new ObservedState(List.of(
                node("n1", resource("Connected", "Primary", "Secondary", "UpToDate", "UpToDate", 0), records, List.of()),
                node("n2", resource("Connected", "Secondary", "Primary", "UpToDate", "UpToDate", 0), records,
                        List.of())));
    }

    private static VerifyRecord verified(Duration ago, VerifyRecord.Result result) {
        Instant finished = NOW.minus(ago);
        return new VerifyRecord(RESOURCE, finished.minusSeconds(60).toString(), finished.toString(), result,
                result == VerifyRecord.Result.OUT_OF_SYNC ? 64L : 0L, "n1", null);
    }

    private static Plan plan(List<ResourceChange> changes, List<PlanFinding> problems) {
        return new Plan(Plan.FORMAT_VERSION, "c", "f", changes, List.of(), problems, new Plan.Summary(0, 0, 0, 0));
    }

    private static final List<ClusterLock.NodeLock> FREE = List.of(new ClusterLock.NodeLock("n1", null, null, "free"),
            new ClusterLock.NodeLock("n2", null, null, "free"));

    private static DriftReport assess(DesiredState desired, ObservedState observed, Plan plan,
                                      List<ClusterLock.NodeLock> locks, Optional<Journal.Interrupted> interrupted) {
        return Drift.assess(new Drift.Inputs(desired, observed, plan, locks, interrupted, NOW), "controller",
                Duration.ofMillis(1500));
    }

    private static DriftReport.Item item(DriftReport report, DriftReport.Kind kind, String name) {
        return report.objects().stream().filter(i -> i.kind() == kind && i.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + report));
    }

    @Test
    void aHealthyClusterHasNoDriftAndOneObjectPerNodeNetworkPoolVmAndReplicatedDisk() {
        DriftReport report = assess(desired(Duration.ofDays(7)),
                healthy(List.of(verified(Duration.ofDays(1), VerifyRecord.Result.CLEAN))), plan(List.of(), List.of()),
                FREE, Optional.empty());
        assertThat(report.objects()).extracting(i -> i.kind().label() + " " + i.name()).containsExactly(
                "node n1", "node n2", "network lan", "pool images@n1", "pool images@n2", "vm files", "disk files/data");
        assertThat(report.hasDrift()).isFalse();
        assertThat(report.objects()).allSatisfy(i -> assertThat(i.message()).isNull());
        assertThat(item(report, DriftReport.Kind.DISK, "files/data").notes())
                .containsExactly("last verify clean at 2026-11-26T12:00:00Z, 1d ago");
        assertThat(report.cluster()).isEqualTo("c");
        assertThat(report.checkedAt()).isEqualTo("2026-11-27T12:00:00Z");
        assertThat(report.durationMillis()).isEqualTo(1500);
    }

    @Test
    void aChangeFailsItsObjectWithTheAttributeLinesAsThePlanShowsThem() {
        List<ResourceChange> changes = List.of(
                new ResourceChange("vm.files", ChangeKind.VM, "files", "n1", Action.UPDATE, List.of(
                        new AttributeChange("memory", "128MiB", "64MiB", Effect.LIVE),
                        new AttributeChange("cpus", "2", "1", Effect.RESTART)), "the vm differs from the manifest"),
                new ResourceChange("vm.old", ChangeKind.VM, "old", "n2", Action.DELETE, List.of(
                        new AttributeChange("memory", "64MiB", null, Effect.LIVE)), "vm is not in the manifest"),
                new ResourceChange("network.lan@n2", ChangeKind.NETWORK, "lan", "n2", Action.UPDATE, List.of(
                        new AttributeChange("active", "false", "true", Effect.LIVE)), "network is stopped"),
                new ResourceChange("storage.images@n2", ChangeKind.STORAGE, "images", "n2", Action.CREATE, List.of(
                        new AttributeChange("path", null, "/img", Effect.LIVE)), "storage pool mcvirt.c.images does"
                        + " not exist"));
        DriftReport report = assess(desired(null), healthy(List.of()), plan(changes, List.of()), FREE, Optional.empty());

        DriftReport.Item files = item(report, DriftReport.Kind.VM, "files");
        assertThat(files.drifted()).isTrue();
        assertThat(files.type()).isEqualTo("change");
        assertThat(files.message()).isEqualTo("the vm differs from the manifest (memory, cpus) on node n1: apply would"
                + " update in place");
        assertThat(files.details()).containsExactly(files.message(),
                "    ~ memory = 128MiB -> 64MiB   (applies live)",
                "    ~ cpus   = 2 -> 1            (needs restart)");
        assertThat(item(report, DriftReport.Kind.VM, "old").message())
                .isEqualTo("vm is not in the manifest on node n2: apply would destroy");
        assertThat(item(report, DriftReport.Kind.VM, "old").details()).endsWith("    - memory = 64MiB");
        assertThat(item(report, DriftReport.Kind.NETWORK, "lan").message())
                .isEqualTo("network is stopped (active) on node n2: apply would update in place");
        assertThat(item(report, DriftReport.Kind.POOL, "images@n2").details()).endsWith("    + path = /img");
        assertThat(item(report, DriftReport.Kind.POOL, "images@n1").drifted()).isFalse();
        assertThat(report.drifted()).isEqualTo(4);
        // the vm that is not in the manifest is an object of its own, sorted with the others
        assertThat(report.objects()).extracting(DriftReport.Item::name).containsSubsequence("files", "old",
                "files/data");
    }

    @Test
    void problemsFromThePlannerFailTheObjectTheyName() {
        // an unmanaged domain in the way of a vm, and a foreign pool already on the directory of a storage
        DesiredState desired = new DesiredState(new ClusterSpec("c", null), List.of(nodeSpec("n1")), List.of(),
                List.of(new VmSpec("web", "n1", 1, 64L << 20, VmSpec.PowerState.RUNNING, false, false, List.of(),
                        List.of(), List.of(), List.of())));
        ObservedDomain hand = new ObservedDomain("web", "u", false, "shut-off", true, false, 1, 65536, 1, 65536,
                List.of(), List.of(), null, null, "<domain/>");
        ObservedState observed = new ObservedState(List.of(new NodeObservation("n1", true, null, "9.0.0", "QEMU",
                List.of(hand), List.of(), List.of(new ObservedPool("default", "dir", true, true, "/img", List.of(),
                null)), List.of())));
        Plan plan = new Planner(new Renderer(Optional.empty())).plan(desired, observed, Planner.Options.all());
        assertThat(plan.problems()).extracting(PlanFinding::code, PlanFinding::subject).containsExactlyInAnyOrder(
                tuple(PlanFinding.Code.UNMANAGED_DOMAIN, PlanFinding.Subject.vm("web", "n1")),
                tuple(PlanFinding.Code.STORAGE_PATH_TAKEN, PlanFinding.Subject.storage("images", "n1")));

        DriftReport report = assess(desired, observed, plan, List.of(), Optional.empty());
        assertThat(report.objects()).extracting(i -> i.kind().label() + " " + i.name() + " " + i.type())
                .containsExactly("node n1 null", "pool images@n1 problem", "vm web problem");
        assertThat(item(report, DriftReport.Kind.VM, "web").message()).startsWith("domain web on node n1 exists but is"
                + " not managed by mcvirt");
    }

    @ParameterizedTest(name = "{0} {1} {2}@{3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "NODE_NOT_READ | NODE | n2 | n2 | NODE | n2",
        "DISK_SHRINK | VM | files | n1 | VM | files",
        "VOLUME_EXISTS | VM | web | n1 | VM | web",
        "NETWORK_CLASH | NETWORK | lan | n1 | NETWORK | lan",
        "POOL_MISMATCH | STORAGE | images | n2 | POOL | images@n2",
        "STORAGE_PATH_TAKEN | STORAGE | images | n1 | POOL | images@n1",
        "NODE_WARNING | CLUSTER | c | - | CLUSTER | c",
        "SAVED | CLUSTER | - | - | CLUSTER | c"})
    void aProblemBelongsToTheObjectItsTypedSubjectNamesWhateverItsWording(PlanFinding.Code code,
            PlanFinding.Subject.Kind kind, String name, String node, DriftReport.Kind expected, String expectedName) {
        // the wording names another object on purpose: only the typed subject counts
        PlanFinding problem = new PlanFinding(code, new PlanFinding.Subject(kind, name, node),
                "network other on node n9: vm other is not what this problem is about");
        assertThat(DriftAssessment.subjectOf(problem, "c")).isEqualTo(new DriftAssessment.Subject(expected, expectedName));
    }

    @Test
    void aResourceFileEditedBeyondItsHandlersIsAWarningInThePlanAndDriftOfItsVm() {
        PlanFinding edited = new PlanFinding(PlanFinding.Code.DRBD_FILE_DIFFERS, PlanFinding.Subject.vm("web", "n2"),
                "DRBD resource file /etc/drbd.d/mcvirt_web_root.res on node n2 differs from what mcvirt writes");
        assertThat(edited.code().warning()).isTrue();
        Plan plan = plan(List.of(), List.of()).withWarning(edited)
                .withWarning(new PlanFinding(PlanFinding.Code.POOL_KEPT, PlanFinding.Subject.vm("web", "n2"), "kept"));
        DriftReport report = assess(desired(null), healthy(List.of()), plan, FREE, Optional.empty());
        assertThat(item(report, DriftReport.Kind.VM, "web").type()).isEqualTo("resource-file");
        assertThat(item(report, DriftReport.Kind.VM, "web").message()).isEqualTo(edited.message());
        assertThat(report.drifted()).as("another warning is not drift").isEqualTo(1);
    }

    @Test
    void aDiskWhoseManifestImageChangedIsNoDrift() {
        PlanFinding note = new PlanFinding(PlanFinding.Code.IMAGE_NOT_REWRITTEN, PlanFinding.Subject.vm("files", "n1"),
                "vm files disk data was made from image debian (0123456789ab) and the manifest now says image"
                        + " debian13 (ba9876543210): the image is used only when the disk is created; the disk is not"
                        + " rewritten");
        assertThat(note.code().warning()).isTrue();
        DriftReport report = assess(desired(null), healthy(List.of()), plan(List.of(), List.of()).withWarning(note),
                FREE, Optional.empty());
        assertThat(report.hasDrift()).isFalse();
        assertThat(item(report, DriftReport.Kind.VM, "files").message()).isNull();
    }

    @Test
    void aScheduledVerifyEditedOrDisabledOnANodeIsDriftOfThatNode() {
        List<ResourceChange> changes = List.of(new ResourceChange("node.n2.verify-schedule", ChangeKind.NODE,
                "verify-schedule", "n2", Action.UPDATE, List.of(new AttributeChange("timer", "disabled/inactive",
                "enabled/active", Effect.LIVE)), "the scheduled verify on this node is not what the manifest says"));
        DriftReport report = assess(desired(null), healthy(List.of()), plan(changes, List.of()), FREE, Optional.empty());
        DriftReport.Item node = item(report, DriftReport.Kind.NODE, "n2");
        assertThat(node.drifted()).isTrue();
        assertThat(node.type()).isEqualTo("change");
        assertThat(node.details()).contains("    ~ timer = disabled/inactive -> enabled/active   (applies live)");
        assertThat(item(report, DriftReport.Kind.NODE, "n1").drifted()).isFalse();
        assertThat(report.drifted()).isEqualTo(1);
    }

    @Test
    void aProblemThatNamesNoObjectMakesTheClusterDrift() {
        DriftReport report = assess(desired(null), healthy(List.of()), plan(List.of(),
                List.of(new PlanFinding(PlanFinding.Code.SAVED, PlanFinding.Subject.cluster(null), "something else"))), FREE,
                Optional.empty());
        assertThat(report.objects()).last().satisfies(i -> {
            assertThat(i.kind()).isEqualTo(DriftReport.Kind.CLUSTER);
            assertThat(i.name()).isEqualTo("c");
            assertThat(i.message()).isEqualTo("something else");
        });
        assertThat(report.drifted()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "split-brain | StandAlone   | Primary | Unknown   | UpToDate | DUnknown | 0  | StandAlone",
        "disconnected| WFConnection | Primary | Unknown   | UpToDate | DUnknown | 0  | not connected to n2",
        "degraded    | Connected    | Primary | Secondary | UpToDate | Diskless | 0  | degraded",
        "out of sync | Connected    | Primary | Secondary | UpToDate | UpToDate | 64 | 64 KiB out of sync"})
    void eachDrbdConditionFailsTheReplicatedDisk(String what, String cs, String role, String peerRole, String disk,
                                                 String peerDisk, long outOfSync, String expected) {
        ObservedState observed = new ObservedState(List.of(
                node("n1", resource(cs, role, peerRole, disk, peerDisk, outOfSync), List.of(), List.of()),
                node("n2", resource("Connected", "Secondary", "Primary", "UpToDate", "UpToDate", 0), List.of(),
                        List.of())));
        DriftReport report = assess(desired(null), observed, plan(List.of(), List.of()), FREE, Optional.empty());
        DriftReport.Item item = item(report, DriftReport.Kind.DISK, "files/data");
        assertThat(item.drifted()).isTrue();
        assertThat(item.type()).isEqualTo("disk-health");
        assertThat(item.message()).startsWith("vm files disk data (" + RESOURCE + ")").contains(expected)
                .contains("; fix: ").doesNotContain("\n");
        assertThat(report.drifted()).as("only the disk").isEqualTo(1);
    }

    @Test
    void aResyncInProgressIsANoteNotDrift() {
        ObservedState observed = new ObservedState(List.of(
                node("n1", resource("SyncSource", "Primary", "Secondary", "UpToDate", "Inconsistent", 64), List.of(),
                        List.of()),
                node("n2", resource("SyncTarget", "Secondary", "Primary", "Inconsistent", "UpToDate", 64), List.of(),
                        List.of())));
        DriftReport.Item item = item(assess(desired(null), observed, plan(List.of(), List.of()), FREE,
                Optional.empty()), DriftReport.Kind.DISK, "files/data");
        assertThat(item.drifted()).isFalse();
        assertThat(item.notes()).hasSize(2).allMatch(n -> n.contains("resync running"));
    }

    @Test
    void theLastVerifyMustBeNewerThanVerifyMaxAgeWhenItIsSet() {
        Duration week = Duration.ofDays(7);
        DriftReport.Item old = item(assess(desired(week),
                healthy(List.of(verified(Duration.ofDays(8).plusHours(3), VerifyRecord.Result.CLEAN))),
                plan(List.of(), List.of()), FREE, Optional.empty()), DriftReport.Kind.DISK, "files/data");
        assertThat(old.drifted()).isTrue();
        assertThat(old.type()).isEqualTo("verify-age");
        assertThat(old.message()).isEqualTo("last verify clean at 2026-11-19T09:00:00Z, 8d 3h ago: older than"
                + " cluster.drbd.verifyMaxAge 7d; fix: 'mcvirt verify files'");

        DriftReport.Item recent = item(assess(desired(week),
                healthy(List.of(verified(Duration.ofDays(6), VerifyRecord.Result.CLEAN))), plan(List.of(), List.of()),
                FREE, Optional.empty()), DriftReport.Kind.DISK, "files/data");
        assertThat(recent.drifted()).isFalse();

        DriftReport.Item never = item(assess(desired(Duration.ofHours(12)), healthy(List.of()),
                plan(List.of(), List.of()), FREE, Optional.empty()), DriftReport.Kind.DISK, "files/data");
        assertThat(never.message()).isEqualTo("never verified, and cluster.drbd.verifyMaxAge is 12h; fix: 'mcvirt"
                + " verify files'");

        DriftReport.Item unchecked = item(assess(desired(null), healthy(List.of()), plan(List.of(), List.of()), FREE,
                Optional.empty()), DriftReport.Kind.DISK, "files/data");
        assertThat(unchecked.drifted()).as("without verifyMaxAge the age is not checked").isFalse();

        DriftReport.Item marked = item(assess(desired(week),
                healthy(List.of(verified(Duration.ofDays(1), VerifyRecord.Result.OUT_OF_SYNC))),
                plan(List.of(), List.of()), FREE, Optional.empty()), DriftReport.Kind.DISK, "files/data");
        assertThat(marked.type()).isEqualTo("disk-health");
        assertThat(marked.message()).contains("found 64 KiB out of sync");
    }

    @Test
    void anUnreadableNodeDriftsAndWhatLivesOnItIsNotChecked() {
        ObservedState observed = new ObservedState(List.of(
                node("n1", resource("WFConnection", "Primary", "Unknown", "UpToDate", "DUnknown", 0), List.of(),
                        List.of()),
                NodeObservation.unreachable("n2", "node n2: connection refused")));
        String problem = "node n2 could not be read, so its networks, storage cannot be planned: connection refused";
        DriftReport report = assess(desired(null), observed, plan(List.of(), List.of(new PlanFinding(
                PlanFinding.Code.NODE_NOT_READ, PlanFinding.Subject.node("n2"), problem))),
                List.of(new ClusterLock.NodeLock("n1", null, null, "free"),
                        new ClusterLock.NodeLock("n2", null, "connection refused", "unknown")), Optional.empty());
        assertThat(item(report, DriftReport.Kind.NODE, "n2").details()).as("its lock error is not told twice")
                .containsExactly(problem);
        assertThat(item(report, DriftReport.Kind.NODE, "n1").drifted()).isFalse();
        assertThat(item(report, DriftReport.Kind.NETWORK, "lan").message())
                .isEqualTo("not checked on node n2: it could not be read");
        assertThat(item(report, DriftReport.Kind.POOL, "images@n2").type()).isEqualTo("not-checked");
        assertThat(item(report, DriftReport.Kind.POOL, "images@n1").drifted()).isFalse();
        assertThat(item(report, DriftReport.Kind.VM, "files").drifted()).isFalse();
        assertThat(item(report, DriftReport.Kind.DISK, "files/data").details()).containsExactly(
                "not checked on node n2: it could not be read",
                "vm files disk data (" + RESOURCE + ") on n1: not connected to n2 (WFConnection, Primary/Unknown,"
                        + " UpToDate/DUnknown): writes are not replicated; fix: check that n2 is up and reaches n1 on"
                        + " its DRBD address; then 'drbdadm adjust " + RESOURCE + "' on n2");
        assertThat(report.drifted()).isEqualTo(4);
    }

    @Test
    void aStaleLockAndAnApplyThatStoppedPartWayFailTheirNodes() {
        ClusterLock.Holder holder = new ClusterLock.Holder("ci-runner", "root", 4242, "t", "mcvirt apply",
                "2026-11-27T09:00:00Z", "token-1", "2026-11-27T09:00:00Z", 30);
        List<ClusterLock.NodeLock> locks = List.of(
                new ClusterLock.NodeLock("n1", holder, null, "stale: its process 4242 on this host is gone (break it"
                        + " with 'mcvirt lock break')"),
                new ClusterLock.NodeLock("n2", holder, null, "active: its process 4242 is running"));
        DriftReport report = assess(desired(null), healthy(List.of()), plan(List.of(), List.of()), locks,
                Optional.empty());
        DriftReport.Item n1 = item(report, DriftReport.Kind.NODE, "n1");
        assertThat(n1.type()).isEqualTo("stale-lock");
        assertThat(n1.message()).isEqualTo("stale cluster lock held by root@ci-runner pid 4242 running 'mcvirt apply'"
                + " since 2026-11-27T09:00:00Z; stale: its process 4242 on this host is gone (break it with 'mcvirt"
                + " lock break')");
        DriftReport.Item n2 = item(report, DriftReport.Kind.NODE, "n2");
        assertThat(n2.drifted()).as("an apply running now is not drift").isFalse();
        assertThat(n2.notes()).singleElement().asString().startsWith("cluster lock held by root@ci-runner");

        Journal.Entry started = new Journal.Entry("2026-11-27T09:00:01Z", "token-1", null, null, null,
                "apply-started", null, 3, "mcvirt apply");
        Journal.Entry step = new Journal.Entry("2026-11-27T09:00:02Z", "token-1", 1, "DEFINE_DOMAIN", "domain:n2/files",
                "started", null, null, null);
        ObservedState observed = new ObservedState(List.of(
                node("n1", resource("Connected", "Primary", "Secondary", "UpToDate", "UpToDate", 0), List.of(),
                        List.of()),
                node("n2", resource("Connected", "Secondary", "Primary", "UpToDate", "UpToDate", 0), List.of(),
                        List.of(started, step))));
        Journal.Interrupted interrupted = Journal.lastInterrupted(Map.of("n1", List.of(), "n2", List.of(started, step)),
                null).orElseThrow();
        DriftReport stopped = assess(desired(null), observed, plan(List.of(), List.of()), FREE,
                Optional.of(interrupted));
        assertThat(item(stopped, DriftReport.Kind.NODE, "n1").drifted()).isFalse();
        DriftReport.Item n2Stopped = item(stopped, DriftReport.Kind.NODE, "n2");
        assertThat(n2Stopped.type()).isEqualTo("interrupted-apply");
        assertThat(n2Stopped.message()).startsWith("an apply stopped part-way: apply token-1 ('mcvirt apply'")
                .contains("0 of 3 steps done");
    }

    @Test
    void severalFindingsMakeOneFailureWhoseMessageCountsTheRest() {
        ClusterLock.Holder holder = new ClusterLock.Holder("h", "u", 1, "t", "mcvirt apply", "2026-11-27T09:00:00Z",
                "x", null, 30);
        List<ClusterLock.NodeLock> locks = List.of(new ClusterLock.NodeLock("n1", holder, null, "possibly stale: held"
                + " for 180 min"), new ClusterLock.NodeLock("n2", null, "the lock file is damaged", "unknown"));
        DriftReport report = assess(desired(null), healthy(List.of()), plan(List.of(),
                List.of(new PlanFinding(PlanFinding.Code.NODE_NOT_READ, PlanFinding.Subject.node("n1"),
                        "node n1 has\na problem"))),
                locks, Optional.empty());
        DriftReport.Item n1 = item(report, DriftReport.Kind.NODE, "n1");
        assertThat(n1.type()).isEqualTo("problem");
        assertThat(n1.message()).isEqualTo("node n1 has a problem (and 1 more)");
        assertThat(n1.details()).hasSize(2);
        assertThat(item(report, DriftReport.Kind.NODE, "n2").type()).isEqualTo("lock-not-read");
    }

    @Test
    void aReplicatedDiskThatDoesNotExistYetOrIsNoLongerWantedDrifts() {
        List<VmSpec> vms = new ArrayList<>(List.of(files("n1")));
        DesiredState withoutTheVm = new DesiredState(desired(null).cluster(), desired(null).nodes(),
                desired(null).networks(), List.of());
        DriftReport.Item removed = item(assess(withoutTheVm, healthy(List.of()), plan(List.of(), List.of()), FREE,
                Optional.empty()), DriftReport.Kind.DISK, "files/data");
        assertThat(removed.message()).isEqualTo("vm files is not in the manifest: the plan removes the disk");

        ObservedState none = new ObservedState(List.of(node("n2", null, List.of(), List.of()),
                new NodeObservation("n1", true, null, "9.0.0", "QEMU", List.of(), List.of(), List.of(), List.of())));
        DriftReport.Item missing = item(assess(new DesiredState(desired(null).cluster(), desired(null).nodes(),
                List.of(), vms), none, plan(List.of(), List.of()), FREE, Optional.empty()), DriftReport.Kind.DISK,
                "files/data");
        assertThat(missing.message()).isEqualTo("does not exist on the nodes yet: apply creates it with vm files");
    }

    @Test
    void drbdThatCannotBeReadOnANodeOfThePairFailsTheDisk() {
        ObservedDrbd failed = new ObservedDrbd(Availability.FAILED, List.of("drbdsetup: exit 20"), null, null, "9.22.0",
                List.of(), List.of());
        NodeObservation n2 = new NodeObservation("n2", true, null, "9.0.0", "QEMU", List.of(), List.of(), List.of(),
                List.of(), null, failed);
        ObservedState observed = new ObservedState(List.of(
                node("n1", resource("Connected", "Primary", "Secondary", "UpToDate", "UpToDate", 0), List.of(),
                        List.of()), n2));
        DriftReport.Item item = item(assess(desired(null), observed, plan(List.of(), List.of()), FREE,
                Optional.empty()), DriftReport.Kind.DISK, "files/data");
        assertThat(item.type()).isEqualTo("drbd-not-read");
        assertThat(item.message()).isEqualTo("DRBD on node n2 cannot be read (failed: drbdsetup: exit 20)");
    }

    @Test
    void agesAreWrittenAsTheManifestWritesThem() {
        assertThat(VerifyAge.age(Duration.ofDays(7))).isEqualTo("7d");
        assertThat(VerifyAge.age(Duration.ofHours(36))).isEqualTo("1d 12h");
        assertThat(VerifyAge.age(Duration.ofMinutes(90))).isEqualTo("1h 30m");
        assertThat(VerifyAge.age(Duration.ofSeconds(59))).isEqualTo("0m");
        assertThat(VerifyAge.age(Duration.ofMinutes(-5))).isEqualTo("0m");
    }
}
