package org.mcvirt.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.SshException;

/** lock break: removes, on each node, the cluster lock that was shown there and nothing else. */
final class LockBreak {
    private LockBreak() {
    }

    /**
     * Removes the lock that was shown on each node, and only that: the file is removed on the node only if it still
     * holds the token shown (or, when it was damaged, the same text), in one step there. A node whose lock changed
     * since, or that could not be read or reached, is left as it is, with why.
     */
    static ClusterLock.Broken breakLock(LockNodes nodes, List<ClusterLock.NodeLock> shown) {
        List<String> broken = new ArrayList<>();
        Map<String, String> left = new TreeMap<>();
        for (ClusterLock.NodeLock lock : shown.stream().sorted((a, b) -> a.node().compareTo(b.node())).toList()) {
            String node = lock.node();
            if (lock.holder() == null && lock.text() == null) {
                if (lock.error() != null) {
                    left.put(node, "its lock could not be read: " + lock.error());
                }
                continue; // free when shown: a lock taken since is not the one shown
            }
            String[] compared = lock.holder() != null ? new String[] {"token", lock.holder().token()}
                    : new String[] {"text", lock.text().replaceFirst("\n+$", "")};
            try {
                CommandResult removed = nodes.transport(node).run(NodeScript.LOCK_BREAK.command(nodes.lockFile(node),
                        compared[0], compared[1]));
                if (removed.succeeded()) {
                    broken.add(node);
                } else if (removed.exitStatus() == NodeScript.LOCK_CHANGED_STATUS) {
                    left.put(node, "the lock changed since it was shown (another holder, or a renewed damaged file);"
                            + " run 'mcvirt lock status' again");
                } else if (removed.exitStatus() != NodeScript.LOCK_GONE_STATUS) {
                    left.put(node, "cannot remove the lock " + nodes.lockFile(node) + ": " + removed.stderr().strip()
                            + " (exit status " + removed.exitStatus() + ")");
                }
            } catch (SshException e) {
                left.put(node, "cannot break the lock: " + e.getMessage());
            }
        }
        return new ClusterLock.Broken(broken, left);
    }

}
