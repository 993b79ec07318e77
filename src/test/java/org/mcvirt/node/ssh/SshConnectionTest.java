package org.mcvirt.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.node.ssh.SshException.Category;

/** Host-key checking, authentication and reachability against a real sshd (see {@link SshdFixture}). */
@Tag("sshd")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SshConnectionTest {
    private static SshdFixture sshd;

    @TempDir
    Path scratch;

    @BeforeAll
    static void startServer() throws Exception {
        sshd = SshdFixture.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void theKnownHostKeyAndTheAuthorizedKeyConnect() throws Exception {
        try (SshTransport transport = SshTransport.open(sshd.target())) {
            assertThat(transport.runChecked(List.of("id", "-un"))).isEqualTo(System.getProperty("user.name") + "\n");
        }
    }

    @Test
    void anUnknownHostKeyIsRefusedShowingItsFingerprint() throws Exception {
        Path knownHosts = Files.createFile(scratch.resolve("known_hosts"));
        String fingerprint = sshd.hostKeyFingerprint();

        assertThatThrownBy(() -> SshTransport.open(sshd.target(sshd.clientKey, knownHosts, Duration.ofSeconds(5))))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.category()).isEqualTo(Category.HOST_KEY_UNKNOWN);
                    assertThat(e.hostKeyFingerprint()).contains(fingerprint);
                    assertThat(e.getMessage()).contains("test-node", "127.0.0.1:" + sshd.port, fingerprint,
                            "ssh-ed25519", knownHosts.toString(), "[127.0.0.1]:" + sshd.port);
                });
        assertThat(Files.size(knownHosts)).as("known_hosts must stay untouched").isZero();
        assertThat(fingerprint).startsWith("SHA256:").doesNotEndWith("=");
    }

    @Test
    void aMissingKnownHostsFileIsRefusedAndNotCreated() {
        Path knownHosts = scratch.resolve("absent_known_hosts");

        assertThatThrownBy(() -> SshTransport.open(sshd.target(sshd.clientKey, knownHosts, Duration.ofSeconds(5))))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.category()).isEqualTo(Category.HOST_KEY_UNKNOWN);
                    assertThat(e.getMessage()).contains("does not exist");
                });
        assertThat(knownHosts).doesNotExist();
    }

    @Test
    void aChangedHostKeyIsRefused() throws Exception {
        Path impostor = SshdFixture.generateKey(scratch, "other_host_key");
        Path knownHosts = scratch.resolve("known_hosts");
        Files.writeString(knownHosts, SshdFixture.knownHostsLine(sshd.port, SshdFixture.publicKeyOf(impostor)));
        byte[] before = Files.readAllBytes(knownHosts);
        String fingerprint = sshd.hostKeyFingerprint();

        assertThatThrownBy(() -> SshTransport.open(sshd.target(sshd.clientKey, knownHosts, Duration.ofSeconds(5))))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.category()).isEqualTo(Category.HOST_KEY_CHANGED);
                    assertThat(e.hostKeyFingerprint()).contains(fingerprint);
                    assertThat(e.getMessage()).contains("test-node", "127.0.0.1:" + sshd.port, fingerprint,
                            "does not match");
                });
        assertThat(Files.readAllBytes(knownHosts)).as("known_hosts must stay untouched").isEqualTo(before);
    }

    @Test
    void aHashedKnownHostsEntryIsAccepted() throws Exception {
        Path knownHosts = scratch.resolve("known_hosts");
        Files.copy(sshd.knownHosts, knownHosts);
        SshdFixture.runTool("ssh-keygen", "-q", "-H", "-f", knownHosts.toString());
        assertThat(Files.readString(knownHosts)).startsWith("|1|").doesNotContain("127.0.0.1");

        try (SshTransport transport = SshTransport.open(
                sshd.target(sshd.clientKey, knownHosts, Duration.ofSeconds(5)))) {
            assertThat(transport.runChecked(List.of("echo", "hashed"))).isEqualTo("hashed\n");
        }
    }

    @Test
    void aKeyTheServerDoesNotKnowIsNotAccepted() throws Exception {
        Path stranger = SshdFixture.generateKey(scratch, "stranger_key");

        assertThatThrownBy(() -> SshTransport.open(sshd.target(stranger, sshd.knownHosts, Duration.ofSeconds(5))))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.category()).isEqualTo(Category.AUTHENTICATION);
                    assertThat(e.getMessage()).contains("test-node", "127.0.0.1:" + sshd.port, stranger.toString(),
                            "user " + System.getProperty("user.name"));
                });
    }

    @Test
    void aMissingIdentityFileIsAnAuthenticationError() {
        Path missing = scratch.resolve("no_such_key");

        assertThatThrownBy(() -> SshTransport.open(sshd.target(missing, sshd.knownHosts, Duration.ofSeconds(5))))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.category()).isEqualTo(Category.AUTHENTICATION);
                    assertThat(e.getMessage()).contains(missing.toString());
                });
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.SECONDS)
    void nothingListeningIsUnreachable() throws Exception {
        int port = SshdFixture.freePort();
        SshTarget target = new SshTarget("ghost", "127.0.0.1", port, "root", sshd.clientKey, sshd.knownHosts,
                Duration.ofSeconds(2), Duration.ofSeconds(5));

        assertThatThrownBy(() -> SshTransport.open(target)).isInstanceOfSatisfying(SshException.class, e -> {
            assertThat(e.category()).isEqualTo(Category.UNREACHABLE);
            assertThat(e.getMessage()).contains("node ghost", "127.0.0.1:" + port);
        });
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.SECONDS)
    void anAddressThatNeverAnswersIsUnreachableWithinTheConnectTimeout() {
        // 192.0.2.0/24 is reserved for documentation (RFC 5737): packets to it go nowhere
        SshTarget target = new SshTarget("void", "192.0.2.1", 22, "root", sshd.clientKey, sshd.knownHosts,
                Duration.ofSeconds(1), Duration.ofSeconds(5));

        assertThatThrownBy(() -> SshTransport.open(target)).isInstanceOfSatisfying(SshException.class, e -> {
            assertThat(e.category()).isEqualTo(Category.UNREACHABLE);
            assertThat(e.getMessage()).contains("node void", "192.0.2.1:22");
        });
    }
}
