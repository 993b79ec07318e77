package org.mcvirt.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** lvs and vgs JSON reports as captured on the lab (testdata/drbd/README.md). */
class LvmParserTest {
    private static final Path DATA = Path.of("src/test/resources/testdata/lvm");

    @Test
    void readsLogicalVolumesWithSizesInBytesAndTags() throws Exception {
        assertThat(LvmParser.logicalVolumes(Files.readString(DATA.resolve("lvs.json")))).containsExactly(
                new ObservedLvm.LogicalVolume("mcvcap0", "vg0", 67108864L, "/dev/vg0/mcvcap0", "-wi-ao----", List.of()),
                new ObservedLvm.LogicalVolume("mcvcap1", "vg0", 67108864L, "/dev/vg0/mcvcap1", "-wi-ao----",
                        List.of("mcvirt-capture")));
    }

    @Test
    void readsVolumeGroups() throws Exception {
        assertThat(LvmParser.volumeGroups(Files.readString(DATA.resolve("vgs.json"))))
                .containsExactly(new ObservedLvm.VolumeGroup("vg0", 4290772992L, 4156555264L));
    }

    @Test
    void anEmptyReportHasNoVolumesAndAWrongOneIsRefused() throws Exception {
        assertThat(LvmParser.logicalVolumes("  {\n      \"report\": [\n          {\n              \"lv\": [\n"
                + "              ]\n          }\n      ]\n  }\n")).isEmpty();
        assertThatThrownBy(() -> LvmParser.volumeGroups("{\"report\": [{\"vg\": [{\"vg_name\": \"vg0\","
                + " \"vg_size\": \"4.00g\", \"vg_free\": \"0\"}]}]}"))
                .hasMessage("vg_size is not a byte count: 4.00g");
        assertThatThrownBy(() -> LvmParser.volumeGroups("{}")).hasMessage("no \"report\" array in the vgs output");
    }

    /** Found by NodeOutputFuzzTest (seed 1700001): a size too large for a long, and a size field that is missing. */
    @Test
    void aSizeTooLargeOrMissingIsRefusedByName() {
        assertThatThrownBy(() -> LvmParser.volumeGroups("{\"report\": [{\"vg\": [{\"vg_name\": \"vg0\","
                + " \"vg_size\": \"16999999999999999999990\", \"vg_free\": \"0\"}]}]}"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("vg_size is not a byte count: 16999999999999999999990");
        assertThatThrownBy(() -> LvmParser.logicalVolumes("{\"report\": [{\"lv\": [{\"lv_name\": \"mcvcap0\","
                + " \"vg_name\": \"vg0\", \"lv_rize\": \"67108864\"}]}]}"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("lv_size is missing");
    }
}
