package org.mcvirt.node.ssh;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A node transport whose command results and failures have the DRBD shared secret redacted ({@link Redactor}): the one
 * place the secret is kept out of what a node command returns, for every command of a run (LVM, DRBD, the journal,
 * the lock, the state read). Files pass unchanged (a resource file must hold its secret), but the secrets in a file
 * written or read through it are remembered, so that they are redacted wherever they appear later.
 */
public final class RedactingTransport implements NodeTransport {
    private final NodeTransport delegate;
    private final Redactor redactor;

    private RedactingTransport(NodeTransport delegate, Redactor redactor) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    /** The transport with redaction, sharing redactor's secrets; one already redacting is returned as it is. */
    public static RedactingTransport over(NodeTransport transport, Redactor redactor) {
        return transport instanceof RedactingTransport redacting ? redacting
                : new RedactingTransport(transport, redactor);
    }

    /** The transport with redaction: its own if it has one, else a redactor of its own. */
    public static RedactingTransport over(NodeTransport transport) {
        return over(transport, new Redactor());
    }

    /** The secrets this transport keeps out of its results. */
    public Redactor redactor() {
        return redactor;
    }

    @Override
    public String nodeName() {
        return delegate.nodeName();
    }

    @Override
    public String endpoint() {
        return delegate.endpoint();
    }

    @Override
    public CommandResult run(List<String> command) throws SshException {
        return run(command, null);
    }

    /** timeout null: the delegate's own command timeout. */
    @Override
    public CommandResult run(List<String> command, java.time.Duration timeout) throws SshException {
        CommandResult result;
        try {
            result = timeout == null ? delegate.run(command) : delegate.run(command, timeout);
        } catch (SshException e) {
            throw e.redacted(redactor::redact);
        }
        return new CommandResult(result.exitStatus(), redactor.redact(result.stdout()),
                redactor.redact(result.stderr()));
    }

    /** As {@link NodeTransport#runChecked}, the failure's message (command line included) redacted. */
    @Override
    public String runChecked(List<String> command) throws SshException {
        CommandResult result = run(command);
        if (!result.succeeded()) {
            throw new SshException(SshException.Category.COMMAND_FAILED, nodeName(), endpoint(),
                    redactor.redact(result.failureDetail(ShellQuoting.commandLine(command))), null);
        }
        return result.stdout();
    }

    @Override
    public void writeFileAtomically(String path, byte[] content, String mode) throws SshException {
        redactor.learnFrom(content);
        try {
            delegate.writeFileAtomically(path, content, mode);
        } catch (SshException e) {
            throw e.redacted(redactor::redact);
        }
    }

    @Override
    public Optional<byte[]> readFile(String path) throws SshException {
        Optional<byte[]> content;
        try {
            content = delegate.readFile(path);
        } catch (SshException e) {
            throw e.redacted(redactor::redact);
        }
        content.ifPresent(redactor::learnFrom);
        return content;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
