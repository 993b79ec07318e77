package org.mcvirt.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.VmMetadata;

/** Each DRBD condition that needs an operator is one finding with its fix; a healthy pair has none. */
class DiskHealthTest {
    private static ObservedDrbd.Resource r0(String cs, String role, String peerRole, String disk, String peerDisk,
                                            long oos) {
        return new ObservedDrbd.Resource("mcvirt_files1_data", 0, 300, "/dev/vg0/mcvirt_files1_data", "internal",
                "10.99.0.1:7800", "10.99.0.2:7800", "C", Map.of(), cs, role, peerRole, disk, peerDisk, oos, null,
                Map.of());
    }

    private static NodeObservation node(String name, ObservedDrbd.Resource resource, List<VerifyRecord> records,
                                        boolean withDomain) {
        VmMetadata meta = new VmMetadata("lab", "files1", false, List.of(new VmMetadata.Disk("data", "vg", "vda",
                "/dev/drbd300", "mcvirt_files1_data", 300, 7800)), List.of("node1", "node2"));
        List<ObservedDomain> domains = withDomain ? List.of(new ObservedDomain("files1", "u", true, "running", true,
                false, 1, 65536, 1, 65536, List.of(), List.of(), null, meta, "<domain/>")) : List.of();
        ObservedDrbd drbd = new ObservedDrbd(Availability.PRESENT, List.of(), "8.4.11", null, "9.22.0",
                resource == null ? List.of() : List.of(resource), records);
        return new NodeObservation(name, true, null, "9.0.0", "QEMU", domains, List.of(), List.of(), List.of(), null,
                drbd);
    }

    private static List<DiskHealth.Finding> findings(ObservedDrbd.Resource one, ObservedDrbd.Resource two,
                                                     List<VerifyRecord> records) {
        return DiskHealth.of(new ObservedState(List.of(node("node1", one, records, true),
                node("node2", two, records, false))), "lab");
    }

    @Test
    void aConnectedUpToDatePairIsHealthy() {
        assertThat(findings(r0("Connected", "Primary", "Secondary", "UpToDate", "UpToDate", 0),
                r0("Connected", "Secondary", "Primary", "UpToDate", "UpToDate", 0), List.of())).isEmpty();
    }

    @Test
    void eachConditionIsAFindingWithTheCommandThatFixesIt() {
        List<DiskHealth.Finding> standAlone = findings(r0("StandAlone", "Primary", "Unknown", "UpToDate", "DUnknown", 0),
                r0("WFConnection", "Secondary", "Unknown", "UpToDate", "DUnknown", 0), List.of());
        assertThat(standAlone).extracting(DiskHealth.Finding::kind)
                .containsExactly(DiskHealth.Kind.STANDALONE, DiskHealth.Kind.DISCONNECTED);
        assertThat(standAlone.get(0).text()).contains("on node1: StandAlone", "split-brain",
                "on node2 'drbdadm disconnect mcvirt_files1_data; drbdadm secondary mcvirt_files1_data; drbdadm"
                        + " connect --discard-my-data mcvirt_files1_data' (DESTROYS node2's changes");

        List<DiskHealth.Finding> degraded = findings(r0("Connected", "Primary", "Secondary", "UpToDate", "Diskless", 0),
                r0("Connected", "Secondary", "Primary", "Diskless", "UpToDate", 0), List.of());
        assertThat(degraded).extracting(DiskHealth.Finding::kind)
                .containsExactly(DiskHealth.Kind.DEGRADED, DiskHealth.Kind.DEGRADED);
        assertThat(degraded.get(1).fix()).isEqualTo("'drbdadm attach mcvirt_files1_data' on node2");

        List<DiskHealth.Finding> notUp = findings(r0("Connected", "Primary", "Secondary", "UpToDate", "UpToDate", 0),
                null, List.of());
        assertThat(notUp).extracting(DiskHealth.Finding::kind).containsExactly(DiskHealth.Kind.NOT_UP);
        assertThat(notUp.get(0).node()).isEqualTo("node2");
    }

    @Test
    void aVerifyThatFoundBlocksOutOfSyncMarksTheVmUntilACleanOneReplacesIt() {
        VerifyRecord found = new VerifyRecord("mcvirt_files1_data", "2026-11-27T05:00:00Z", "2026-11-27T05:00:05Z",
                VerifyRecord.Result.OUT_OF_SYNC, 64L, "node1", null);
        ObservedState marked = new ObservedState(List.of(
                node("node1", r0("Connected", "Primary", "Secondary", "UpToDate", "UpToDate", 64), List.of(found), true),
                node("node2", r0("Connected", "Secondary", "Primary", "UpToDate", "UpToDate", 64), List.of(found),
                        false)));
        assertThat(DiskHealth.of(marked, "lab")).extracting(DiskHealth.Finding::kind)
                .containsExactly(DiskHealth.Kind.OUT_OF_SYNC, DiskHealth.Kind.VERIFY_MARK);
        assertThat(DiskHealth.mark(marked, "lab", "files1")).get().extracting(DiskHealth.Finding::fix)
                .isEqualTo("'mcvirt resync files1 --source-node NODE' with the node whose data is good, then"
                        + " 'mcvirt verify files1'");
        assertThat(DiskHealth.mark(marked, "other-cluster", "files1")).isEmpty();

        // resynced: nothing out of sync any more, but the mark stays until a clean verify
        VerifyRecord clean = new VerifyRecord("mcvirt_files1_data", "2026-11-27T05:10:00Z", "2026-11-27T05:10:05Z",
                VerifyRecord.Result.CLEAN, 0L, "node1", null);
        assertThat(findings(r0("Connected", "Primary", "Secondary", "UpToDate", "UpToDate", 0),
                r0("Connected", "Secondary", "Primary", "UpToDate", "UpToDate", 0), List.of(found)))
                .extracting(DiskHealth.Finding::kind).containsExactly(DiskHealth.Kind.VERIFY_MARK);
        assertThat(findings(r0("Connected", "Primary", "Secondary", "UpToDate", "UpToDate", 0),
                r0("Connected", "Secondary", "Primary", "UpToDate", "UpToDate", 0), List.of(clean))).isEmpty();
    }
}
