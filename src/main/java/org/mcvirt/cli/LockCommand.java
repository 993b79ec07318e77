package org.mcvirt.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.mcvirt.app.ClusterLock;
import org.mcvirt.app.Locks;
import org.mcvirt.app.McvirtException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "lock", footer = {"", "Example:", "  mcvirt lock status"},
         description = {"Show or break the cluster lock that every mutating command holds.",
    "It replaces deleting lock files by hand on every node."},
        subcommands = {LockCommand.Status.class, LockCommand.Break.class})
final class LockCommand {
    @ParentCommand
    McvirtCommand parent;

    @Command(name = "status", footer = {"", "Example:", "  mcvirt lock status"},
         description = {"Show the lock on every node: free, or who holds it and whether the holder"
        + " is still alive.", "Exits 1 when a node cannot be read."})
    static final class Status implements Callable<Integer> {
        @ParentCommand
        LockCommand lock;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            var out = spec.commandLine().getOut();
            boolean allRead = true;
            for (ClusterLock.NodeLock node : new Locks(lock.parent.access()).status()) {
                if (node.error() != null) {
                    out.printf("%s: unknown (%s)%n", node.node(), node.error());
                    allRead = false;
                } else if (node.holder() == null) {
                    out.printf("%s: free%n", node.node());
                } else {
                    out.printf("%s: locked by %s; %s%n", node.node(), ClusterLock.describe(node.holder()), node.state());
                }
            }
            return allRead ? ExitCodes.OK : ExitCodes.ERROR;
        }
    }

    @Command(name = "break", footer = {"", "Example:", "  mcvirt lock break   # asks; after a killed mcvirt"},
         description = {"Remove the lock shown on every node (only if it is still the one shown). Asks first;"
        + " refuses an active holder unless --force.", "Use it after a mcvirt process was killed or its controller was lost."})
    static final class Break implements Callable<Integer> {
        @ParentCommand
        LockCommand lock;

        @Spec
        CommandSpec spec;

        @Option(names = "--force", description = "Do not ask, and break even a lock whose holder looks alive.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            var out = spec.commandLine().getOut();
            McvirtCommand root = lock.parent;
            Locks locks = new Locks(root.access());
            List<ClusterLock.NodeLock> shown = locks.status();
            if (!force) {
                for (ClusterLock.NodeLock node : shown) {
                    out.printf("%s: %s%n", node.node(), node.holder() == null ? (node.error() == null ? "free"
                            : "unknown (" + node.error() + ")")
                            : "locked by " + ClusterLock.describe(node.holder()) + "; " + node.state());
                }
                if (!root.terminal.interactive()) {
                    throw new McvirtException(McvirtException.Category.REFUSED, "no terminal to ask and --force not"
                            + " given; the lock was left as it is");
                }
                if (!root.terminal.confirm(out, "Break the lock on every node?")) {
                    throw new McvirtException(McvirtException.Category.REFUSED, "the lock was left as it is");
                }
            }
            ClusterLock.Broken result = locks.breakLock(shown, force);
            List<String> broken = result.broken();
            out.println(broken.isEmpty() ? (result.left().isEmpty() ? "No node had a lock." : "No lock was broken.") : "Broke the lock on: " + String.join(", ", broken));
            result.left().forEach((node, why) -> out.printf("%s: left as it is: %s%n", node, why));
            if (!result.left().isEmpty()) {
                return ExitCodes.ERROR;
            }
            return ExitCodes.OK;
        }
    }
}
