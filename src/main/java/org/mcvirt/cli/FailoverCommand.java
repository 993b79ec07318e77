package org.mcvirt.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mcvirt.app.Moves;
import org.mcvirt.model.NodeSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "failover",
         description = {"Run the vms of a dead node on their peers: the imperative form of 'state: offline'.",
             "Say it only when NODE is powered off or fenced: mcvirt never contacts it. The plan is what apply would",
             "plan with NODE declared offline, for the vms whose home it is: each replicated vm is taken over on the",
             "other node of its pair (a failover record there, its disks made primary, defined from mcvirt's saved",
             "copy of its definition, started when its manifest says running), under the lock of the other nodes. A",
             "disk whose surviving copy was not UpToDate when the node was lost is refused, naming it; --accept-stale",
             "VM/DISK takes it anyway. A vm without replicated disks stays down with its node. Afterwards the manifest",
             "still says the node is online: failover prints the line to change, or changes it with",
             "--update-manifest (comments are kept); until it says offline, plans refuse while the node cannot be",
             "read. When the node is back, set it online: the plan discards its stale copies (--allow-destroy)."},
         footer = {"", "Examples:", "  mcvirt -f cluster.yaml failover --node node2",
             "  mcvirt -f cluster.yaml failover --node node2 --yes --update-manifest",
             "  mcvirt -f cluster.yaml failover --node node2 --accept-stale db1/root"})
final class FailoverCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--node", required = true, paramLabel = "NODE", description = "The node that is down.")
    String node;

    @Option(names = "--update-manifest", description = "Set the node's 'state: offline' in its manifest file in place.")
    boolean updateManifest;

    @Option(names = {"--yes", "--auto-approve"}, description = "Do not ask for approval.")
    boolean yes;

    @Option(names = "--accept-stale", paramLabel = "VM/DISK", description = "Take this disk's surviving copy although"
            + " it was not UpToDate when the node was lost (it may lack the last writes, or be half-synced)."
            + " Repeatable.")
    java.util.List<String> acceptStale = new java.util.ArrayList<>();

    @Option(names = "--step-timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "How long one step may take (default: ${DEFAULT-VALUE}).")
    long stepTimeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        NodeLossOptions stale = new NodeLossOptions();
        stale.acceptStale = acceptStale;
        Moves moves = new Moves(parent.access());
        ApplyCommand apply = ApplyCommand.forImperative(parent, spec, yes, 60, stepTimeout);
        int code = apply.execute((options, listener, interaction) -> moves.failover(node, stale.acceptStale(spec),
                options, listener, interaction));
        if (updateManifest) {
            Optional<String> where = moves.updateNodeState(node, NodeSpec.State.OFFLINE);
            out.println(where.map(w -> "Updated " + w + ": state: offline.").orElse("The manifests do not define"
                    + " node " + node + " as a block mapping; set its 'state: offline' by hand."));
        } else {
            out.printf("The manifest still says node %s is online: set 'state: offline' on it (or run with"
                    + " --update-manifest); until then plans refuse while %s cannot be read.%n", node, node);
        }
        return code;
    }
}
