package org.mcvirt.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** StorageReader over a transport that answers with outputs captured on the lab (testdata/drbd, testdata/lvm). */
class StorageReaderTest {
    private static final Path DRBD = Path.of("src/test/resources/testdata/drbd");
    private static final Path LVM = Path.of("src/test/resources/testdata/lvm");
    private static final String LVS = "lvs --reportformat json --units b --nosuffix -o " + LvmParser.LV_FIELDS;
    private static final String VGS = "vgs --reportformat json --units b --nosuffix -o " + LvmParser.VG_FIELDS;

    private static String read(Path file) throws Exception {
        return Files.readString(file);
    }

    @Test
    void aNodeWithoutLvmAndDrbdIsAbsentNotAnError() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport()
                .answer("cat /proc/drbd", 1, "", "cat: /proc/drbd: No such file or directory\n");
        StorageReader.Result result = StorageReader.read(node, "/var/lib/mcvirt", null);
        assertThat(result.lvm()).isEqualTo(new ObservedLvm(Availability.ABSENT, List.of(), List.of(), List.of()));
        assertThat(result.drbd()).isEqualTo(new ObservedDrbd(Availability.ABSENT, List.of(), null, null, null, List.of(),
                List.of()));
    }

    @Test
    void theToolsRunWithSbinOnThePathAndNoInput() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport();
        StorageReader.read(node, "/var/lib/mcvirt", null);
        assertThat(node.commands).isNotEmpty().allSatisfy(command -> {
            assertThat(command.subList(0, 2)).containsExactly("sh", "-c");
            assertThat(command.get(2)).contains("PATH=\"$PATH:/usr/sbin:/sbin\"", "exec \"$@\" </dev/null");
            assertThat(command.get(3)).isEqualTo("mcvirt-read");
        });
    }

    @Test
    void aDrbd9KernelIsReadWithStatusJsonNotDrbdsetupShow() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport()
                .answer("cat /proc/drbd", read(DRBD.resolve("proc-drbd9.txt")))
                .answer("drbdadm --version", "DRBDADM_VERSION_CODE=0x091c00\nDRBDADM_VERSION=9.28.0\n")
                .answer("drbdsetup status --json", read(DRBD.resolve("drbd9-status.json")));
        ObservedDrbd drbd = StorageReader.read(node, "/var/lib/mcvirt", null).drbd();
        assertThat(drbd.availability()).isEqualTo(Availability.PRESENT);
        assertThat(drbd.errors()).isEmpty();
        assertThat(drbd.kernelVersion()).isEqualTo("9.2.8");
        assertThat(drbd.kernelApi()).isEqualTo("api:2/proto:86-122");
        assertThat(drbd.utilitiesVersion()).isEqualTo("9.28.0");
        assertThat(drbd.resources()).extracting(ObservedDrbd.Resource::name)
                .containsExactly("vm-db-data", "vm-old-disk", "vm-web-root");
        assertThat(node.commands).noneMatch(c -> c.contains("show"));
    }

    @Test
    void aDrbd9KernelWithoutDrbdsetupSaysSo() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport()
                .answer("cat /proc/drbd", read(DRBD.resolve("proc-drbd9.txt")));
        ObservedDrbd drbd = StorageReader.read(node, "/var/lib/mcvirt", null).drbd();
        assertThat(drbd.availability()).isEqualTo(Availability.FAILED);
        assertThat(drbd.utilitiesVersion()).isNull();
        assertThat(drbd.errors()).containsExactly("drbdsetup is not installed: the DRBD 9 resources cannot be read");
    }

    @Test
    void verifyRecordsAreReadAndABrokenOneIsAnErrorNotAFailure() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport()
                .answer("cat /proc/drbd", 1, "", "cat: /proc/drbd: No such file or directory\n")
                .file("/srv/mcvirt/verify/r0.json", "{\"resource\": \"r0\", \"startedAt\": \"2026-11-27T02:55:03Z\","
                        + " \"finishedAt\": \"2026-11-27T02:55:07Z\", \"result\": \"out-of-sync\", \"outOfSyncKiB\": 64,"
                        + " \"node\": \"node1\"}")
                .file("/srv/mcvirt/verify/r1.json", "{\"resource\": \"r1\", \"startedAt\": \"yesterday\", \"result\": \"clean\"}")
                .file("/srv/mcvirt/verify/r2.json", "{\"resource\": \"r2\", \"result\": \"maybe\"}")
                .file("/srv/mcvirt/verify/r3.json", "{\"resource\": \"r3\", \"startedAt\": \"2026-11-27T02:50:00Z\","
                        + " \"result\": \"failed\"}");
        ObservedDrbd drbd = StorageReader.read(node, "/srv/mcvirt", null).drbd();
        assertThat(drbd.verifications()).containsExactly(
                new VerifyRecord("r0", "2026-11-27T02:55:03Z", "2026-11-27T02:55:07Z", VerifyRecord.Result.OUT_OF_SYNC, 64L),
                new VerifyRecord("r3", "2026-11-27T02:50:00Z", null, VerifyRecord.Result.FAILED, null));
        assertThat(drbd.errors()).hasSize(2);
        assertThat(drbd.errors().get(0)).startsWith("verify record /srv/mcvirt/verify/r1.json is not valid: ")
                .contains("startedAt is not an ISO-8601 instant: yesterday");
        assertThat(drbd.errors().get(1)).startsWith("verify record /srv/mcvirt/verify/r2.json is not valid: ");
        assertThat(drbd.availability()).isEqualTo(Availability.FAILED);
        assertThat(VerifyRecord.path("/srv/mcvirt", "r0")).isEqualTo("/srv/mcvirt/verify/r0.json");
        ObjectMapper json = new ObjectMapper();
        assertThat(json.writeValueAsString(drbd.verifications().get(0))).isEqualTo("{\"resource\":\"r0\",\"startedAt\":"
                + "\"2026-11-27T02:55:03Z\",\"finishedAt\":\"2026-11-27T02:55:07Z\",\"result\":\"out-of-sync\","
                + "\"outOfSyncKiB\":64}");
    }
}
