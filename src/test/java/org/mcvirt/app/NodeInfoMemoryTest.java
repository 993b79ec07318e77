package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mcvirt.plan.Capacity;

/** info's memory headroom of a node: taken from plan.Capacity, described in one line. */
class NodeInfoMemoryTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void theHeadroomOfTheNodeIsTakenFromCapacity() {
        List<Capacity.Headroom> headroom = List.of(new Capacity.Headroom("node1", 4 * GIB, GIB, null, GIB),
                new Capacity.Headroom("node2", 2 * GIB, 512 * MIB, "node1", 2560 * MIB));
        assertThat(Inspector.memory(headroom, "node2")).isEqualTo(new NodeInfo.Memory(2 * GIB, 512 * MIB, "node1",
                2560 * MIB, -512 * MIB));
        assertThat(Inspector.memory(headroom, "node1")).isEqualTo(new NodeInfo.Memory(4 * GIB, GIB, null, GIB,
                3 * GIB));
        assertThat(Inspector.memory(headroom, "node3")).isNull();
    }

    @Test
    void describedWithTheWorstPeerAndTheHeadroom() {
        assertThat(new NodeInfo.Memory(16318412L * 1024, GIB, "node2", 3 * GIB, 16318412L * 1024 - 3 * GIB).describe())
                .isEqualTo("15.6 GiB total, 1.0 GiB for its running vms, 3.0 GiB if node2 failed: headroom 12.6 GiB");
        assertThat(new NodeInfo.Memory(4 * GIB, GIB, null, GIB, 3 * GIB).describe())
                .isEqualTo("4.0 GiB total, 1.0 GiB for its running vms: headroom 3.0 GiB");
    }

    @Test
    void aNegativeHeadroomIsShownAsShort() {
        assertThat(new NodeInfo.Memory(2 * GIB, 512 * MIB, "node1", 2560 * MIB, -512 * MIB).describe())
                .isEqualTo("2.0 GiB total, 512.0 MiB for its running vms, 2.5 GiB if node1 failed: SHORT by 512.0 MiB"
                        + " (headroom -512.0 MiB)");
    }

    @Test
    void anUnreadTotalHasNoHeadroom() {
        assertThat(new NodeInfo.Memory(null, 0, null, 0, null).describe())
                .isEqualTo("total not read, 0 B for its running vms");
    }
}
