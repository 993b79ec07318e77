package org.mcvirt.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options of plan and apply for a node that is in maintenance or declared offline. */
final class NodeLossOptions {
    @Option(names = "--allow-downtime", description = "A running vm that cannot leave a node in maintenance (it has no"
            + " replicated disk, or its peer is not online) is stopped there instead of refusing the plan.")
    boolean allowDowntime;

    @Option(names = "--accept-stale", paramLabel = "VM/DISK", description = "Fail over onto this disk's surviving copy"
            + " although it was not UpToDate when its node was lost (Inconsistent, Outdated or Consistent: it may lack"
            + " the last writes, or be half-synced). Repeatable.")
    List<String> acceptStale = new ArrayList<>();

    /** The disks named by --accept-stale; a name that is not VM/DISK is a usage error. */
    Set<String> acceptStale(CommandSpec spec) {
        for (String disk : acceptStale) {
            if (!disk.matches("[^/\\s]+/[^/\\s]+")) {
                throw new ParameterException(spec.commandLine(), "--accept-stale takes VM/DISK (a vm's name and one"
                        + " of its disks' names, as in the manifest), found '" + disk + "'");
            }
        }
        return Set.copyOf(acceptStale);
    }
}
