package org.mcvirt.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mcvirt.app.Replication;
import org.mcvirt.app.Verification;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "verify", description = {
    "Run DRBD online verify on the replicated disks of vms, wait for it with progress, and record the result and its"
            + " time on both nodes of each pair.",
    "Blocks found out of sync mark the vm: plan and apply refuse to start it until 'mcvirt resync VM --source-node N'"
            + " and a clean verify.",
    "Takes the cluster lock (released on Ctrl-C or kill too). Exits 0 when every disk is clean, 1 when any is out of"
            + " sync or could not be verified.",
    "",
    "Example:",
    "  mcvirt verify files1",
    "  mcvirt verify --all --json"})
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    static final class Which {
        @Option(names = "--all", required = true, description = "Every vm of the cluster with a replicated disk.")
        boolean all;

        @Parameters(paramLabel = "VM", arity = "1..*", description = "The vms to verify.")
        List<String> vms;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    @Option(names = "--verify-timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "How long one disk's verify may take (default: ${DEFAULT-VALUE}); it is recorded as failed"
                    + " after that.")
    long timeout;

    @Option(names = "--json", description = "Print one JSON object per disk instead of text (progress goes to stderr).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        List<String> vms = which.all ? List.of() : which.vms;
        List<Replication.VerifyOutcome> outcomes = new Verification(parent.access()).verify(vms, Duration.ofSeconds(timeout),
                parent.commandLine(spec), line -> {
                    (json ? err : out).println(line);
                    (json ? err : out).flush();
                });
        boolean clean = outcomes.stream().allMatch(Replication.VerifyOutcome::clean);
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Replication.VerifyOutcome o : outcomes) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("vm", o.disk().vm());
                row.put("disk", o.disk().disk());
                row.put("resource", o.disk().resource());
                row.put("pair", o.disk().pair());
                row.put("verify", o.record());
                row.put("notRecordedOn", o.notRecordedOn());
                row.put("markStands", o.markStands());
                rows.add(row);
            }
            out.println(JsonOutput.write(Map.of("disks", rows, "clean", clean)));
            return clean ? ExitCodes.OK : ExitCodes.ERROR;
        }
        for (Replication.VerifyOutcome o : outcomes) {
            var r = o.record();
            String what = o.disk().vm() + " disk " + o.disk().disk() + " (" + o.disk().resource() + "): ";
            switch (r.result()) {
                case CLEAN -> out.println(what + "clean");
                case OUT_OF_SYNC -> out.println(what + "OUT OF SYNC: " + r.outOfSyncKiB() + " KiB differ between "
                        + String.join(" and ", o.disk().pair()) + ". vm " + o.disk().vm() + " is marked: it will not be"
                        + " started until 'mcvirt resync " + o.disk().vm() + " --source-node NODE' (NODE: the node"
                        + " whose data is good) and a clean 'mcvirt verify " + o.disk().vm() + "'");
                case FAILED -> out.println(what + "verify FAILED: " + r.detail() + (o.markStands() ? ". The earlier"
                        + " out-of-sync result stands: vm " + o.disk().vm() + " stays marked" : ""));
            }
            if (!o.notRecordedOn().isEmpty()) {
                out.println(what + "the result could not be recorded on " + String.join(", ", o.notRecordedOn()));
            }
        }
        long marked = outcomes.stream().filter(Replication.VerifyOutcome::marks).map(o -> o.disk().vm()).distinct().count();
        out.println("Verified " + outcomes.size() + " disk" + (outcomes.size() == 1 ? "" : "s") + ": "
                + outcomes.stream().filter(Replication.VerifyOutcome::clean).count() + " clean, "
                + outcomes.stream().filter(Replication.VerifyOutcome::marks).count() + " out of sync, "
                + outcomes.stream().filter(Replication.VerifyOutcome::failed).count()
                + " failed" + (marked > 0 ? "; " + marked + " vm" + (marked == 1 ? "" : "s") + " marked" : "") + ".");
        return clean ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
