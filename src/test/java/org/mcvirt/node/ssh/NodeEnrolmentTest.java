package org.mcvirt.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17 item 7: enrolment writes known_hosts 0600 and never waits without end for the key's installation. */
class NodeEnrolmentTest {
    private static final NodeEnrolment.OfferedKey KEY = new NodeEnrolment.OfferedKey("ssh-ed25519",
            Base64.getEncoder().encodeToString(new byte[51]));

    @Test
    void aNewKnownHostsFileIsCreatedReadableOnlyByItsOwner(@TempDir Path dir) throws Exception {
        Path knownHosts = dir.resolve("ssh/known_hosts");
        NodeEnrolment.recordHostKey(knownHosts, "192.0.2.9", 2222, KEY);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(knownHosts))).isEqualTo("rw-------");
        assertThat(Files.readString(knownHosts)).isEqualTo(KEY.knownHostsLine("192.0.2.9", 2222) + "\n");
    }

    @Test
    void anInstallationThatNeverEndsIsGivenUpAtItsDeadline() {
        assertThatThrownBy(() -> NodeEnrolment.awaitClosed("node9", "192.0.2.9:22", () -> false,
                new ByteArrayInputStream(new byte[0]), Duration.ZERO))
                .isInstanceOfSatisfying(SshException.class,
                        e -> assertThat(e.category()).isEqualTo(SshException.Category.TIMEOUT))
                .hasMessageContaining("installing the public key did not finish within 0s");
    }

    @Test
    void anInstallationThatEndsIsWaitedForAndItsOutputRead() throws Exception {
        int[] polls = {0};
        ByteArrayInputStream output = new ByteArrayInputStream("done\n".getBytes());
        NodeEnrolment.awaitClosed("node9", "192.0.2.9:22", () -> ++polls[0] > 2, output, Duration.ofMinutes(1));
        assertThat(output.available()).isZero();
        assertThat(polls[0]).isEqualTo(3);
    }
}
