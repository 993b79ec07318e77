package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mcvirt.node.ssh.SshException;

class NodeExceptionTest {
    private static SshException failure(SshException.Category category) {
        return new SshException(category, "node1", "10.0.0.1:22", "it went wrong", null);
    }

    @Test
    void aNodeThatStoppedAnsweringIsUnresponsiveAndAFailedCommandIsNot() {
        for (SshException.Category gone : new SshException.Category[] {SshException.Category.TIMEOUT,
                SshException.Category.UNREACHABLE, SshException.Category.IO}) {
            NodeException e = NodeException.transportFailure("node1", "write the apply journal", failure(gone));
            assertThat(e.unresponsive()).as(gone.name()).isTrue();
            assertThat(e.getMessage()).isEqualTo("node node1: stopped answering: cannot write the apply journal:"
                    + " node node1 (10.0.0.1:22): it went wrong");
        }
        NodeException failed = NodeException.transportFailure("node1", "read /proc/drbd",
                failure(SshException.Category.COMMAND_FAILED));
        assertThat(failed.unresponsive()).isFalse();
        assertThat(failed.getMessage()).isEqualTo("node node1: cannot read /proc/drbd: node node1 (10.0.0.1:22): it went"
                + " wrong");
    }
}
