package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A plan as Markdown for a merge request comment (GitLab and GitHub render it): problems and warnings first, then the
 * changes that destroy data, then the others, each in a collapsible section with its attributes and the steps that
 * carry it out, and the summary line last. Deterministic: the same plan gives the same text.
 */
public final class PlanMarkdown {
    private PlanMarkdown() {
    }

    public static String render(Plan plan) {
        StringBuilder out = new StringBuilder();
        out.append("### mcvirt plan for cluster `").append(plan.cluster()).append("`\n\n");
        if (!plan.problems().isEmpty()) {
            out.append("**Errors: apply refuses this plan until they are solved.**\n\n");
            plan.problems().forEach(p -> out.append("- :x: ").append(escape(p.message())).append('\n'));
            out.append('\n');
        }
        if (!plan.warnings().isEmpty()) {
            out.append("**Warnings**\n\n");
            plan.warnings().forEach(w -> out.append("- :warning: ").append(escape(w.message())).append('\n'));
            out.append('\n');
        }
        if (plan.changes().isEmpty()) {
            out.append(plan.problems().isEmpty() ? "No changes. The cluster matches the manifest.\n"
                    : "No changes can be planned until the problems above are solved.\n");
            return out.toString();
        }
        List<ResourceChange> changes = new ArrayList<>(plan.changes());
        changes.sort(Comparator.comparing((ResourceChange c) -> !c.destroysData()).thenComparing(ResourceChange::address));
        boolean lossHeading = false;
        boolean restHeading = false;
        for (ResourceChange change : changes) {
            if (change.destroysData() && !lossHeading) {
                out.append("#### :rotating_light: Destroys data (apply needs `--allow-destroy`)\n\n");
                lossHeading = true;
            } else if (!change.destroysData() && !restHeading) {
                out.append("#### Changes\n\n");
                restHeading = true;
            }
            section(out, change, plan.steps().stream().filter(s -> change.address().equals(s.change())).toList());
        }
        Plan.Summary s = plan.summary();
        out.append("**Plan: ").append(s.create()).append(" to create, ").append(s.change()).append(" to change, ")
                .append(s.migrate()).append(" to migrate, ").append(s.destroy()).append(" to destroy.**\n");
        return out.toString();
    }

    private static void section(StringBuilder out, ResourceChange change, List<Step> steps) {
        out.append("<details><summary><code>").append(change.action().symbol()).append(' ').append(change.address())
                .append("</code>").append(change.node() == null ? "" : " on node " + change.node()).append(": ")
                .append(escape(change.reason())).append("</summary>\n\n");
        if (!change.attributes().isEmpty()) {
            out.append("| attribute | before | after | effect |\n|---|---|---|---|\n");
            for (AttributeChange a : change.attributes()) {
                out.append("| `").append(a.name()).append("` | ").append(cell(a.before())).append(" | ")
                        .append(cell(a.after())).append(" | ")
                        .append(a.effect() == Effect.DATA_LOSS ? "**" + a.effect().label() + "**" : a.effect().label())
                        .append(" |\n");
            }
            out.append('\n');
        }
        if (!steps.isEmpty()) {
            out.append("Steps:\n\n");
            for (Step step : steps) {
                out.append(step.id()).append(". [").append(step.node()).append("] ").append(escape(step.description()));
                if (!step.dependsOn().isEmpty()) {
                    out.append(" (after ").append(String.join(", ", step.dependsOn().stream().map(String::valueOf)
                            .toList())).append(')');
                }
                out.append('\n');
            }
            out.append('\n');
        }
        out.append("</details>\n\n");
    }

    private static String cell(String value) {
        return value == null ? "" : "`" + value.replace("|", "\\|").replace("`", "'") + "`";
    }

    /** Text in Markdown: no HTML from node names or messages, and no accidental emphasis or tables. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
                .replace("*", "\\*").replace("_", "\\_");
    }
}
