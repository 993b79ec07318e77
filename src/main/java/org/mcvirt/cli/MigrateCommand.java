package org.mcvirt.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mcvirt.app.McvirtException;
import org.mcvirt.app.MigrateRequest;
import org.mcvirt.app.Moves;
import org.mcvirt.manifest.ManifestEditor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "migrate",
         description = {"Move a vm to the other node of its replicated disks, as the old MCVirt's migrate did.",
             "It is planned and applied like any change, under the cluster lock, with only this vm in the plan: the",
             "plan's checks apply (every disk replicated, UpToDate and Connected, the last verify passed, the target",
             "has the vm's networks and, when it will run there, the memory). Offline (the default) the vm is",
             "stopped, its disks change primary, it is defined on the target and undefined on the source. --live",
             "keeps it running: DRBD dual-primary is on only while libvirt migrates it, and a failure leaves it",
             "running on the source. Afterwards the manifest still names the old node: migrate prints the line to",
             "change, or changes it with --update-manifest (comments are kept)."},
         footer = {"", "Examples:", "  mcvirt -f cluster.yaml migrate --node node2 --wait-for-shutdown web1",
             "  mcvirt -f cluster.yaml migrate --node node2 --live --update-manifest --yes web1"})
final class MigrateCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VM", description = "The vm to move.")
    String vm;

    @Option(names = "--node", required = true, paramLabel = "NODE", description = "The node to move it to.")
    String node;

    @Option(names = "--live", description = "Migrate the running vm live (it keeps running).")
    boolean live;

    @Option(names = "--wait-for-shutdown", description = "When the vm runs, wait until the guest powers itself off"
            + " (shut it down from inside), then move it offline.")
    boolean waitForShutdown;

    @Option(names = "--wait-timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "How long --wait-for-shutdown waits (default: ${DEFAULT-VALUE}).")
    long waitTimeout;

    @Option(names = "--start-after-migration", description = "Start the vm on the target after an offline move.")
    boolean startAfter;

    @Option(names = "--update-manifest", description = "Change the vm's node in its manifest file in place.")
    boolean updateManifest;

    @Option(names = {"--yes", "--auto-approve"}, description = "Do not ask for approval.")
    boolean yes;

    @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long a guest may take to shut down before it is powered off (default: ${DEFAULT-VALUE}).")
    long shutdownTimeout;

    @Option(names = "--step-timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "How long one step may take (a live migration: this plus an hour, with its progress shown)"
                    + " (default: ${DEFAULT-VALUE}).")
    long stepTimeout;

    @Override
    public Integer call() throws Exception {
        if (live && (waitForShutdown || startAfter)) {
            throw new ParameterException(spec.commandLine(),
                    "--live keeps the vm running: it cannot be combined with --wait-for-shutdown or"
                            + " --start-after-migration");
        }
        PrintWriter out = spec.commandLine().getOut();
        Moves moves = new Moves(parent.access());
        ApplyCommand apply = ApplyCommand.forImperative(parent, spec, yes, shutdownTimeout, stepTimeout);
        MigrateRequest request = new MigrateRequest(vm, node, live, waitForShutdown,
                Duration.ofSeconds(waitTimeout), startAfter);
        int code;
        try {
            code = apply.execute((options, listener, interaction) -> moves.migrate(request, options, listener,
                    interaction, message -> {
                        out.println(message);
                        out.flush();
                    }));
        } catch (McvirtException e) {
            if (e.category() == McvirtException.Category.APPLY_FAILED) {
                // some steps ran: the vm may be on either node now; the manifest is left as it is
                Optional<ManifestEditor.ScalarAt> field = moves.manifestNodeField(vm);
                out.printf("The move stopped part-way: 'mcvirt info %s' shows where the vm is now. If it is on %s,"
                        + " change %s to 'node: %s'; otherwise 'mcvirt plan' shows what completes or undoes the"
                        + " move.%n", vm, node, field.map(ManifestEditor.ScalarAt::where).orElse("its manifest"), node);
            }
            throw e;
        }
        manifestHint(out, moves, vm, node, updateManifest);
        return code;
    }

    /**
     * After a vm was put on node by hand (migrate, register --node): the manifest line that still names another node,
     * printed, or changed in place when update is set.
     */
    static void manifestHint(PrintWriter out, Moves moves, String vm, String node, boolean update)
            throws McvirtException {
        Optional<ManifestEditor.ScalarAt> field = moves.manifestNodeField(vm);
        if (field.isEmpty()) {
            out.printf("The manifests do not name vm %s's node in a plain 'node:' line; set it to %s by hand.%n", vm,
                    node);
        } else if (!field.get().text().equals(node)) {
            if (update) {
                moves.updateManifestNode(field.get(), node);
                out.printf("Updated %s: node: %s (was %s).%n", field.get().where(), node, field.get().text());
            } else {
                out.printf("The manifest still puts %s on %s: change %s to 'node: %s' (or run with"
                        + " --update-manifest), or the next apply moves it back.%n", vm, field.get().text(),
                        field.get().where(), node);
            }
        }
    }
}
