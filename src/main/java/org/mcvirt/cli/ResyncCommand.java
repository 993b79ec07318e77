package org.mcvirt.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.mcvirt.app.McvirtException;
import org.mcvirt.app.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "resync", description = {
    "Resync the replicated disks of a vm from the node whose data is good: a full resync that OVERWRITES the other"
            + " node's copy (drbdadm invalidate-remote on the source node).",
    "Refused while the other node is Primary (the vm runs on the copy that would be overwritten). A verify mark stays"
            + " until a clean 'mcvirt verify VM' afterwards.",
    "Asks first; without a terminal, --yes is required. Takes the cluster lock.",
    "",
    "Example:",
    "  mcvirt resync files1 --source-node node1 && mcvirt verify files1"})
final class ResyncCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VM", description = "The vm whose replicated disks are resynced.")
    String vm;

    @Option(names = "--source-node", required = true, paramLabel = "NODE",
            description = "The node whose copy is good and is kept; the other node's copy is overwritten.")
    String sourceNode;

    @Option(names = "--yes", description = "Do not ask.")
    boolean yes;

    @Option(names = "--sync-timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "How long each disk's resync may take; its progress is shown (default: ${DEFAULT-VALUE}).")
    long timeout;

    @Override
    public Integer call() throws McvirtException {
        var out = spec.commandLine().getOut();
        if (!yes && !parent.terminal.interactive()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "resync overwrites one node's copy: without a"
                    + " terminal to ask, --yes is required; nothing was changed");
        }
        var disks = new Verification(parent.access()).resync(vm, sourceNode, Duration.ofSeconds(timeout), parent.commandLine(spec),
                question -> {
                    if (yes) {
                        out.println(question.replace(" Go on?", ""));
                        return true;
                    }
                    return parent.terminal.confirm(out, question);
                }, line -> {
                    out.println(line);
                    out.flush();
                });
        out.println("Resynced " + disks.size() + " disk" + (disks.size() == 1 ? "" : "s") + " of " + vm + " from "
                + sourceNode + ". Run 'mcvirt verify " + vm + "': only a clean verify lifts a verify mark.");
        return ExitCodes.OK;
    }
}
