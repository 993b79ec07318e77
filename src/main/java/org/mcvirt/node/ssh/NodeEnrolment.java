package org.mcvirt.node.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.UserInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.BooleanSupplier;

/**
 * Enrols a new node: reads the host key it offers (without trusting it), and, once the operator accepted that
 * exact key, logs in once with a password to install mcvirt's public key. After that, only key authentication
 * with strict host-key checking is used ({@link SshTransport}).
 */
public final class NodeEnrolment {
    private NodeEnrolment() {
    }

    /** A host key as offered by a server. */
    public record OfferedKey(String type, String base64) {
        public String fingerprint() {
            return SshTransport.fingerprint(Base64.getDecoder().decode(base64));
        }

        /** The known_hosts line for this key: {@code [host]:port type key}, or {@code host type key} on port 22. */
        public String knownHostsLine(String host, int port) {
            return (port == 22 ? host : "[" + host + "]:" + port) + " " + type + " " + base64;
        }
    }

    /** Connects just far enough to see the host key; trusts nothing and authenticates nothing. */
    public static OfferedKey scanHostKey(String node, String host, int port, Duration timeout) throws SshException {
        String endpoint = host + ":" + port;
        Session session;
        try {
            session = new JSch().getSession("mcvirt-scan", host, port);
        } catch (JSchException e) {
            throw new SshException(SshException.Category.IO, node, endpoint, e.getMessage(), e);
        }
        session.setHostKeyRepository(new Pinned(null));
        session.setConfig("StrictHostKeyChecking", "yes");
        try {
            session.connect((int) timeout.toMillis());
            session.disconnect();
            throw new SshException(SshException.Category.IO, node, endpoint, "the server accepted an unknown host key", null);
        } catch (JSchException e) {
            HostKey offered = session.getHostKey();
            if (offered == null) {
                throw new SshException(SshException.Category.UNREACHABLE, node, endpoint,
                        "cannot read the host key: " + (e.getCause() != null ? e.getCause() : e.getMessage()), e);
            }
            return new OfferedKey(offered.getType(), offered.getKey());
        } finally {
            session.disconnect();
        }
    }

    /**
     * Logs in with the password, requiring exactly the accepted host key, and appends the public key to the
     * user's authorized_keys unless it is already there.
     */
    public static void installPublicKey(String node, String host, int port, String user, char[] password,
                                        OfferedKey accepted, String publicKey, Duration timeout) throws SshException {
        String endpoint = host + ":" + port;
        Session session;
        try {
            session = new JSch().getSession(user, host, port);
        } catch (JSchException e) {
            throw new SshException(SshException.Category.IO, node, endpoint, e.getMessage(), e);
        }
        session.setHostKeyRepository(new Pinned(Base64.getDecoder().decode(accepted.base64())));
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("PreferredAuthentications", "password,keyboard-interactive");
        session.setPassword(new String(password));
        session.setUserInfo(new PasswordOnly(password));
        try {
            session.connect((int) timeout.toMillis());
        } catch (JSchException e) {
            String message = String.valueOf(e.getMessage());
            SshException.Category category = message.startsWith("Auth fail") ? SshException.Category.AUTHENTICATION
                    : message.contains("HostKey") ? SshException.Category.HOST_KEY_CHANGED : SshException.Category.UNREACHABLE;
            throw new SshException(category, node, endpoint, "password login as " + user + " failed: " + message, e);
        }
        try {
            ChannelExec channel = (ChannelExec) session.openChannel("exec");
            if (channel == null) { // JSch's way of saying the session dropped while the channel opened
                throw new SshException(SshException.Category.IO, node, endpoint, "the session went down before the"
                        + " public key could be installed", null);
            }
            channel.setCommand(ShellQuoting.commandLine(NodeScript.ENROL_KEY.command(publicKey.strip())));
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            channel.setErrStream(errors);
            InputStream output = channel.getInputStream();
            channel.connect((int) timeout.toMillis());
            try {
                awaitClosed(node, endpoint, channel::isClosed, output, timeout);
            } finally {
                channel.disconnect();
            }
            int status = channel.getExitStatus();
            if (status != 0) {
                throw new SshException(SshException.Category.COMMAND_FAILED, node, endpoint, "installing the public key"
                        + " failed with exit status " + status + ": " + errors.toString(StandardCharsets.UTF_8).strip(), null);
            }
        } catch (JSchException | IOException e) {
            throw new SshException(SshException.Category.IO, node, endpoint, "installing the public key: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshException(SshException.Category.IO, node, endpoint, "interrupted", e);
        } finally {
            session.disconnect();
            Arrays.fill(password, '\0');
        }
    }

    /**
     * Waits for the key's installation to end, reading (and dropping) what it prints, for at most timeout: a node that
     * stops answering, or a command that never ends, is given up with a TIMEOUT instead of waiting forever.
     */
    static void awaitClosed(String node, String endpoint, BooleanSupplier closed, InputStream output, Duration timeout)
            throws SshException, IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buffer = new byte[4096];
        while (true) {
            while (output.available() > 0) {
                output.read(buffer, 0, Math.min(buffer.length, output.available()));
            }
            if (closed.getAsBoolean()) {
                while (output.available() > 0) {
                    output.read(buffer, 0, Math.min(buffer.length, output.available()));
                }
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new SshException(SshException.Category.TIMEOUT, node, endpoint, "installing the public key did"
                        + " not finish within " + timeout.toSeconds() + "s", null);
            }
            Thread.sleep(20);
        }
    }

    /** Appends the accepted key to a known_hosts file (created with mode 0600 when missing). */
    public static void recordHostKey(Path knownHosts, String host, int port, OfferedKey key) throws IOException {
        if (knownHosts.getParent() != null) {
            Files.createDirectories(knownHosts.getParent());
        }
        if (!Files.exists(knownHosts, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createFile(knownHosts, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException e) {
                // made meanwhile: appended to as it is
            }
        }
        String existing = Files.exists(knownHosts) ? Files.readString(knownHosts) : "";
        String line = key.knownHostsLine(host, port);
        if (existing.lines().anyMatch(line::equals)) {
            return;
        }
        String prefix = existing.isEmpty() || existing.endsWith("\n") ? "" : "\n";
        Files.writeString(knownHosts, prefix + line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Accepts exactly one key (or none, to only record what is offered). */
    private static final class Pinned implements HostKeyRepository {
        private final byte[] accepted;

        Pinned(byte[] accepted) {
            this.accepted = accepted;
        }

        @Override
        public int check(String host, byte[] key) {
            if (accepted == null) {
                return NOT_INCLUDED;
            }
            return Arrays.equals(accepted, key) ? OK : CHANGED;
        }

        @Override
        public void add(HostKey hostkey, UserInfo ui) {
        }

        @Override
        public void remove(String host, String type) {
        }

        @Override
        public void remove(String host, String type, byte[] key) {
        }

        @Override
        public String getKnownHostsRepositoryID() {
            return "mcvirt-enrolment";
        }

        @Override
        public HostKey[] getHostKey() {
            return new HostKey[0];
        }

        @Override
        public HostKey[] getHostKey(String host, String type) {
            return new HostKey[0];
        }
    }

    /** Answers JSch's password prompts with the given password and nothing else. */
    private record PasswordOnly(char[] password) implements UserInfo, com.jcraft.jsch.UIKeyboardInteractive {
        @Override
        public String getPassphrase() {
            return null;
        }

        @Override
        public String getPassword() {
            return new String(password);
        }

        @Override
        public boolean promptPassword(String message) {
            return true;
        }

        @Override
        public boolean promptPassphrase(String message) {
            return false;
        }

        @Override
        public boolean promptYesNo(String message) {
            return false;
        }

        @Override
        public void showMessage(String message) {
        }

        @Override
        public String[] promptKeyboardInteractive(String destination, String name, String instruction, String[] prompt,
                                                  boolean[] echo) {
            return prompt.length == 1 ? new String[] {new String(password)} : null;
        }
    }
}
