package org.mcvirt.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;

/** Builds the read-only views of {@code info}: per node, and per VM. Takes no lock. */
final class Inspector {
    private Inspector() {
    }

    static List<NodeInfo> nodes(DesiredState desired, Cluster cluster, ObservedState observed) {
        List<NodeInfo> result = new ArrayList<>();
        List<ClusterLock.NodeLock> locks = ClusterLock.status(cluster);
        for (String name : cluster.nodeNames()) {
            var spec = cluster.spec(name);
            String address = spec.local() ? "local" : spec.address() + ":" + spec.ssh().port();
            NodeObservation node = observed.node(name).orElseThrow();
            String drbdKernel = null;
            String drbdUtilities = null;
            String lock = null;
            String error = node.reachable() ? null : node.error();
            try {
                NodeTransport transport = cluster.transport(name);
                CommandResult proc = transport.run(List.of("cat", "/proc/drbd"));
                drbdKernel = proc.succeeded() ? proc.stdout().lines().findFirst().orElse("").replaceFirst("^version: ", "")
                        : "not loaded";
                CommandResult utils = transport.run(List.of("drbdadm", "--version"));
                drbdUtilities = utils.exitStatus() == 127 ? "not installed" : utils.stdout().lines()
                        .filter(l -> l.startsWith("DRBDADM_VERSION=")).map(l -> l.substring(16)).findFirst()
                        .orElse("unknown");
                lock = locks.stream().filter(l -> l.node().equals(name)).findFirst()
                        .map(l -> l.holder() == null ? (l.error() == null ? "free" : "unknown: " + l.error())
                                : ClusterLock.describe(l.holder()) + "; " + l.state())
                        .orElse(null);
            } catch (SshException e) {
                error = error == null ? e.getMessage() : error + "; " + e.getMessage();
            }
            boolean reachable = node.reachable() && drbdKernel != null;
            int managed = (int) node.domains().stream().filter(ObservedDomain::managed).count();
            result.add(new NodeInfo(name, address, reachable, error, node.libvirtVersion(), node.hypervisorVersion(),
                    drbdKernel, drbdUtilities, managed, node.domains().size() - managed,
                    (int) node.domains().stream().filter(ObservedDomain::active).count(), lock));
        }
        return result;
    }

    static Optional<VmInfo> vm(DesiredState desired, ObservedState observed, String vm) {
        for (NodeObservation node : observed.nodes()) {
            Optional<ObservedDomain> found = node.domain(vm);
            if (found.isEmpty()) {
                continue;
            }
            ObservedDomain domain = found.get();
            List<VmInfo.Disk> disks = new ArrayList<>();
            for (ObservedDomain.ObservedDisk disk : domain.disks()) {
                String name = Optional.ofNullable(domain.metadata()).flatMap(m -> m.disks().stream()
                        .filter(d -> d.target().equals(disk.target())).map(VmMetadata.Disk::name).findFirst()).orElse(null);
                String size = node.pools().stream().flatMap(p -> p.volumes().stream())
                        .filter(v -> v.path() != null && v.path().equals(disk.source()))
                        .map(ObservedPool.ObservedVolume::capacityBytes).map(Sizes::format).findFirst().orElse(null);
                disks.add(new VmInfo.Disk(name, disk.target(), disk.bus(), disk.source(), size));
            }
            String cluster = desired.cluster().name();
            List<VmInfo.Nic> nics = domain.nics().stream().map(n -> new VmInfo.Nic(n.mac(),
                    Names.manifestName(cluster, n.source()).orElse(n.source()))).toList();
            List<String> pending = new ArrayList<>();
            if (domain.active() && domain.liveVcpus() != domain.vcpus()) {
                pending.add("cpus " + domain.liveVcpus() + " -> " + domain.vcpus());
            }
            if (domain.active() && domain.liveMemoryKib() > domain.memoryKib()) {
                pending.add("memory " + Sizes.formatKib(domain.liveMemoryKib()) + " -> " + Sizes.formatKib(domain.memoryKib()));
            }
            return Optional.of(new VmInfo(domain.name(), node.node(), domain.managed(), desired.vm(vm).isPresent(),
                    domain.runState(), domain.vcpus(), Sizes.formatKib(domain.memoryKib()), domain.autostart(), disks,
                    nics, domain.vncPort(), pending));
        }
        return Optional.empty();
    }
}
