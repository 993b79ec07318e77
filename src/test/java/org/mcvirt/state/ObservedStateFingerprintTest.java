package org.mcvirt.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fingerprint covers the stable LVM and DRBD facts, not the ones that move while a disk is busy. */
class ObservedStateFingerprintTest {
    private static ObservedDrbd.Resource resource(String cs, String role, String disk, long oos, ObservedDrbd.Sync sync,
                                                  long written) {
        return new ObservedDrbd.Resource("r0", 0, 100, "/dev/vg0/r0", "internal", "10.99.0.1:7900", "10.99.0.2:7900",
                "C", Map.of("verify-alg", "sha1"), cs, role, "Secondary", disk, "UpToDate", oos, sync,
                Map.of("ns", written, "dw", written, "oos", oos));
    }

    private static String fingerprint(ObservedDrbd.Resource resource, List<VerifyRecord> verifications) {
        ObservedDrbd drbd = new ObservedDrbd(Availability.PRESENT, List.of(), "8.4.11", "api:1/proto:86-101", "9.22.0",
                List.of(resource), verifications);
        ObservedLvm lvm = new ObservedLvm(Availability.PRESENT, List.of(),
                List.of(new ObservedLvm.VolumeGroup("vg0", 4290772992L, 4223664128L)),
                List.of(new ObservedLvm.LogicalVolume("r0", "vg0", 67108864L, "/dev/vg0/r0", "-wi-ao----", List.of())));
        return new ObservedState(List.of(new NodeObservation("node1", true, null, "9.0.0", "QEMU 7.2", List.of(),
                List.of(), List.of(), List.of(), lvm, drbd))).fingerprint();
    }

    @Test
    void syncProgressAndCountersDoNotChangeIt() {
        String base = fingerprint(resource("SyncSource", "Primary", "UpToDate", 37848,
                new ObservedDrbd.Sync("resync", 43.8, 37848L, 65496L, "0:00:01", 27648L), 31744), List.of());
        assertThat(fingerprint(resource("SyncSource", "Primary", "UpToDate", 20000,
                new ObservedDrbd.Sync("resync", 69.5, 20000L, 65496L, "0:00:00", 30000L), 45592), List.of()))
                .isEqualTo(base);
    }

    @Test
    void rolesStatesAndOutOfSyncNessChangeIt() {
        String connected = fingerprint(resource("Connected", "Primary", "UpToDate", 0, null, 0), List.of());
        assertThat(fingerprint(resource("Connected", "Primary", "UpToDate", 0, null, 123456), List.of()))
                .isEqualTo(connected);
        assertThat(fingerprint(resource("Connected", "Secondary", "UpToDate", 0, null, 0), List.of())).isNotEqualTo(connected);
        assertThat(fingerprint(resource("StandAlone", "Primary", "UpToDate", 0, null, 0), List.of())).isNotEqualTo(connected);
        assertThat(fingerprint(resource("Connected", "Primary", "Inconsistent", 0, null, 0), List.of()))
                .isNotEqualTo(connected);
        String outOfSync = fingerprint(resource("Connected", "Primary", "UpToDate", 64, null, 0), List.of());
        assertThat(outOfSync).isNotEqualTo(connected);
        assertThat(fingerprint(resource("Connected", "Primary", "UpToDate", 128, null, 0), List.of())).isEqualTo(outOfSync);
        assertThat(fingerprint(resource("Connected", "Primary", "UpToDate", 0, null, 0), List.of(new VerifyRecord("r0",
                "2026-11-27T02:55:03Z", "2026-11-27T02:55:07Z", VerifyRecord.Result.CLEAN, 0L)))).isNotEqualTo(connected);
    }

    @Test
    void anObservationWithoutLvmAndDrbdReadsAsNotRead() throws Exception {
        ObservedState observed = new ObjectMapper().readValue(
                Path.of("src/test/resources/testdata/plan/no-changes/observed.json").toFile(), ObservedState.class);
        for (NodeObservation node : observed.nodes()) {
            assertThat(node.lvm()).isEqualTo(ObservedLvm.notRead());
            assertThat(node.drbd()).isEqualTo(ObservedDrbd.notRead());
        }
        assertThat(NodeObservation.unreachable("n", "down").drbd().availability()).isEqualTo(Availability.NOT_READ);
        // and what observe prints reads back the same
        ObjectMapper json = new ObjectMapper();
        ObservedState again = json.readValue(json.writeValueAsString(observed), ObservedState.class);
        assertThat(again).isEqualTo(observed);
        assertThat(again.fingerprint()).isEqualTo(observed.fingerprint());
    }
}
