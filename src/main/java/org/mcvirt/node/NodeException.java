package org.mcvirt.node;

/** A node could not be reached or refused an operation; the message names the node and the object. */
public final class NodeException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String node;

    public NodeException(String node, String message, Throwable cause) {
        super("node " + node + ": " + message, cause);
        this.node = node;
    }

    public String node() {
        return node;
    }
}
