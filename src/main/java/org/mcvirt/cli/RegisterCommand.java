package org.mcvirt.cli;

import java.util.Optional;
import java.util.concurrent.Callable;
import org.mcvirt.app.Moves;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "register",
         description = {"Put back a vm that is defined on no node (for example after 'virsh undefine'), from the copy",
             "of its definition mcvirt keeps in the state directory of both nodes of its replicated disks (updated",
             "whenever mcvirt defines it). Its disks are kept. Refused while its disks are primary on another node.",
             "A plain 'mcvirt apply' plans the same repair on the manifest's node."},
         footer = {"", "Examples:", "  mcvirt -f cluster.yaml register web1",
             "  mcvirt -f cluster.yaml register --node node2 --yes web1"})
final class RegisterCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VM", description = "The vm to register.")
    String vm;

    @Option(names = "--node", paramLabel = "NODE", description = "Where to register it (default: its node in the"
            + " manifests).")
    String node;

    @Option(names = {"--yes", "--auto-approve"}, description = "Do not ask for approval.")
    boolean yes;

    @Override
    public Integer call() throws Exception {
        Moves moves = new Moves(parent.access());
        ApplyCommand apply = ApplyCommand.forImperative(parent, spec, yes, 60, 120);
        int code = apply.execute((options, listener, interaction) -> moves.register(vm, Optional.ofNullable(node),
                options, listener, interaction));
        if (node != null) {
            MigrateCommand.manifestHint(spec.commandLine().getOut(), moves, vm, node, false);
        }
        return code;
    }
}
