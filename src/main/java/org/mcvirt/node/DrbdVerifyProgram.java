package org.mcvirt.node;

import java.util.List;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * The node side of DRBD's online verify ({@link NodeScript#DRBD_VERIFY}): the one program that starts a verify,
 * tells how it ended and records the result in the node's state directory, run by {@code mcvirt verify} over SSH and
 * by the scheduled verify's systemd service from a copy on the node. Records come back as the JSON line the program
 * wrote ({@code state.VerifyRecord} reads it).
 */
public final class DrbdVerifyProgram {
    private final NodeCommands commands;

    public DrbdVerifyProgram(String node, NodeTransport transport) {
        this.commands = new NodeCommands(node, transport);
    }

    /** How a start went: the verify runs (started now, or found running), or the program recorded why it cannot. */
    public record Start(boolean running, boolean startedNow, Recorded recorded) {
    }

    /**
     * The result the program recorded; kept: it is a failed verify's, not written, because the earlier out-of-sync
     * record stays in place.
     */
    public record Recorded(String json, boolean kept) {
    }

    /** Starts the online verify of a resource here, or finds it running; a verify that cannot start is recorded. */
    public Start start(String stateDirectory, String resource, int minor) throws NodeException {
        String out = run("start the online verify of " + resource, "start", stateDirectory, resource,
                Integer.toString(minor), commands.node());
        return switch (out.lines().findFirst().orElse("")) {
            case "started" -> new Start(true, true, null);
            case "running" -> new Start(true, false, null);
            default -> new Start(false, false, recorded(out, resource));
        };
    }

    /**
     * Waits up to waitSeconds for the verify of a resource to end here and records how it ended: clean, out of sync
     * (with the KiB this node counts), or failed (still running after the wait, aborted, or the connection lost).
     */
    public Recorded finish(String stateDirectory, String resource, int minor, long waitSeconds) throws NodeException {
        return recorded(run("record the online verify of " + resource, "finish", stateDirectory, resource,
                Integer.toString(minor), commands.node(), Long.toString(waitSeconds)), resource);
    }

    private String run(String what, String... arguments) throws NodeException {
        CommandResult result;
        try {
            result = commands.transport().run(NodeScript.DRBD_VERIFY.command(arguments));
        } catch (SshException e) {
            throw commands.failure(what, e);
        }
        if (!result.succeeded()) {
            throw commands.failed(what, result);
        }
        return result.stdout();
    }

    private Recorded recorded(String out, String resource) throws NodeException {
        List<String> lines = out.lines().toList();
        for (String line : lines) {
            if (line.startsWith("recorded {")) {
                return new Recorded(line.substring("recorded ".length()), false);
            }
            if (line.startsWith("kept {")) {
                return new Recorded(line.substring("kept ".length()), true);
            }
        }
        throw new NodeException(commands.node(), "the verify program gave no record of " + resource + ": "
                + commands.redacted(NodeCommands.lastLines(out)), null);
    }
}
