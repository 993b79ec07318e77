package org.mcvirt.app;

import java.util.List;

/**
 * The drift report as Markdown for a merge request or an issue (GitLab and GitHub render it): the count, each drifted
 * object in a collapsible section with its findings, then a table of the objects in sync with their notes.
 * Deterministic: the same report gives the same text; control characters from the nodes become U+FFFD.
 */
public final class DriftMarkdown {
    private DriftMarkdown() {
    }

    public static String render(DriftReport report) {
        return DriftJunit.clean(text(report));
    }

    private static String text(DriftReport report) {
        StringBuilder out = new StringBuilder();
        out.append("### mcvirt drift for cluster `").append(report.cluster()).append("`\n\n");
        List<DriftReport.Item> drifted = report.objects().stream().filter(DriftReport.Item::drifted).toList();
        List<DriftReport.Item> inSync = report.objects().stream().filter(i -> !i.drifted()).toList();
        if (drifted.isEmpty()) {
            out.append("No drift: all ").append(inSync.size()).append(" objects match the manifest and are healthy.\n");
        } else {
            out.append("**:x: ").append(drifted.size()).append(" of ").append(report.objects().size())
                    .append(" objects drifted.**\n\n");
            for (DriftReport.Item item : drifted) {
                out.append("<details><summary><code>").append(item.kind().label()).append(' ')
                        .append(escape(item.name())).append("</code>: ").append(escape(item.message()))
                        .append("</summary>\n\n```\n");
                item.details().forEach(line -> out.append(line.replace("```", "'''")).append('\n'));
                out.append("```\n\n</details>\n\n");
            }
        }
        if (!inSync.isEmpty()) {
            out.append(drifted.isEmpty() ? "\n" : "").append("| in sync | name | notes |\n|---|---|---|\n");
            for (DriftReport.Item item : inSync) {
                out.append("| ").append(item.kind().label()).append(" | `").append(item.name()).append("` | ")
                        .append(escape(String.join("; ", item.notes()))).append(" |\n");
            }
        }
        out.append("\nChecked at ").append(report.checkedAt()).append(".\n");
        return out.toString();
    }

    /** Text in Markdown: no HTML from node names or messages, and no accidental emphasis or tables. */
    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
                .replace("*", "\\*").replace("_", "\\_");
    }
}
