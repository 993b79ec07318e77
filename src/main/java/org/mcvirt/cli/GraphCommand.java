package org.mcvirt.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.mcvirt.app.PlanApply;
import org.mcvirt.app.PlanView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "graph", description = {"Draw the step graph of a plan: one lane per node, an arrow from each step to"
        + " the steps that wait for it, destructive steps in red.",
    "Without PLANFILE the live cluster is planned (changes nothing). SVG comes from Graphviz's 'dot' when it is"
            + " installed; otherwise mcvirt says so and prints DOT.",
    "",
    "Examples:",
    "  mcvirt graph cluster.plan | dot -Tpng > plan.png",
    "  mcvirt graph --format svg > plan.svg"})
final class GraphCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "PLANFILE", description = "A plan saved with 'mcvirt plan --out'.")
    Path planFile;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "dot", description = "dot (default) or svg.")
    Format format;

    enum Format { dot, svg }

    @Override
    public Integer call() throws Exception {
        PlanView plan = planFile != null ? PlanView.read(planFile)
                : new PlanApply(parent.access()).plan(Set.of(), false);
        String dot = plan.dot();
        var out = spec.commandLine().getOut();
        if (format == Format.svg) {
            String svg = svg(dot);
            if (svg != null) {
                out.print(svg);
                return ExitCodes.OK;
            }
            spec.commandLine().getErr().println("mcvirt: Graphviz 'dot' is not installed (apt-get install graphviz);"
                    + " printing DOT instead of SVG");
        }
        out.print(dot);
        return ExitCodes.OK;
    }

    /** The SVG Graphviz draws, or null when 'dot' is not on the PATH or fails. */
    private static String svg(String dot) {
        try {
            Process process = new ProcessBuilder("dot", "-Tsvg").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().write(dot.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            byte[] svg = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            return process.exitValue() == 0 ? new String(svg, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
