package org.mcvirt.node;

import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeTransport;

/** libvirt's record of a domain's last job on one node, read with virsh over the node's command transport. */
public final class DomainJobs implements DomainJobPrimitives {
    private static final String DOWNTIME = "Total downtime:";

    private final NodeCommands commands;

    public DomainJobs(String node, NodeTransport transport) {
        this.commands = new NodeCommands(node, transport);
    }

    /** Read with --keep-completed: libvirt keeps the record for the operator's own domjobinfo afterwards. */
    @Override
    public String completedMigrationDowntime(String domain) throws NodeException {
        CommandResult result = commands.command("virsh", "-c", "qemu:///system", "domjobinfo", "--completed", "--keep-completed", domain);
        return result.succeeded() ? downtime(result.stdout()) : null;
    }

    /** The "Total downtime" of domjobinfo's output, with its spacing made single, or null when it has none. */
    static String downtime(String domjobinfo) {
        for (String line : domjobinfo.split("\n")) {
            if (line.startsWith(DOWNTIME)) {
                return line.substring(DOWNTIME.length()).strip().replaceAll("\\s+", " ");
            }
        }
        return null;
    }
}
