package org.mcvirt.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.node.ssh.SshException.Category;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalTransportTest {
    private final LocalTransport transport = new LocalTransport("here", Duration.ofSeconds(20));

    @TempDir
    Path scratch;

    @Test
    void runReturnsOutputAndExitStatus() throws Exception {
        assertThat(transport.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3")))
                .isEqualTo(new CommandResult(3, "out\n", "err\n"));
        assertThat(transport.run(List.of("echo", "hello"))).isEqualTo(new CommandResult(0, "hello\n", ""));
        assertThat(transport.run(List.of("cat")).stdout()).as("standard input is empty, not left open").isEmpty();
    }

    @Test
    void runCheckedFailsWithStatusAndStderr() throws Exception {
        assertThat(transport.runChecked(List.of("echo", "fine"))).isEqualTo("fine\n");

        assertThatThrownBy(() -> transport.runChecked(List.of("sh", "-c", "echo 'disk on fire' >&2; exit 4")))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.category()).isEqualTo(Category.COMMAND_FAILED);
                    assertThat(e.getMessage()).contains("node here (local)", "status 4", "disk on fire");
                });
    }

    @Test
    void aMissingProgramExitsWith127() throws Exception {
        CommandResult result = transport.run(List.of("no-such-program-mcvirt"));

        assertThat(result.exitStatus()).isEqualTo(127);
        assertThat(result.stderr()).contains("no-such-program-mcvirt");
    }

    @Test
    void hostileArgumentsReachTheProgramUnchanged() throws Exception {
        Path trap = Files.createDirectory(scratch.resolve("trap"));
        for (String argument : HostileStrings.all(trap)) {
            assertThat(transport.runChecked(List.of("printf", "%s", argument))).isEqualTo(argument);
        }
        try (Stream<Path> created = Files.list(trap)) {
            assertThat(created).isEmpty();
        }
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.SECONDS)
    void aCommandRunningPastItsTimeoutIsKilled() {
        LocalTransport impatient = new LocalTransport("here", Duration.ofSeconds(1));

        assertThatThrownBy(() -> impatient.run(List.of("sleep", "30")))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.category()).isEqualTo(Category.TIMEOUT);
                    assertThat(e.getMessage()).contains("'sleep' '30'", "killed");
                });
        // a background child holding the output open: either the wait for the output times out, or the JDK's reaper
        // drained and closed the pipe when sh exited (it does so when no reader is blocked on it at that moment, which
        // depends on scheduling). Either way run() returns by itself, long before the child's 30 s: waiting for the child
        // fails this test's 15 s @Timeout.
        try {
            CommandResult result = impatient.run(List.of("sh", "-c", "sleep 30 & echo started"));
            assertThat(result.stdout()).isEqualTo("started\n");
        } catch (SshException e) {
            assertThat(e.category()).isEqualTo(Category.TIMEOUT);
        }
    }

    @Test
    void writeFileAtomicallyThenReadItBack() throws Exception {
        Path directory = Files.createDirectory(scratch.resolve("dir with space"));
        Path file = directory.resolve("it's a \"quoted\" file.conf");
        byte[] content = "first\0version\n".getBytes(StandardCharsets.UTF_8);

        transport.writeFileAtomically(file.toString(), content, "0640");

        assertThat(transport.readFile(file.toString())).hasValueSatisfying(read -> assertThat(read).isEqualTo(content));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");

        byte[] replacement = "second".getBytes(StandardCharsets.UTF_8);
        transport.writeFileAtomically(file.toString(), replacement, "755");
        assertThat(Files.readAllBytes(file)).isEqualTo(replacement);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rwxr-xr-x");
        try (Stream<Path> entries = Files.list(directory)) {
            assertThat(entries).as("no temporary file left behind").containsExactly(file);
        }
        assertThat(transport.readFile(directory.resolve("absent").toString())).isEmpty();
    }

    @Test
    void fileErrorsAreCategorised() {
        String path = scratch.resolve("missing/file").toString();

        assertThatThrownBy(() -> transport.writeFileAtomically(path, new byte[] {1}, "0644"))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.category()).isEqualTo(Category.IO);
                    assertThat(e.getMessage()).contains("node here (local)", path);
                });
        assertThatThrownBy(() -> transport.readFile(scratch.toString()))
                .isInstanceOfSatisfying(SshException.class, e -> assertThat(e.category()).isEqualTo(Category.IO));
        assertThatThrownBy(() -> transport.writeFileAtomically(path, new byte[0], "4755"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
