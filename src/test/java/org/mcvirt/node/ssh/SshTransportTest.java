package org.mcvirt.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.node.ssh.SshException.Category;

/** Commands and files over a real sshd (see {@link SshdFixture}), through one shared transport. */
@Tag("sshd")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SshTransportTest {
    private static SshdFixture sshd;
    private static SshTransport transport;

    @TempDir
    Path scratch;

    @BeforeAll
    static void startServer() throws Exception {
        sshd = SshdFixture.start();
        transport = SshTransport.open(sshd.target());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (transport != null) {
            transport.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void runReturnsOutputAndExitStatus() throws Exception {
        CommandResult result = transport.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"));

        assertThat(result).isEqualTo(new CommandResult(3, "out\n", "err\n"));
        assertThat(transport.run(List.of("echo", "hello"))).isEqualTo(new CommandResult(0, "hello\n", ""));
    }

    @Test
    void runCheckedReturnsStdoutOrFailsWithStatusAndStderr() throws Exception {
        assertThat(transport.runChecked(List.of("echo", "fine"))).isEqualTo("fine\n");

        assertThatThrownBy(() -> transport.runChecked(List.of("sh", "-c", "echo 'disk on fire' >&2; exit 4")))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.category()).isEqualTo(Category.COMMAND_FAILED);
                    assertThat(e.nodeName()).isEqualTo("test-node");
                    assertThat(e.getMessage()).contains("test-node", "127.0.0.1:" + sshd.port, "status 4",
                            "disk on fire", "'sh' '-c'");
                });
    }

    @Test
    void aMissingProgramExitsWith127() throws Exception {
        assertThat(transport.run(List.of("no-such-program-mcvirt")).exitStatus()).isEqualTo(127);
    }

    @Test
    void hostileArgumentsComeBackByteForByteAndRunNothing() throws Exception {
        Path trap = Files.createDirectory(scratch.resolve("trap"));
        List<String> hostile = HostileStrings.all(trap);
        for (String argument : hostile) {
            CommandResult result = transport.run(List.of("printf", "%s", argument));
            assertThat(result.stdout()).as("printf %%s of %s", argument).isEqualTo(argument);
            assertThat(result.exitStatus()).isZero();
        }
        List<String> all = new ArrayList<>(List.of("printf", "[%s]"));
        all.addAll(hostile);
        assertThat(transport.runChecked(all)).isEqualTo(String.join("", hostile.stream().map(h -> "[" + h + "]")
                .toList()));
        try (Stream<Path> created = Files.list(trap)) {
            assertThat(created).as("files the hostile strings would have created").isEmpty();
        }
    }

    @Test
    void fingerprintMatchesSshKeygen() throws Exception {
        Path key = SshdFixture.generateKey(scratch, "some_key");
        String blob = Files.readString(SshdFixture.publicKeyOf(key)).split(" ")[1];
        String expected = SshdFixture.runTool("ssh-keygen", "-lf", SshdFixture.publicKeyOf(key).toString())
                .split(" ")[1];

        assertThat(SshTransport.fingerprint(Base64.getDecoder().decode(blob))).isEqualTo(expected);
    }

    @Test
    void writeFileAtomicallyThenReadItBack() throws Exception {
        Path directory = Files.createDirectory(scratch.resolve("dir with space"));
        Path file = directory.resolve("it's a \"quoted\" $(file).conf");
        byte[] content = new byte[256 * 3];
        for (int index = 0; index < content.length; index++) {
            content[index] = (byte) index;
        }

        transport.writeFileAtomically(file.toString(), content, "0640");

        assertThat(Files.readAllBytes(file)).isEqualTo(content);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        assertThat(transport.readFile(file.toString())).hasValueSatisfying(read -> assertThat(read).isEqualTo(content));

        byte[] replacement = "second version\n".getBytes(StandardCharsets.UTF_8);
        transport.writeFileAtomically(file.toString(), replacement, "600");
        assertThat(transport.readFile(file.toString())).hasValueSatisfying(
                read -> assertThat(read).isEqualTo(replacement));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (Stream<Path> entries = Files.list(directory)) {
            assertThat(entries).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void readingAMissingFileIsEmptyAndAnUnreadableOneFails() throws Exception {
        assertThat(transport.readFile(scratch.resolve("absent").toString())).isEmpty();

        assertThatThrownBy(() -> transport.readFile(scratch.toString()))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.category()).isEqualTo(Category.COMMAND_FAILED);
                    assertThat(e.getMessage()).contains("reading " + scratch, "Is a directory");
                });
    }

    @Test
    void writingIntoAMissingDirectoryFailsAndNamesThePath() {
        String path = scratch.resolve("missing/file").toString();

        assertThatThrownBy(() -> transport.writeFileAtomically(path, new byte[] {1}, "0644"))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.category()).isEqualTo(Category.COMMAND_FAILED);
                    assertThat(e.getMessage()).contains("writing " + path);
                });
        assertThatThrownBy(() -> transport.writeFileAtomically("relative/path", new byte[0], "0644"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> transport.writeFileAtomically(path, new byte[0], "u+s"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readersNeverSeeAHalfWrittenFile() throws Exception {
        Path file = scratch.resolve("journal");
        byte[] first = new byte[1 << 20];
        byte[] second = new byte[1 << 20];
        Arrays.fill(first, (byte) 'a');
        Arrays.fill(second, (byte) 'b');
        transport.writeFileAtomically(file.toString(), first, "0644");
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        List<Integer> torn = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            while (writing.get()) {
                try {
                    byte[] seen = Files.readAllBytes(file);
                    reads.incrementAndGet();
                    if (!Arrays.equals(seen, first) && !Arrays.equals(seen, second)) {
                        torn.add(seen.length);
                    }
                } catch (Exception e) {
                    torn.add(-1);
                }
            }
        });
        reader.start();
        try {
            for (int round = 0; round < 16; round++) {
                transport.writeFileAtomically(file.toString(), round % 2 == 0 ? second : first, "0644");
            }
        } finally {
            writing.set(false);
            reader.join();
        }

        assertThat(reads.get()).isPositive();
        assertThat(torn).as("sizes of partial files a reader saw (-1: no file)").isEmpty();
    }

    @Test
    void concurrentCommandsRunOnOneSession() throws Exception {
        int count = 3 * SshTransport.MAXIMUM_CONCURRENT_CHANNELS; // more than sshd's MaxSessions (10)
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<CommandResult>> results = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                String label = Integer.toString(index);
                results.add(pool.submit(() -> transport.run(
                        List.of("sh", "-c", "sleep 0.3; printf '%s|%s' \"$1\" \"$SSH_CONNECTION\"", "sh", label))));
            }
            Set<String> connections = new HashSet<>();
            for (int index = 0; index < count; index++) {
                CommandResult result = results.get(index).get();
                assertThat(result.exitStatus()).as(result.stderr()).isZero();
                String[] fields = result.stdout().split("\\|");
                assertThat(fields[0]).isEqualTo(Integer.toString(index));
                connections.add(fields[1]);
            }
            assertThat(connections).as("SSH_CONNECTION (client address and port) of every command").hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCommandRunningPastItsTimeoutIsKilled() throws Exception {
        String duration = "29.4" + ProcessHandle.current().pid() % 1000;
        try (SshTransport impatient = SshTransport.open(
                sshd.target(sshd.clientKey, sshd.knownHosts, Duration.ofSeconds(1)))) {

            assertThatThrownBy(() -> impatient.run(List.of("sleep", duration)))
                    .isInstanceOfSatisfying(SshException.class, e -> {
                        assertThat(e.category()).isEqualTo(Category.TIMEOUT);
                        assertThat(e.getMessage()).contains("'sleep' '" + duration + "'", "1s", "killed",
                                "127.0.0.1:" + sshd.port);
                    });

            assertThat(impatient.runChecked(List.of("echo", "still usable"))).isEqualTo("still usable\n");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sleepRunning(duration) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(sleepRunning(duration)).as("the remote sleep " + duration + " is still running").isFalse();
    }

    private static boolean sleepRunning(String duration) {
        return ProcessHandle.allProcesses().anyMatch(process -> process.info().arguments()
                .map(arguments -> Arrays.asList(arguments).contains(duration)).orElse(false));
    }

    @Test
    void aDroppedSessionIsReopenedByTheNextCall() throws Exception {
        try (SshTransport own = SshTransport.open(sshd.target())) {
            String before = own.runChecked(List.of("printenv", "SSH_CONNECTION"));
            try {
                // the shell's parent is the timeout wrapper, whose parent is this connection's sshd process:
                // killing that drops the session
                own.run(List.of("sh", "-c", "kill -9 $(ps -o ppid= -p $PPID)"));
            } catch (SshException e) {
                assertThat(e.category()).isEqualTo(Category.IO);
            }
            Optional<String> after = Optional.empty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (after.isEmpty() && System.nanoTime() < deadline) {
                try {
                    after = Optional.of(own.runChecked(List.of("printenv", "SSH_CONNECTION")));
                } catch (SshException e) {
                    assertThat(e.category()).as(e.getMessage()).isEqualTo(Category.IO);
                    Thread.sleep(100);
                }
            }
            assertThat(after).hasValueSatisfying(connection -> assertThat(connection).isNotEqualTo(before));
        }
    }

    @Test
    void aClosedTransportRefusesFurtherCommands() throws Exception {
        SshTransport closing = SshTransport.open(sshd.target());
        closing.close();

        assertThatThrownBy(() -> closing.run(List.of("true")))
                .isInstanceOfSatisfying(SshException.class, e -> assertThat(e.category()).isEqualTo(Category.IO));
    }
}
