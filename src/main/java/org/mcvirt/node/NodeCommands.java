package org.mcvirt.node;

import java.util.List;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.RedactingTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * Tools run on one node over its command transport ({@link NodeScript#TOOL}: sbin on the PATH, no standard input),
 * with their failures as {@link NodeException}s naming the node: the plumbing the LVM, DRBD and saved-definition
 * parts share. Everything goes through a {@link RedactingTransport} (the run's own when the caller gives one, as
 * app.Cluster does), so no result or message built from one holds the DRBD shared secret.
 */
final class NodeCommands {
    private final String node;
    private final RedactingTransport transport;

    NodeCommands(String node, NodeTransport transport) {
        this.node = node;
        this.transport = RedactingTransport.over(transport);
    }

    String node() {
        return node;
    }

    /** The node's transport, redacting. */
    NodeTransport transport() {
        return transport;
    }

    /** Runs a tool; a failed exit status is the caller's to judge. */
    CommandResult command(String... argv) throws NodeException {
        return command(List.of(argv));
    }

    CommandResult command(List<String> argv) throws NodeException {
        try {
            return transport.run(NodeScript.TOOL.command(argv.toArray(String[]::new)));
        } catch (SshException e) {
            throw failure(String.join(" ", argv), e);
        }
    }

    /** Runs a tool that must succeed; what says what it does, for the error. */
    void run(String what, String... argv) throws NodeException {
        run(what, List.of(argv));
    }

    void run(String what, List<String> argv) throws NodeException {
        CommandResult result = command(argv);
        if (!result.succeeded()) {
            throw failed(what, result);
        }
    }

    NodeException failed(String what, CommandResult result) {
        return new NodeException(node, "cannot " + what + ": exit status " + result.exitStatus() + ": "
                + redacted(lastLines(result.stderr() + result.stdout())), null);
    }

    NodeException failure(String what, SshException e) {
        return NodeException.transportFailure(node, what, e);
    }

    /** Text from an earlier result, with the secrets learnt since it came back redacted as well. */
    String redacted(String text) {
        return transport.redactor().redact(text);
    }

    /** The last four non-blank lines of a tool's output, joined: enough to say why, short enough for one line. */
    static String lastLines(String text) {
        List<String> lines = text.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return String.join(" / ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
    }
}
