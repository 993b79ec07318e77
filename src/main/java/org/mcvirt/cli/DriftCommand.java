package org.mcvirt.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mcvirt.app.DriftJunit;
import org.mcvirt.app.DriftMarkdown;
import org.mcvirt.app.DriftReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "drift", description = {"Check every object against the manifest and its health, for CI. Changes"
    + " nothing and takes no lock.",
    "One result per node (reachable, no stale cluster lock, no apply stopped part-way on it), network, pool and vm"
    + " (the plan has no change or problem for it, such as a changed attribute or an unmanaged object in the way)"
    + " and replicated disk (connected, up to date, in sync, no split-brain, verify mark or failed verify, and"
    + " verified within cluster.drbd.verifyMaxAge when that is set).",
    "Exits 0 when nothing drifted, 2 when something did, 1 on error.",
    "",
    "Examples:",
    "  mcvirt drift --junit drift.xml    # in CI: one JUnit test case per object, a drifted one fails",
    "  mcvirt drift --json",
    "  mcvirt drift --markdown drift.md  # for an issue or a merge request comment"})
final class DriftCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write the result as JUnit XML (GitLab,"
            + " Jenkins and GitHub render it): one test case per object, classname mcvirt.CLUSTER.KIND.")
    Path junit;

    @Option(names = "--json", description = "Print the result as JSON instead of text.")
    boolean json;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Also write the result as Markdown.")
    Path markdown;

    @Override
    public Integer call() throws Exception {
        DriftReport report = parent.drift().check();
        if (junit != null) {
            Files.writeString(junit, DriftJunit.render(report), StandardCharsets.UTF_8);
        }
        if (markdown != null) {
            Files.writeString(markdown, DriftMarkdown.render(report), StandardCharsets.UTF_8);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonOutput.write(report));
        } else {
            out.print(text(report));
        }
        return report.hasDrift() ? ExitCodes.CHANGES_PRESENT : ExitCodes.OK;
    }

    /** One line per object, a drifted one followed by its findings, and the count last. */
    static String text(DriftReport report) {
        StringBuilder out = new StringBuilder();
        for (DriftReport.Item item : report.objects()) {
            out.append(item.drifted() ? "  DRIFT " : "  ok    ").append(item.kind().label()).append(' ')
                    .append(item.name());
            if (item.drifted()) {
                out.append(": ").append(item.message()).append('\n');
                // the first finding is the message already, unless there are more
                item.details().stream().skip(item.details().get(0).equals(item.message()) ? 1 : 0)
                        .forEach(line -> out.append("        ").append(line).append('\n'));
            } else {
                out.append('\n');
                item.notes().forEach(note -> out.append("        note: ").append(note).append('\n'));
            }
        }
        out.append('\n');
        if (report.hasDrift()) {
            out.append("Drift: ").append(report.drifted()).append(" of ").append(report.objects().size())
                    .append(" objects of cluster ").append(report.cluster()).append(" drifted.\n");
        } else {
            out.append("No drift: all ").append(report.objects().size()).append(" objects of cluster ")
                    .append(report.cluster()).append(" match the manifest and are healthy.\n");
        }
        return out.toString();
    }
}
