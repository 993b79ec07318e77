package org.mcvirt.node.ssh;

import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A node transport could not do what was asked. The message always starts with the node's name and where it was
 * reached ({@code host:port}, or {@code local}); the category says what kind of failure it was so callers can
 * choose a hint or an exit code without parsing text.
 */
public final class SshException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The kinds of failure a transport reports. */
    public enum Category {
        /** Nothing answered at host:port (refused, no route, name not resolved, or no answer in time). */
        UNREACHABLE,
        /** The identity file could not be loaded or the node did not accept it. */
        AUTHENTICATION,
        /** The node's host key is not in the known_hosts file. */
        HOST_KEY_UNKNOWN,
        /** known_hosts holds a different key for this host (or the key is marked revoked). */
        HOST_KEY_CHANGED,
        /** A command ran longer than the command timeout and was killed. */
        TIMEOUT,
        /** A command exited with a non-zero status where success was required. */
        COMMAND_FAILED,
        /** Any other input/output failure: a lost connection, a channel that would not open, a local file error. */
        IO
    }

    private final Category category;
    private final String nodeName;
    private final String endpoint;
    private final String hostKeyFingerprint;

    public SshException(Category category, String nodeName, String endpoint, String detail, Throwable cause) {
        this(category, nodeName, endpoint, detail, cause, null);
    }

    /**
     * @param hostKeyFingerprint the SHA256 fingerprint of the key the host offered, for host-key failures; or null
     */
    public SshException(Category category, String nodeName, String endpoint, String detail, Throwable cause,
                        String hostKeyFingerprint) {
        super("node " + nodeName + " (" + endpoint + "): " + detail, cause);
        this.category = Objects.requireNonNull(category, "category");
        this.nodeName = nodeName;
        this.endpoint = endpoint;
        this.hostKeyFingerprint = hostKeyFingerprint;
    }

    /**
     * This failure with its message passed through redact (the node and endpoint prefix kept), for {@link
     * RedactingTransport}; the same exception when redact changes nothing.
     */
    SshException redacted(UnaryOperator<String> redact) {
        String prefix = "node " + nodeName + " (" + endpoint + "): ";
        String message = getMessage();
        String detail = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        String clean = redact.apply(detail);
        if (clean.equals(detail)) {
            return this;
        }
        Throwable cause = getCause() == null || redact.apply(String.valueOf(getCause())).equals(
                String.valueOf(getCause())) ? getCause() : null;
        SshException copy = new SshException(category, nodeName, endpoint, clean, cause, hostKeyFingerprint);
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    public Category category() {
        return category;
    }

    public String nodeName() {
        return nodeName;
    }

    /** {@code host:port} for SSH, {@code local} for the local transport. */
    public String endpoint() {
        return endpoint;
    }

    /** The offered host key's fingerprint ({@code SHA256:...}) for host-key failures. */
    public Optional<String> hostKeyFingerprint() {
        return Optional.ofNullable(hostKeyFingerprint);
    }
}
