package org.mcvirt.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "cluster", description = "Add nodes to or remove nodes from the cluster (and its manifest).",
        subcommands = {ClusterCommand.RemoveNode.class})
final class ClusterCommand {
    @ParentCommand
    McvirtCommand parent;

    @Command(name = "remove-node", description = {"Remove a node from the manifest, editing the file in place.",
        "Refuses while vms or their disks live on it (in the manifest or on the node), naming them."})
    static final class RemoveNode implements Callable<Integer> {
        @ParentCommand
        ClusterCommand cluster;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--node", required = true, paramLabel = "NODE", description = "The node to remove.")
        String node;

        @Option(names = "--force", description = "Remove it even when the node cannot be read.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            McvirtCommand root = cluster.parent;
            spec.commandLine().getOut().println(root.mcvirt().removeNode(node, force, root.commandLine(spec)));
            return ExitCodes.OK;
        }
    }
}
