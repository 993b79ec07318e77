package org.mcvirt.node.ssh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real OpenSSH server for the transport tests: {@code /usr/sbin/sshd} started as the current user on 127.0.0.1
 * and a free port, with its own ed25519 host key, key authentication only, and an authorized_keys file holding one
 * generated client key. Everything lives in a temporary directory that {@link #close()} removes after stopping the
 * server.
 */
final class SshdFixture implements AutoCloseable {
    static final String SSHD = "/usr/sbin/sshd";
    static final String KEY_TYPE = "ed25519";

    final Path directory;
    final int port;
    final Path hostKey;
    final Path clientKey;
    final Path knownHosts;
    final Path log;
    private final Process process;

    private SshdFixture(Path directory, int port, Path hostKey, Path clientKey, Path knownHosts, Path log,
                        Process process) {
        this.directory = directory;
        this.port = port;
        this.hostKey = hostKey;
        this.clientKey = clientKey;
        this.knownHosts = knownHosts;
        this.log = log;
        this.process = process;
    }

    static SshdFixture start() throws Exception {
        Path directory = Files.createTempDirectory("mcvirt-sshd-");
        Path hostKey = generateKey(directory, "host_key");
        Path clientKey = generateKey(directory, "client_key");
        Path authorizedKeys = directory.resolve("authorized_keys");
        Files.copy(publicKeyOf(clientKey), authorizedKeys);
        int port = freePort();
        Path config = directory.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "HostKey " + hostKey,
                "PidFile " + directory.resolve("sshd.pid"),
                "AuthorizedKeysFile " + authorizedKeys,
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "UseDNS no",
                "PrintMotd no",
                "AllowTcpForwarding no",
                "X11Forwarding no",
                "LogLevel VERBOSE",
                // Debian's bash sources ~/.bashrc for every command run over ssh unless it is a nested shell;
                // this machine's root .bashrc runs `pyenv init` (seconds per command), so mark the shell nested
                "SetEnv SHLVL=1",
                ""));
        try {
            Files.createDirectories(Path.of("/run/sshd")); // privilege separation directory sshd insists on
        } catch (IOException e) {
            // not root: sshd will say what it misses in the log
        }
        Path log = directory.resolve("sshd.log");
        Process process = new ProcessBuilder(SSHD, "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path knownHosts = directory.resolve("known_hosts");
        Files.writeString(knownHosts, knownHostsLine(port, publicKeyOf(hostKey)));
        SshdFixture fixture = new SshdFixture(directory, port, hostKey, clientKey, knownHosts, log, process);
        try {
            fixture.awaitListening();
        } catch (Exception e) {
            fixture.close();
            throw e;
        }
        return fixture;
    }

    /** A target for this server as the current user with the given key and known_hosts file. */
    SshTarget target(Path identityFile, Path knownHostsFile, Duration commandTimeout) {
        return new SshTarget("test-node", "127.0.0.1", port, System.getProperty("user.name"), identityFile,
                knownHostsFile, Duration.ofSeconds(5), commandTimeout);
    }

    SshTarget target() {
        return target(clientKey, knownHosts, Duration.ofSeconds(20));
    }

    /** What {@code ssh-keygen -lf} prints as the host key's fingerprint (its second field). */
    String hostKeyFingerprint() throws Exception {
        String line = runTool("ssh-keygen", "-lf", publicKeyOf(hostKey).toString()).strip();
        return line.split(" ")[1];
    }

    /** A new key pair in the fixture directory; returns the private key's path. */
    Path newKey(String name) throws Exception {
        return generateKey(directory, name);
    }

    static Path generateKey(Path directory, String name) throws Exception {
        Path key = directory.resolve(name);
        runTool("ssh-keygen", "-q", "-t", KEY_TYPE, "-N", "", "-C", name, "-f", key.toString());
        return key;
    }

    static Path publicKeyOf(Path privateKey) {
        return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
    }

    /** {@code [127.0.0.1]:PORT TYPE BASE64}, from a .pub file (its comment dropped). */
    static String knownHostsLine(int port, Path publicKey) throws IOException {
        String[] fields = Files.readString(publicKey).strip().split(" ");
        return "[127.0.0.1]:" + port + " " + fields[0] + " " + fields[1] + "\n";
    }

    static String runTool(String... command) throws Exception {
        Process tool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!tool.waitFor(30, TimeUnit.SECONDS) || tool.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private void awaitListening() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sshd exited with status " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("sshd did not listen on port " + port + ":\n" + Files.readString(log));
    }

    /** The server's log so far, for assertion messages. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        List<ProcessHandle> children = new ArrayList<>(process.descendants().toList());
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
