package org.mcvirt.cli;

import java.util.concurrent.Callable;
import org.mcvirt.state.ObservedState;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "observe", footer = {"", "Example:", "  mcvirt observe > observed.json"},
         description = {"Print what mcvirt reads from every node, as JSON: the input of 'plan'.",
    "Useful in bug reports and as test data. Exits 1 when a node cannot be read."})
final class ObserveCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ObservedState observed = parent.mcvirt().observe();
        spec.commandLine().getOut().println(JsonOutput.write(observed));
        return observed.nodes().stream().allMatch(n -> n.reachable()) ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
