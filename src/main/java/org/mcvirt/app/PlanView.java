package org.mcvirt.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.mcvirt.manifest.AtomicWrite;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.PlanCodec;
import org.mcvirt.plan.PlanGraph;
import org.mcvirt.plan.PlanMarkdown;
import org.mcvirt.plan.PlanText;

/**
 * A plan as the commands see it: its renderings (text, versioned JSON, Markdown, the step graph in DOT) and the few
 * facts they decide on. Made by planning ({@link PlanApply#plan}) or read from a saved plan file ({@link #read}).
 */
public final class PlanView {
    private final Plan plan;

    PlanView(Plan plan) {
        this.plan = plan;
    }

    /** Reads a plan saved with 'mcvirt plan --out'. */
    public static PlanView read(Path file) throws McvirtException {
        try {
            return new PlanView(PlanCodec.fromJson(Files.readString(file)));
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.PLAN, "cannot read plan file " + file + ": " + e.getMessage());
        } catch (PlanCodec.InvalidPlanException e) {
            throw new McvirtException(McvirtException.Category.PLAN, "plan file " + file + " is not a valid mcvirt plan: "
                    + e.getMessage());
        }
    }

    /** The plan itself, for the use cases. */
    Plan plan() {
        return plan;
    }

    /** The plan for people, coloured or not. */
    public String text(boolean colour) {
        return PlanText.render(plan, colour);
    }

    /** The versioned JSON a saved plan file holds (docs/plan-format.md). */
    public String json() {
        return PlanCodec.toJson(plan);
    }

    /**
     * Saves the plan for 'mcvirt apply FILE' ({@link #json}), all at once: a new temporary file in the same directory,
     * then a rename. A file that is a symbolic link is refused; an existing file keeps its mode.
     */
    public void save(Path file) throws McvirtException {
        try {
            AtomicWrite.replace(file, json(), AtomicWrite.NEW_FILE);
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.REFUSED, "cannot save the plan to " + file + ": "
                    + e.getMessage());
        }
    }

    /** Markdown for a merge request comment: data-loss changes first, a collapsible section per change. */
    public String markdown() {
        return PlanMarkdown.render(plan);
    }

    /** The step graph in Graphviz DOT: one lane per node. */
    public String dot() {
        return PlanGraph.dot(plan);
    }

    /** How many steps apply would run. */
    public int stepCount() {
        return plan.steps().size();
    }

    /** What keeps the plan from being applied. */
    public List<String> problems() {
        return plan.problemMessages();
    }

    public boolean hasChanges() {
        return plan.hasChanges();
    }
}
