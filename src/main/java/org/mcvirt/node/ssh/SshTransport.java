package org.mcvirt.node.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchAlgoNegoFailException;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchHostKeyException;
import com.jcraft.jsch.JSchRevokedHostKeyException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.UserInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.mcvirt.node.ssh.SshException.Category;

/**
 * A node reached over SSH with JSch. Authentication is by the target's identity file only (no password, no agent,
 * no ssh_config); the host key must already be in the target's known_hosts file, which is only read: an unknown or
 * changed key is refused with its SHA256 fingerprint, never accepted.
 *
 * <p>One SSH session is opened when the transport is opened and reused for every command, each on its own exec
 * channel, so concurrent calls from several threads run side by side. At most
 * {@value #MAXIMUM_CONCURRENT_CHANNELS} channels are open at once (OpenSSH's default {@code MaxSessions} is 10);
 * further calls wait for a free one. A session that has dropped is reopened by the next call.
 *
 * <p>A command line is the argument list quoted by {@link ShellQuoting}, run through coreutils {@code timeout}
 * and prefixed with {@code exec} so that it replaces the login shell. When a command outlives the command timeout
 * the channel is closed and a TIMEOUT raised; closing a channel does not stop the program, and sshd ignores
 * "signal" requests for root logins (root sessions run without privilege separation), so the {@code timeout}
 * wrapper is what stops it on the node: TERM to its process group {@value #REMOTE_GRACE_SECONDS}s after the
 * client gave up, KILL {@value #REMOTE_GRACE_SECONDS}s later.
 */
public final class SshTransport implements NodeTransport {
    static final int MAXIMUM_CONCURRENT_CHANNELS = 8;
    private static final int KEEPALIVE_INTERVAL_MILLISECONDS = 15_000;
    private static final int KEEPALIVE_MISSES_BEFORE_DISCONNECT = 4;
    private static final long LONGEST_POLL_PAUSE_MILLISECONDS = 50;
    static final int REMOTE_GRACE_SECONDS = 2;

    private final SshTarget target;
    private final Semaphore channelPermits = new Semaphore(MAXIMUM_CONCURRENT_CHANNELS, true);
    private final Object sessionLock = new Object();
    private Session session;
    private boolean closed;

    private SshTransport(SshTarget target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * Connects and authenticates, so that an unreachable node, a host-key problem or a refused key shows up here.
     *
     * @throws SshException UNREACHABLE, HOST_KEY_UNKNOWN, HOST_KEY_CHANGED, AUTHENTICATION or IO
     */
    public static SshTransport open(SshTarget target) throws SshException {
        SshTransport transport = new SshTransport(target);
        transport.session();
        return transport;
    }

    public SshTarget target() {
        return target;
    }

    @Override
    public String nodeName() {
        return target.nodeName();
    }

    @Override
    public CommandResult run(List<String> command) throws SshException {
        return execute(ShellQuoting.commandLine(command), command, new byte[0]).toResult();
    }

    @Override
    public CommandResult run(List<String> command, Duration timeout) throws SshException {
        return execute(ShellQuoting.commandLine(command), command, new byte[0], timeout).toResult();
    }

    @Override
    public String endpoint() {
        return target.endpoint();
    }

    @Override
    public void writeFileAtomically(String path, byte[] content, String mode) throws SshException {
        FileModes.requireAbsolute(path);
        FileModes.requireOctal(mode);
        Objects.requireNonNull(content, "content");
        Execution execution = execute("writing " + path,
                NodeScript.FILE_WRITE.command(path, mode), content);
        if (execution.exitStatus() != 0) {
            throw failure(Category.COMMAND_FAILED, execution.toResult().failureDetail("writing " + path), null);
        }
    }

    @Override
    public Optional<byte[]> readFile(String path) throws SshException {
        FileModes.requireAbsolute(path);
        Execution execution = execute("reading " + path,
                NodeScript.FILE_READ.command(path), new byte[0]);
        if (execution.exitStatus() == NodeScript.FILE_MISSING_STATUS) {
            return Optional.empty();
        }
        if (execution.exitStatus() != 0) {
            throw failure(Category.COMMAND_FAILED, execution.toResult().failureDetail("reading " + path), null);
        }
        return Optional.of(execution.stdout());
    }

    @Override
    public void close() {
        synchronized (sessionLock) {
            closed = true;
            if (session != null) {
                session.disconnect();
                session = null;
            }
        }
    }

    /**
     * The fingerprint OpenSSH shows for a public key ({@code ssh-keygen -lf}): {@code SHA256:} followed by the
     * unpadded base64 of the SHA-256 digest of the key in SSH wire format.
     */
    public static String fingerprint(byte[] publicKeyBlob) {
        Objects.requireNonNull(publicKeyBlob, "publicKeyBlob");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKeyBlob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    // ---- session ----

    private Session session() throws SshException {
        synchronized (sessionLock) {
            if (closed) {
                throw failure(Category.IO, "the connection has been closed", null);
            }
            if (session == null || !session.isConnected()) {
                if (session != null) {
                    session.disconnect();
                }
                session = null;
                session = openSession();
            }
            return session;
        }
    }

    private Session openSession() throws SshException {
        JSch jsch = new JSch();
        try {
            jsch.addIdentity(target.identityFile().toString());
        } catch (JSchException e) {
            throw failure(Category.AUTHENTICATION,
                    "cannot load identity file " + target.identityFile() + ": " + e.getMessage(), e);
        }
        Session newSession;
        try {
            jsch.setKnownHosts(target.knownHosts().toString());
            newSession = jsch.getSession(target.user(), target.host(), target.port());
            newSession.setHostKeyRepository(new ReadOnlyHostKeyRepository(jsch.getHostKeyRepository()));
            newSession.setServerAliveInterval(KEEPALIVE_INTERVAL_MILLISECONDS);
            newSession.setServerAliveCountMax(KEEPALIVE_MISSES_BEFORE_DISCONNECT);
        } catch (JSchException e) {
            throw failure(Category.IO, "cannot prepare the SSH session: " + e.getMessage(), e);
        }
        newSession.setConfig("StrictHostKeyChecking", "yes");
        newSession.setConfig("HashKnownHosts", "no");
        newSession.setConfig("PreferredAuthentications", "publickey");
        newSession.setDaemonThread(true);
        try {
            newSession.connect((int) target.connectTimeout().toMillis());
        } catch (JSchException e) {
            throw connectFailure(newSession, e);
        }
        return newSession;
    }

    private SshException connectFailure(Session attempted, JSchException e) {
        if (e instanceof JSchUnknownHostKeyException) {
            return hostKeyFailure(Category.HOST_KEY_UNKNOWN, attempted, e);
        }
        if (e instanceof JSchChangedHostKeyException || e instanceof JSchRevokedHostKeyException) {
            return hostKeyFailure(Category.HOST_KEY_CHANGED, attempted, e);
        }
        if (e instanceof JSchHostKeyException) {
            return hostKeyFailure(Category.HOST_KEY_UNKNOWN, attempted, e);
        }
        String message = String.valueOf(e.getMessage());
        // JSch reports a refused key only by this message ("Auth fail for methods 'publickey'")
        if (message.startsWith("Auth fail") || message.startsWith("Auth cancel")) {
            return failure(Category.AUTHENTICATION, "user " + target.user() + " was not accepted with key "
                    + target.identityFile() + " (" + message + ")", e);
        }
        if (e instanceof JSchAlgoNegoFailException) {
            return failure(Category.IO, "no SSH algorithm in common with the server: " + message, e);
        }
        return failure(Category.UNREACHABLE, "cannot connect (connect timeout " + describe(target.connectTimeout())
                + "): " + (e.getCause() != null ? e.getCause().toString() : message), e);
    }

    private SshException hostKeyFailure(Category category, Session attempted, JSchException e) {
        HostKey offered = attempted.getHostKey();
        String fingerprint = offered == null ? null : fingerprint(Base64.getDecoder().decode(offered.getKey()));
        String key = offered == null ? "the offered host key" : "host key " + offered.getType() + " " + fingerprint;
        String knownHosts = target.knownHosts().toString();
        String entry = target.port() == 22 ? target.host() : "[" + target.host() + "]:" + target.port();
        String detail = switch (category) {
            case HOST_KEY_CHANGED -> key + " does not match the key " + knownHosts + " holds for " + entry
                    + " (" + e.getMessage() + "). The node may have been reinstalled, or someone may be"
                    + " intercepting the connection: compare with `ssh-keygen -lf` of the host key on the node"
                    + " before replacing the entry. Refusing to connect.";
            default -> key + " is not in " + knownHosts
                    + (Files.exists(target.knownHosts()) ? "" : " (the file does not exist)")
                    + ". If it matches `ssh-keygen -lf` of the host key on the node, add a line for " + entry
                    + " to that file. Refusing to connect.";
        };
        return new SshException(category, target.nodeName(), target.endpoint(), detail, e, fingerprint);
    }

    // ---- commands ----

    /** The raw outcome of one exec channel. */
    private record Execution(int exitStatus, byte[] stdout, byte[] stderr) {
        CommandResult toResult() {
            return CommandResult.decode(exitStatus, stdout, stderr);
        }
    }

    /**
     * @param description   what runs, for messages (the command line, or "writing PATH")
     * @param command       the program and its arguments
     * @param standardInput everything the program reads; end of file follows
     */
    private Execution execute(String description, List<String> command, byte[] standardInput) throws SshException {
        return execute(description, command, standardInput, target.commandTimeout());
    }

    private Execution execute(String description, List<String> command, byte[] standardInput, Duration timeout)
            throws SshException {
        try {
            channelPermits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(Category.IO, "interrupted while waiting to run " + description, e);
        }
        try {
            String commandLine = "exec " + ShellQuoting.commandLine(bounded(command, timeout));
            return executeOnChannel(description, commandLine, standardInput, timeout);
        } finally {
            channelPermits.release();
        }
    }

    private Execution executeOnChannel(String description, String commandLine, byte[] standardInput, Duration timeout)
            throws SshException {
        Session current = session();
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        ChannelExec channel;
        try {
            channel = (ChannelExec) current.openChannel("exec");
        } catch (JSchException e) {
            throw failure(Category.IO, "cannot open a channel to run " + description + ": " + e.getMessage(), e);
        }
        if (channel == null) { // JSch returns null, not an exception, when the session drops while it opens one
            throw failure(Category.IO, "cannot open a channel to run " + description + ": the session went down", null);
        }
        try {
            channel.setCommand(commandLine);
            channel.setInputStream(new ByteArrayInputStream(standardInput));
            channel.setOutputStream(stdout);
            channel.setErrStream(stderr);
            channel.connect((int) target.connectTimeout().toMillis());
            long pause = 1;
            while (!channel.isClosed()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    kill(channel);
                    throw failure(Category.TIMEOUT, description + " did not finish within "
                            + describe(timeout) + " and was killed", null);
                }
                Thread.sleep(Math.max(1, Math.min(pause, TimeUnit.NANOSECONDS.toMillis(remaining))));
                pause = Math.min(pause * 2, LONGEST_POLL_PAUSE_MILLISECONDS);
            }
            if (channel.getExitStatus() == -1 && channel.getExitSignal() == null && !current.isConnected()) {
                throw failure(Category.IO, "the connection was lost while running " + description, null);
            }
            return new Execution(channel.getExitStatus(), stdout.toByteArray(), stderr.toByteArray());
        } catch (JSchException e) {
            throw failure(Category.IO, "cannot run " + description + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            kill(channel);
            Thread.currentThread().interrupt();
            throw failure(Category.IO, "interrupted while running " + description + "; it was killed", e);
        } finally {
            channel.disconnect();
        }
    }

    /** The command under coreutils {@code timeout}, set to expire a little after the client stops waiting. */
    private List<String> bounded(List<String> command, Duration timeout) {
        long milliseconds = timeout.toMillis() + TimeUnit.SECONDS.toMillis(REMOTE_GRACE_SECONDS);
        List<String> bounded = new ArrayList<>(List.of("timeout", "--signal=TERM",
                "--kill-after=" + REMOTE_GRACE_SECONDS + "s",
                String.format(Locale.ROOT, "%d.%03ds", milliseconds / 1000, milliseconds % 1000)));
        bounded.addAll(command);
        return bounded;
    }

    /**
     * Asks sshd to SIGKILL the program, then closes the channel. OpenSSH honours the "signal" request only for
     * sessions running with privilege separation, that is not for root; {@link #bounded} covers that case.
     */
    private static void kill(ChannelExec channel) {
        try {
            channel.sendSignal("KILL");
        } catch (Exception e) {
            // the channel or session is already gone: closing it below is all that is left
        }
        channel.disconnect();
    }

    private SshException failure(Category category, String detail, Throwable cause) {
        return new SshException(category, target.nodeName(), target.endpoint(), detail, cause);
    }

    static String describe(Duration duration) {
        long milliseconds = duration.toMillis();
        return milliseconds % 1000 == 0 ? milliseconds / 1000 + "s" : milliseconds + "ms";
    }

    /**
     * JSch's known_hosts repository with every change refused: with {@code StrictHostKeyChecking=yes} JSch never
     * tries to add a key, and this makes sure no code path can write the file either.
     */
    private static final class ReadOnlyHostKeyRepository implements HostKeyRepository {
        private final HostKeyRepository delegate;

        ReadOnlyHostKeyRepository(HostKeyRepository delegate) {
            this.delegate = delegate;
        }

        @Override
        public int check(String host, byte[] key) {
            return delegate.check(host, key);
        }

        @Override
        public void add(HostKey hostKey, UserInfo userInfo) {
            throw new IllegalStateException("mcvirt never adds keys to known_hosts");
        }

        @Override
        public void remove(String host, String type) {
            throw new IllegalStateException("mcvirt never removes keys from known_hosts");
        }

        @Override
        public void remove(String host, String type, byte[] key) {
            throw new IllegalStateException("mcvirt never removes keys from known_hosts");
        }

        @Override
        public String getKnownHostsRepositoryID() {
            return delegate.getKnownHostsRepositoryID();
        }

        @Override
        public HostKey[] getHostKey() {
            return delegate.getHostKey();
        }

        @Override
        public HostKey[] getHostKey(String host, String type) {
            return delegate.getHostKey(host, type);
        }
    }
}
