package org.mcvirt.cli;

import java.util.concurrent.Callable;
import org.mcvirt.app.ClusterViews;
import org.mcvirt.model.DesiredState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "validate", footer = {"", "Example:", "  mcvirt -f cluster.yaml validate"},
         description = {"Check the manifests offline: syntax, keys, values, references.",
    "Every problem is printed as file:line:col: error: message. Contacts no node."})
final class ValidateCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DesiredState state = new ClusterViews(parent.access()).validate();
        spec.commandLine().getOut().printf("The manifests are valid: cluster %s, %d nodes, %d networks, %d vms.%n",
                state.cluster().name(), state.nodes().size(), state.networks().size(), state.vms().size());
        return ExitCodes.OK;
    }
}
