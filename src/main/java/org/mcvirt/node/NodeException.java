package org.mcvirt.node;

import org.mcvirt.node.ssh.SshException;

/**
 * A node could not be reached or refused an operation; the message names the node and the object. An
 * unresponsive failure means the node stopped answering (a deadline passed or libvirt's keepalive gave up): no
 * further call should be sent to that node in this command.
 */
public final class NodeException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String node;
    private final boolean unresponsive;

    public NodeException(String node, String message, Throwable cause) {
        this(node, message, cause, false);
    }

    private NodeException(String node, String message, Throwable cause, boolean unresponsive) {
        super("node " + node + ": " + message, cause);
        this.node = node;
        this.unresponsive = unresponsive;
    }

    /** The node stopped answering: message says which call stalled and for how long. */
    public static NodeException unresponsive(String node, String message, Throwable cause) {
        return new NodeException(node, message, cause, true);
    }

    /**
     * A command transport's failure while doing what ("cannot WHAT: ..."): unresponsive when the node stopped
     * answering (the command timed out, the node cannot be reached, the connection broke), else a plain failure.
     */
    public static NodeException transportFailure(String node, String what, SshException e) {
        boolean gone = e.category() == SshException.Category.TIMEOUT
                || e.category() == SshException.Category.UNREACHABLE || e.category() == SshException.Category.IO;
        String message = "cannot " + what + ": " + e.getMessage();
        return gone ? unresponsive(node, "stopped answering: " + message, e) : new NodeException(node, message, e);
    }

    public String node() {
        return node;
    }

    public boolean unresponsive() {
        return unresponsive;
    }
}
