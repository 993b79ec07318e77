package org.mcvirt.cli;

import java.util.concurrent.Callable;
import org.mcvirt.app.ClusterViews;
import org.mcvirt.app.Observation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "observe", footer = {"", "Example:", "  mcvirt observe > observed.json"},
         description = {"Print what mcvirt reads from every node, as JSON: the input of 'plan'.",
    "Useful in bug reports and as test data. Exits 1 when a node cannot be read."})
final class ObserveCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Observation observed = new ClusterViews(parent.access()).observe();
        spec.commandLine().getOut().println(JsonOutput.write(observed.state()));
        return observed.allRead() ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
