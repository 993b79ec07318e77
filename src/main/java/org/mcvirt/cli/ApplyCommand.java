package org.mcvirt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.mcvirt.app.ApplyOptions;
import org.mcvirt.app.ApplyProgress;
import org.mcvirt.app.ApplyProgress.StepLine;
import org.mcvirt.app.ApplyResult;
import org.mcvirt.app.Interaction;
import org.mcvirt.app.McvirtException;
import org.mcvirt.app.PlanApply;
import org.mcvirt.app.PlanView;
import org.mcvirt.app.Scope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "apply", footer = {"", "Examples:", "  mcvirt -f cluster.yaml apply", "  mcvirt apply --auto-approve cluster.plan    # a plan saved with plan --out"},
         description = {"Make the cluster match the manifests: plan, show, ask, then run the steps.",
    "With PLANFILE, run that saved plan, only if it is exactly what mcvirt plans again from the manifests it was",
    "made from (-f) and the cluster (refused, naming the first difference, or when the cluster changed since).",
    "Without a terminal, --auto-approve is required. Any destroy needs --allow-destroy."})
final class ApplyCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "PLANFILE", description = "A plan saved with 'mcvirt plan --out'.")
    Path planFile;

    @Option(names = "--auto-approve", description = "Do not ask for approval.")
    boolean autoApprove;

    @Option(names = "--allow-destroy", description = "Allow the plan to destroy vms, disks and networks.")
    boolean allowDestroy;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "4",
            description = "At most N steps at once (default: ${DEFAULT-VALUE}): steps on different nodes, and on one node"
                    + " the volume, define, start, shutdown and undefine steps of different vms.")
    int parallelism;

    @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long a guest may take to shut down before it is powered off (default: ${DEFAULT-VALUE}).")
    long shutdownTimeout;

    @Option(names = "--step-timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = {"How long one step may take (a shutdown step: this plus the shutdown timeout). A step that"
                    + " passes it, or whose node stops answering, fails; no further step runs on that node"
                    + " (default: ${DEFAULT-VALUE})."})
    long stepTimeout;

    @Option(names = "--sync-timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "How long the initial sync of a new replicated disk may take; its progress is shown"
                    + " (default: ${DEFAULT-VALUE}).")
    long syncTimeout;

    /** An apply with the defaults, for an imperative command (migrate, register) that runs through it. */
    static ApplyCommand forImperative(McvirtCommand parent, CommandSpec spec,
                                      boolean autoApprove, long shutdownTimeout, long stepTimeout) {
        ApplyCommand apply = new ApplyCommand();
        apply.parent = parent;
        apply.spec = spec;
        apply.autoApprove = autoApprove;
        apply.parallelism = 4;
        apply.shutdownTimeout = shutdownTimeout;
        apply.stepTimeout = stepTimeout;
        apply.syncTimeout = 3600;
        return apply;
    }

    /** One way to run an apply: the whole manifest (apply), or one imperative change (migrate, register). */
    @FunctionalInterface
    interface Run {
        ApplyResult run(ApplyOptions options, ApplyProgress listener, Interaction interaction) throws McvirtException;
    }

    @Option(names = "--live", description = "A running vm whose node changes migrates live, even when its manifest"
            + " says migration: offline (a saved plan keeps the mode it was made with).")
    boolean live;

    @picocli.CommandLine.Mixin
    NodeLossOptions nodeLoss = new NodeLossOptions();

    @Override
    public Integer call() throws Exception {
        PlanApply planApply = new PlanApply(parent.access());
        Optional<PlanView> saved = planFile == null ? Optional.empty() : Optional.of(PlanView.read(planFile));
        Scope scope = (live ? Scope.live() : Scope.ALL).withNodeLoss(nodeLoss.allowDowntime,
                nodeLoss.acceptStale(spec));
        return execute((options, listener, interaction) -> planApply.apply(saved, parent.manifestsGiven(), options,
                listener, interaction, scope));
    }

    /** Checks the options, runs the apply with progress, and reports its outcome. */
    Integer execute(Run run) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (parallelism < 1) {
            throw new ParameterException(spec.commandLine(), "--parallelism must be at least 1");
        }
        if (stepTimeout < 1 || shutdownTimeout < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--step-timeout must be at least 1 and --shutdown-timeout at least 0");
        }
        ProgressPrinter progress = new ProgressPrinter(out);
        ApplyResult result = run.run(new ApplyOptions(allowDestroy,
                parallelism, shutdownTimeout, Duration.ofSeconds(stepTimeout), Duration.ofSeconds(syncTimeout),
                parent.commandLine(spec)),
                progress, new Interaction() {
                    @Override
                    public void show(PlanView plan) {
                        progress.total = plan.stepCount();
                        out.print(plan.text(parent.colour()));
                        out.flush();
                    }

                    @Override
                    public boolean approve(PlanView plan) throws McvirtException {
                        return ApplyCommand.this.approve();
                    }
                });
        if (!result.ran()) {
            return ExitCodes.OK;
        }
        long done = result.done();
        long failed = result.failed();
        long skipped = result.skipped();
        out.printf("%nApply %s: %d done, %d failed, %d skipped.%n", failed + skipped == 0 ? "complete" : "incomplete",
                done, failed, skipped);
        for (ApplyResult.PendingRestart pending : result.pendingRestarts()) {
            out.printf("Pending restart: %s (%s) takes effect when the vm is next started.%n", pending.address(),
                    String.join(", ", pending.attributes()));
        }
        result.stalled().forEach((node, why) -> out.printf("Node %s stopped answering; no further step ran there (%s).%n",
                node, why.replaceFirst("^node " + Pattern.quote(node) + ": ", "")));
        if (!result.lockLeftOn().isEmpty()) {
            out.printf("The cluster lock is left on %s: once the node answers again, check 'mcvirt lock status' and run"
                    + " 'mcvirt lock break'.%n", String.join(", ", result.lockLeftOn()));
        }
        if (failed + skipped > 0) {
            throw new McvirtException(McvirtException.Category.APPLY_FAILED, failed + " step(s) failed and " + skipped
                    + " were skipped or not run; run 'mcvirt plan' to see what is left");
        }
        return ExitCodes.OK;
    }

    private boolean approve() throws McvirtException {
        if (autoApprove) {
            return true;
        }
        if (!parent.terminal.interactive()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "no terminal to ask for approval and"
                    + " --auto-approve not given; nothing was changed");
        }
        PrintWriter out = spec.commandLine().getOut();
        return parent.terminal.confirm(out, "\nDo you want to perform these actions?");
    }

    /** One line per step as it starts and ends. Synchronized: steps on different nodes finish concurrently. */
    private static final class ProgressPrinter implements ApplyProgress {
        private final PrintWriter out;
        private volatile int total;

        ProgressPrinter(PrintWriter out) {
            this.out = out;
        }

        @Override
        public synchronized void started(StepLine step) {
            out.printf("[%d/%d] %s: %s ...%n", step.id(), total, step.node(), step.description());
            out.flush();
        }

        @Override
        public synchronized void finished(StepLine step, long millis, String note) {
            out.printf("[%d/%d] %s: %s: done (%.1fs)%s%n", step.id(), total, step.node(), step.description(),
                    millis / 1000.0, note.isEmpty() ? "" : "; " + note);
            out.flush();
        }

        @Override
        public synchronized void failed(StepLine step, long millis, String error) {
            out.printf("[%d/%d] %s: %s: FAILED (%.1fs): %s%n", step.id(), total, step.node(), step.description(),
                    millis / 1000.0, error);
            out.flush();
        }

        @Override
        public synchronized void progress(StepLine step, String message) {
            out.printf("[%d/%d] %s: %s: %s%n", step.id(), total, step.node(), step.description(), message);
            out.flush();
        }

        @Override
        public synchronized void skipped(StepLine step, String why) {
            out.printf("[%d/%d] %s: %s: %s%n", step.id(), total, step.node(), step.description(), why);
            out.flush();
        }
    }
}
