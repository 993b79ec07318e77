package org.mcvirt.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.mcvirt.app.NodeInfo;
import org.mcvirt.app.VmInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "info", description = {"Without VM: every node with its address, whether it answers, libvirt, QEMU and"
    + " DRBD versions, VM counts and the lock holder. Exits 1 when a node cannot be reached (the others are still"
    + " shown).", "With VM: its node, run state, vCPUs, memory, disks, NICs, VNC port, pending restart."})
final class InfoCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "VM", description = "A vm (or any domain) name.")
    String vm;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (vm != null) {
            VmInfo info = parent.mcvirt().info(vm);
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
            }
            for (VmInfo.Nic nic : info.nics()) {
                out.printf("  nic  %s on %s%n", nic.mac(), nic.network());
            }
            if (!info.pendingRestart().isEmpty()) {
                out.printf("  pending restart: %s%n", String.join(", ", info.pendingRestart()));
            }
            return ExitCodes.OK;
        }
        List<NodeInfo> nodes = parent.mcvirt().info();
        if (json) {
            out.println(JsonOutput.write(nodes));
        } else {
            for (NodeInfo node : nodes) {
                out.printf("node %s (%s): %s%n", node.node(), node.address(), node.reachable() ? "reachable"
                        : "UNREACHABLE: " + node.error());
                if (node.libvirtVersion() != null) {
                    out.printf("  libvirt %s, %s%n", node.libvirtVersion(), node.hypervisorVersion());
                }
                if (node.drbdKernel() != null) {
                    out.printf("  drbd kernel %s, drbd-utils %s%n", node.drbdKernel(), node.drbdUtilities());
                }
                if (node.libvirtVersion() != null) {
                    out.printf("  vms: %d managed, %d unmanaged, %d running%n", node.vmsManaged(), node.vmsUnmanaged(),
                            node.vmsRunning());
                }
                if (node.lock() != null) {
                    out.printf("  lock: %s%n", node.lock());
                }
            }
        }
        return nodes.stream().allMatch(NodeInfo::reachable) ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
