package org.mcvirt.app;

import java.util.List;
import org.mcvirt.node.StateDirectory;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * The nodes the cluster lock lives on: their names in order, each one's lock file and command transport. A
 * {@link Cluster} in use; tests give local transports over temporary directories.
 */
interface LockNodes {
    /** The node names, sorted: the lock is taken in this order. */
    List<String> names();

    /** The node's state directory. */
    String stateDirectory(String node);

    /** The node's command transport. */
    NodeTransport transport(String node) throws SshException;

    /** The lock file in the node's state directory. */
    default String lockFile(String node) {
        return new StateDirectory(stateDirectory(node)).lockFile();
    }

    static LockNodes of(Cluster cluster) {
        return new LockNodes() {
            @Override
            public List<String> names() {
                return cluster.nodeNames();
            }

            @Override
            public String stateDirectory(String node) {
                return cluster.spec(node).stateDirectory();
            }

            @Override
            public NodeTransport transport(String node) throws SshException {
                return cluster.transport(node);
            }
        };
    }
}
