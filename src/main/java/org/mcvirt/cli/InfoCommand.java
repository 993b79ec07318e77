package org.mcvirt.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mcvirt.app.ClusterViews;
import org.mcvirt.app.NodeInfo;
import org.mcvirt.app.VmInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "info", footer = {"", "Examples:", "  mcvirt info", "  mcvirt info files1 --json"},
         description = {"Without VM: every node with its address, whether it answers, libvirt, QEMU and"
    + " DRBD versions, VM counts, memory headroom (total, the running vms' memory, what it would need if its pair peer"
    + " failed), the base images, installer ISOs and cloud-init seeds in mcvirt's pools (each with its digest, size,"
    + " pool, path and whether the manifest still has it), the lock holder, and each DRBD resource's connection, roles, disk states, sync"
    + " progress, out-of-sync amount and last verify. Exits 1 when a node cannot be reached (the others are still"
    + " shown).", "With VM: its node, run state, vCPUs, memory, disks (with the DRBD state of a /dev/drbdN disk), NICs, VNC"
    + " port, pending restart."})
final class InfoCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "VM", description = "A vm (or any domain) name.")
    String vm;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (vm != null) {
            VmInfo info = new ClusterViews(parent.access()).info(vm);
            if (json) {
                out.println(JsonOutput.write(info));
                return ExitCodes.OK;
            }
            out.printf("vm %s on node %s (%s)%n", info.name(), info.node(), info.managed()
                    ? (info.inManifest() ? "managed" : "managed, not in the manifest") : "not managed by mcvirt");
            out.printf("  state:     %s%n  cpus:      %d%n  memory:    %s%n  autostart: %s%n", info.runState(), info.cpus(),
                    info.memory(), info.autostart());
            out.printf("  vnc:       %s%n", info.vncPort() == null ? "-" : "127.0.0.1:" + info.vncPort());
            for (VmInfo.Disk disk : info.disks()) {
                out.printf("  disk %-8s %s (%s) %s%s%n", disk.name() == null ? "-" : disk.name(), disk.target(),
                        disk.bus(), disk.source(), disk.size() == null ? "" : ", " + disk.size());
                if (disk.drbd() != null) {
                    printDrbd(out, "    ", disk.drbd());
                }
            }
            for (VmInfo.Nic nic : info.nics()) {
                out.printf("  nic  %s on %s%n", nic.mac(), nic.network());
            }
            for (String finding : info.health()) {
                out.printf("  attention: %s%n", finding);
            }
            if (!info.pendingRestart().isEmpty()) {
                out.printf("  pending restart: %s%n", String.join(", ", info.pendingRestart()));
            }
            return ExitCodes.OK;
        }
        List<NodeInfo> nodes = new ClusterViews(parent.access()).info();
        if (json) {
            out.println(JsonOutput.write(nodes));
        } else {
            for (NodeInfo node : nodes) {
                printNode(out, node);
            }
        }
        return nodes.stream().noneMatch(NodeInfo::failed) ? ExitCodes.OK : ExitCodes.ERROR;
    }

    /**
     * A node as info shows it: its address and whether it answers, versions, DRBD resources, vm counts, memory, the
     * files in mcvirt's pools, permissions, the scheduled verify, the lock and an interrupted apply.
     */
    static void printNode(PrintWriter out, NodeInfo node) {
        out.printf("node %s (%s): %s%s%n", node.node(), node.address(), node.state().equals("online") ? ""
                : node.state() + ", ", node.reachable() ? "reachable" : node.failed() ? "UNREACHABLE: "
                + node.error() : node.error());
        if (node.libvirtVersion() != null) {
            out.printf("  libvirt %s, %s%n", node.libvirtVersion(), node.hypervisorVersion());
        }
        if (node.drbdKernel() != null) {
            out.printf("  drbd kernel %s, drbd-utils %s%n", node.drbdKernel(), node.drbdUtilities());
        }
        for (NodeInfo.DrbdResource resource : node.drbdResources()) {
            printDrbd(out, "  ", resource);
        }
        for (String error : node.drbdErrors()) {
            out.printf("  drbd: %s%n", error);
        }
        if (node.libvirtVersion() != null) {
            out.printf("  vms: %d managed, %d unmanaged, %d running%n", node.vmsManaged(), node.vmsUnmanaged(),
                    node.vmsRunning());
        }
        if (node.memory() != null) {
            out.printf("  memory: %s%n", node.memory().describe());
        }
        for (NodeInfo.File file : node.files()) {
            out.printf("  %s%n", file.describe());
        }
        if (node.permissions() != null) {
            out.printf("  permissions: %s%n", node.permissions());
        }
        if (node.verifySchedule() != null) {
            out.printf("  scheduled verify: %s%n", node.verifySchedule());
        }
        if (node.lock() != null) {
            out.printf("  lock: %s%n", node.lock());
        }
        if (node.lastApply() != null) {
            out.printf("  attention: %s%n", node.lastApply());
        }
    }

    /**
     * "drbd r0 (minor 100, /dev/vg0/r0, peer 10.99.0.2:7900): Connected, Primary/Secondary, UpToDate/UpToDate,
     * 0 KiB out of sync", then the sync progress while one runs, then the last verify.
     */
    static void printDrbd(PrintWriter out, String indent, NodeInfo.DrbdResource r) {
        List<String> where = new ArrayList<>();
        if (r.minor() != null) {
            where.add("minor " + r.minor());
        }
        if (r.volume() != null && r.volume() != 0) {
            where.add("volume " + r.volume());
        }
        if (r.backingDisk() != null) {
            where.add(r.backingDisk());
        }
        if (r.peerAddress() != null) {
            where.add("peer " + r.peerAddress());
        }
        String name = r.name() == null ? "(unnamed)" : r.name();
        String state = r.connectionState() == null ? "not up on this node"
                : r.connectionState() + ", " + (r.role() == null ? "-" : r.role() + "/" + r.peerRole()) + ", "
                + (r.diskState() == null ? "-" : r.diskState() + "/" + r.peerDiskState()) + ", " + r.outOfSyncKiB()
                + " KiB out of sync";
        out.printf("%sdrbd %s%s: %s%n", indent, name, where.isEmpty() ? "" : " (" + String.join(", ", where) + ")",
                state);
        if (r.sync() != null) {
            var sync = r.sync();
            out.printf("%s  %s %s%% done%s%s%n", indent, sync.kind(),
                    String.format(Locale.ROOT, "%.1f", sync.percentDone()),
                    sync.remainingKiB() == null ? "" : " (" + sync.remainingKiB() + " KiB left)",
                    sync.finish() == null ? "" : ", finish in " + sync.finish());
        }
        var verify = r.lastVerify();
        if (verify == null) {
            out.printf("%s  last verify: none%n", indent);
        } else {
            out.printf("%s  last verify: %s%s, finished %s (started %s)%n", indent, verify.result().label(),
                    verify.outOfSyncKiB() == null || verify.outOfSyncKiB() == 0 ? ""
                            : " (" + verify.outOfSyncKiB() + " KiB out of sync)",
                    verify.finishedAt() == null ? "-" : verify.finishedAt(),
                    verify.startedAt() == null ? "-" : verify.startedAt());
        }
    }
}
