package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** LvmNode over a transport that answers as lvm2 does. */
class LvmNodeTest {
    private static final String MISSING = "  Failed to find logical volume \"vg0/mcvirt_web_root\"\n";

    @Test
    void aNewVolumeIsCreatedTaggedAndItsEndsCleared() throws Exception {
        ScriptedTransport node = new ScriptedTransport().answer(5, "", MISSING);
        assertThat(new LvmNode("node2", node).createLogicalVolume("vg0", "mcvirt_web_root", 1 << 30, "mcvirt.lab"))
                .isTrue();
        assertThat(node.commands).hasSize(3);
        assertThat(node.commands.get(0)).isEqualTo("lvs --noheadings --units b --nosuffix -o lv_size,lv_tags"
                + " vg0/mcvirt_web_root");
        assertThat(node.commands.get(1)).isEqualTo("lvcreate --yes --wipesignatures y --zero y --addtag mcvirt.lab"
                + " --size 1073741824b --name mcvirt_web_root vg0");
        assertThat(node.commands.get(2)).startsWith("sh -c ").endsWith(" mcvirt-clear vg0 mcvirt_web_root")
                .contains("blockdev --getsize64");
    }

    @Test
    void aVolumeThatIsNotMcvirtsIsLeftAlone() throws Exception {
        ScriptedTransport theirs = new ScriptedTransport().answer(0, "  1073741824 \n", "");
        assertThatThrownBy(() -> new LvmNode("node2", theirs).createLogicalVolume("vg0", "data", 1 << 30, "mcvirt.lab"))
                .isInstanceOf(NodeException.class).hasMessageContaining("exists but is not mcvirt's");
        ScriptedTransport ours = new ScriptedTransport().answer(0, "  1073741824 mcvirt.lab,other\n", "");
        assertThat(new LvmNode("node2", ours).removeLogicalVolume("vg0", "data", "mcvirt.lab")).isTrue();
        assertThat(ours.commands).endsWith("lvremove --yes vg0/data");
        ScriptedTransport large = new ScriptedTransport().answer(0, "  2147483648 mcvirt.lab\n", "");
        assertThat(new LvmNode("node2", large).growLogicalVolume("vg0", "data", 1 << 30, "mcvirt.lab")).isFalse();
        assertThat(large.commands).hasSize(1);
    }
}
