package org.mcvirt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mcvirt.app.ImportResult;
import org.mcvirt.app.ImportedFile;
import org.mcvirt.app.Imports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "import",
         description = {"Write manifests from the live cluster, one file per vm (DIR/VM.yaml), so that an existing",
             "libvirt or MCVirt cluster can move to manifests in git. The nodes are the manifests' (-f); the vms are",
             "those named, or every domain on them that is unmanaged or this cluster's and not in the manifests.",
             "Written: node, cpus, memory, state, autostart, disks (file volumes VM-DISK.qcow2 in a file storage,",
             "DRBD resources mcvirt_VM_DISK on LVs in an lvm storage) and NICs on this cluster's networks with their",
             "MACs. Anything the manifest cannot express is a comment in the file and a line here; mcvirt leaves",
             "it as it is. Then a plan of those vms with the written files is checked: it must show nothing but",
             "adopting them.",
             "Without --adopt nothing on the nodes changes: the domains stay unmanaged, and 'plan' names them as in",
             "the way. --adopt then adds mcvirt's mark to each domain (a define of its definition as it is, plus the",
             "mark), under the cluster lock and only after planning again there: refused unless that plan has",
             "nothing else. Afterwards 'plan' with the written files shows no change for them."},
         footer = {"", "Examples:", "  mcvirt -f cluster.yaml import                  # every unmanaged domain into ./vms",
             "  mcvirt -f cluster.yaml import -o vms web1 db1",
             "  mcvirt -f cluster.yaml import --adopt --yes web1",
             "  mcvirt -f cluster.yaml -f vms plan             # no change for the imported vms"})
final class ImportCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "vms",
            description = "Where to write the files (default: ${DEFAULT-VALUE}). A file there that import did not"
                    + " write is never overwritten.")
    Path directory;

    @Option(names = "--adopt", description = "Add mcvirt's mark to each imported unmanaged domain, after checking that"
            + " a plan shows nothing else for it.")
    boolean adopt;

    @Option(names = {"--yes", "--auto-approve"}, description = "With --adopt: do not ask for approval.")
    boolean yes;

    @Parameters(arity = "0..*", paramLabel = "VM", description = "The domains to import (default: every unmanaged"
            + " domain on the nodes, and this cluster's that are not in the manifests).")
    List<String> vms = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Imports imports = new Imports(parent.access());
        PrintWriter out = spec.commandLine().getOut();
        ImportResult result = imports.importVms(directory, vms);
        for (ImportedFile file : result.files()) {
            out.printf("Wrote %s: vm %s on node %s (%d disk%s, %d nic%s%s)%n", file.file(), file.vm(), file.node(),
                    file.disks(), file.disks() == 1 ? "" : "s", file.nics(), file.nics() == 1 ? "" : "s",
                    file.managed() ? ", already managed by mcvirt" : "");
            for (String note : file.notes()) {
                out.printf("  not expressed: %s%n", note);
            }
        }
        for (String line : result.skipped()) {
            out.printf("Skipped %s%n", line);
        }
        if (result.checked().isEmpty()) {
            out.println("Nothing to import.");
            out.flush();
            return ExitCodes.OK;
        }
        String names = String.join(", ", result.checked());
        if (result.beyondAdoption().isEmpty()) {
            out.printf("Checked: a plan with these manifests shows no change for %s%s.%n", names,
                    result.toAdopt().isEmpty() ? "" : " but adopting " + String.join(", ", result.toAdopt()));
        } else {
            out.printf("Checked: a plan with these manifests shows more than adopting %s:%n", names);
            result.beyondAdoption().forEach(line -> out.printf("  %s%n", line));
        }
        if (!adopt) {
            if (!result.toAdopt().isEmpty()) {
                out.printf("Nothing on the nodes was changed: %s stay%s unmanaged until 'mcvirt import --adopt'.%n",
                        String.join(", ", result.toAdopt()), result.toAdopt().size() == 1 ? "s" : "");
            }
            out.flush();
            return ExitCodes.OK;
        }
        out.flush();
        if (result.toAdopt().isEmpty()) {
            out.println("Nothing to adopt: the imported vms already carry mcvirt's mark.");
            out.flush();
            return ExitCodes.OK;
        }
        ApplyCommand apply = ApplyCommand.forImperative(parent, spec, yes, 60, 120);
        return apply.execute((options, listener, interaction) -> imports.adopt(result, options, listener,
                interaction));
    }
}
