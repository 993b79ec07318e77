package org.mcvirt.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.mcvirt.app.PlanApply;
import org.mcvirt.app.PlanView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "plan", description = {"Read the live cluster and show what apply would change. Changes nothing.",
    "Symbols: + create, ~ update in place, - destroy, -/+ replace, > migrate.",
    "",
    "Examples:",
    "  mcvirt plan --out cluster.plan && mcvirt apply cluster.plan",
    "  mcvirt plan --detailed-exitcode    # in CI: 0 no changes, 2 changes, 1 error",
    "  mcvirt plan --format markdown > plan.md   # for a merge request comment"})
final class PlanCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the plan as versioned JSON (docs/plan-format.md); same as --format json.")
    boolean json;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), json, or markdown (data-loss changes first, a collapsible section per"
                    + " change, the summary line last).")
    Format format;

    /** How a plan is printed. */
    enum Format { text, json, markdown }

    /** The plan in the format asked for. */
    static String print(PlanView plan, Format format, boolean colour) {
        return switch (format) {
            case text -> plan.text(colour);
            case json -> plan.json();
            case markdown -> plan.markdown();
        };
    }

    @Option(names = "--out", paramLabel = "FILE", description = "Save the plan for 'mcvirt apply FILE'.")
    Path out;

    @Option(names = "--detailed-exitcode", description = "Exit 0 with no changes, 2 with changes, 1 on error.")
    boolean detailedExitCode;

    @Option(names = "--target", paramLabel = "VM", description = "Plan only this vm (repeatable).")
    List<String> targets = new ArrayList<>();

    @Option(names = "--live", description = "A running vm whose node changes migrates live, even when its manifest"
            + " says migration: offline.")
    boolean live;

    @picocli.CommandLine.Mixin
    NodeLossOptions nodeLoss = new NodeLossOptions();

    @Override
    public Integer call() throws Exception {
        PlanView plan = new PlanApply(parent.access()).plan(Set.copyOf(targets), live, nodeLoss.allowDowntime,
                nodeLoss.acceptStale(spec));
        var stdout = spec.commandLine().getOut();
        Format chosen = json ? Format.json : format;
        stdout.print(print(plan, chosen, parent.colour()));
        if (!plan.problems().isEmpty()) {
            spec.commandLine().getErr().println("Error: the plan has " + plan.problems().size()
                    + " problem(s); fix them before applying.");
            return ExitCodes.ERROR;
        }
        if (out != null) {
            plan.save(out);
            if (chosen == Format.text) {
                stdout.println("Saved the plan to " + out + "; apply it exactly with: mcvirt apply " + out);
            }
        }
        return detailedExitCode && plan.hasChanges() ? ExitCodes.CHANGES_PRESENT : ExitCodes.OK;
    }
}
