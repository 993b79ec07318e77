package org.mcvirt.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mcvirt.app.PlanView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "show", description = {"Print a saved plan again, as text, JSON or Markdown. Reads only the file:"
        + " no node is contacted.",
    "",
    "Examples:",
    "  mcvirt show cluster.plan",
    "  mcvirt show cluster.plan --format markdown > plan.md"})
final class ShowCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PLANFILE", description = "A plan saved with 'mcvirt plan --out'.")
    Path planFile;

    @Option(names = "--json", description = "Same as --format json.")
    boolean json;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), json or markdown.")
    PlanCommand.Format format;

    @Override
    public Integer call() throws Exception {
        PlanView plan = PlanView.read(planFile);
        spec.commandLine().getOut().print(PlanCommand.print(plan, json ? PlanCommand.Format.json : format,
                parent.colour()));
        return ExitCodes.OK;
    }
}
