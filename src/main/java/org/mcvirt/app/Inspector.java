package org.mcvirt.app;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.PoolFile;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.plan.Capacity;
import org.mcvirt.plan.DomainMarks;
import org.mcvirt.state.Availability;
import org.mcvirt.state.DiskHealth;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.VerifyRecord;

/** Builds the read-only views of {@code info}: per node, and per VM. Takes no lock. */
final class Inspector {
    private Inspector() {
    }

    static List<NodeInfo> nodes(DesiredState desired, Cluster cluster, ObservedState observed) {
        List<NodeInfo> result = new ArrayList<>();
        List<ClusterLock.NodeLock> locks = ClusterLock.status(cluster);
        var interrupted = ClusterAccess.interruptedApply(cluster, observed);
        List<Capacity.Headroom> headroom = Capacity.headroom(desired, observed);
        for (String name : cluster.nodeNames()) {
            var spec = cluster.spec(name);
            String address = spec.local() ? "local" : spec.address() + ":" + spec.ssh().port();
            NodeObservation node = observed.node(name).orElseThrow();
            String error = node.reachable() ? null : node.error();
            String lock = locks.stream().filter(l -> l.node().equals(name)).findFirst()
                    .map(l -> l.holder() != null ? ClusterLock.describe(l.holder()) + "; " + l.state()
                            : l.error() == null ? "free" : node.reachable() ? "unknown: " + l.error() : null)
                    .orElse(null);
            ObservedDrbd drbd = node.drbd();
            String drbdKernel = null;
            String drbdUtilities = null;
            if (drbd.availability() != Availability.NOT_READ) {
                drbdKernel = drbd.kernelVersion() == null ? "not loaded"
                        : drbd.kernelVersion() + (drbd.kernelApi() == null ? "" : " (" + drbd.kernelApi() + ")");
                drbdUtilities = drbd.utilitiesVersion() != null ? drbd.utilitiesVersion()
                        : drbd.errors().stream().anyMatch(e -> e.startsWith("drbdadm --version")) ? "unknown"
                        : "not installed";
            }
            int managed = (int) node.domains().stream().filter(ObservedDomain::managed).count();
            result.add(new NodeInfo(name, address, node.reachable(), error, node.libvirtVersion(),
                    node.hypervisorVersion(), drbdKernel, drbdUtilities, managed, node.domains().size() - managed,
                    (int) node.domains().stream().filter(ObservedDomain::active).count(), lock, drbdResources(drbd),
                    drbd.errors(), interrupted.filter(i -> name.equals(i.lastNode())).map(i -> i.describe())
                            .orElse(null), memory(headroom, name), ClusterViews.stateOf(desired, name),
                    verifySchedule(drbd, desired.cluster().name()), permissions(node.permissions(),
                    desired.cluster().name()), files(desired, node)));
        }
        for (var spec : desired.nodes()) {
            if (!spec.contacted()) {
                result.add(new NodeInfo(spec.name(), spec.local() ? "local" : spec.address() + ":" + spec.ssh().port(),
                        false, ClusterViews.OFFLINE, null, null, null, null, 0, 0, 0, null, List.of(), List.of(), null,
                        null, spec.state().word()));
            }
        }
        result.sort(Comparator.comparing(NodeInfo::node));
        return result;
    }

    /** The scheduled verify of the cluster on a node, as info shows it: its next and last run, or null when none. */
    static String verifySchedule(ObservedDrbd drbd, String cluster) {
        if (drbd.verifySchedule() == null) {
            return null;
        }
        String unit = org.mcvirt.render.Views.verifyUnit(cluster) + ".timer";
        return drbd.verifySchedule().timer(unit).map(t -> t.enabledAndActive()
                ? "next " + (t.nextElapse() == null ? "not scheduled" : t.nextElapse())
                        + (t.lastTrigger() == null ? "" : ", last run " + t.lastTrigger())
                : "timer " + t.unitFileState() + "/" + t.activeState() + " (not running; 'mcvirt apply' enables it)")
                .orElse(null);
    }

    /** The cluster's permissions on a node, as info shows them, or null when mcvirt has none there. */
    static String permissions(org.mcvirt.state.ObservedPermissions permissions, String cluster) {
        if (permissions.rulesFile() == null && !permissions.driverSetBy(cluster)) {
            return null;
        }
        return (permissions.rulesFile() != null ? "polkit rules " + org.mcvirt.node.NodeConfig.polkitRulesPath(cluster)
                : "no polkit rules") + "; libvirtd's access driver " + (permissions.polkitDriver() ? "polkit"
                : "not set ('mcvirt apply' sets it)");
    }

    /**
     * The base images, installer ISOs and cloud-init seeds in the cluster's pools on a node, by kind, name, digest and
     * pool; a volume whose name is not exactly one of theirs ({@link PoolFile#parse}) is none of them.
     */
    static List<NodeInfo.File> files(DesiredState desired, NodeObservation node) {
        String cluster = desired.cluster().name();
        List<NodeInfo.File> files = new ArrayList<>();
        for (ObservedPool pool : node.pools()) {
            if (Names.manifestName(cluster, pool.name()).isEmpty()) {
                continue;
            }
            for (ObservedPool.ObservedVolume volume : pool.volumes()) {
                PoolFile.parse(volume.name()).ifPresent(file -> files.add(new NodeInfo.File(file.kind().word(),
                        file.name(), file.digest(), file.format(), volume.capacityBytes(), pool.name(), volume.path(),
                        inManifest(desired, file, pool.name()))));
            }
        }
        files.sort(Comparator.comparing(NodeInfo.File::kind).thenComparing(NodeInfo.File::name)
                .thenComparing(NodeInfo.File::digest).thenComparing(NodeInfo.File::format)
                .thenComparing(NodeInfo.File::pool));
        return files;
    }

    /**
     * Whether the manifest still has a file: an image or ISO it declares under that volume name (name, digest and
     * format) in the storage of that pool; a seed of a vm it has.
     */
    private static boolean inManifest(DesiredState desired, PoolFile file, String pool) {
        String cluster = desired.cluster().name();
        return switch (file.kind()) {
            case IMAGE -> desired.image(file.name()).filter(i -> i.volumeName().equals(file.volumeName())
                    && Names.poolName(cluster, i.storage()).equals(pool)).isPresent();
            case ISO -> desired.iso(file.name()).filter(i -> i.volumeName().equals(file.volumeName())
                    && Names.poolName(cluster, i.storage()).equals(pool)).isPresent();
            case SEED -> desired.vm(file.name()).isPresent();
        };
    }

    /** The node's N+1 memory headroom, or null for a node the manifest does not have. */
    static NodeInfo.Memory memory(List<Capacity.Headroom> headroom, String node) {
        return headroom.stream().filter(h -> h.node().equals(node)).findFirst().map(h -> new NodeInfo.Memory(
                h.totalBytes(), h.runningBytes(), h.ifFailed(), h.neededBytes(), h.headroomBytes())).orElse(null);
    }

    /** Every resource volume the kernel has, then every verify record without one, sorted by name. */
    private static List<NodeInfo.DrbdResource> drbdResources(ObservedDrbd drbd) {
        List<NodeInfo.DrbdResource> resources = new ArrayList<>();
        for (ObservedDrbd.Resource r : drbd.resources()) {
            resources.add(drbdResource(drbd, r));
        }
        for (VerifyRecord verify : drbd.verifications()) {
            if (drbd.resource(verify.resource()).isEmpty()) {
                resources.add(new NodeInfo.DrbdResource(verify.resource(), null, null, null, null, null, null, null,
                        null, null, null, null, verify));
            }
        }
        resources.sort(Comparator.comparing((NodeInfo.DrbdResource r) -> r.name() == null ? "" : r.name())
                .thenComparing(r -> r.volume() == null ? -1 : r.volume())
                .thenComparing(r -> r.minor() == null ? -1 : r.minor()));
        return resources;
    }

    private static NodeInfo.DrbdResource drbdResource(ObservedDrbd drbd, ObservedDrbd.Resource r) {
        return new NodeInfo.DrbdResource(r.name(), r.volume(), r.minor(), r.backingDisk(), r.peerAddress(),
                r.connectionState(), r.role(), r.peerRole(), r.diskState(), r.peerDiskState(), r.outOfSyncKiB(),
                r.sync(), r.name() == null ? null : drbd.verification(r.name()).orElse(null));
    }

    private static final Pattern DRBD_MINOR = Pattern.compile("/dev/drbd(\\d+)");
    private static final Pattern DRBD_BY_RES =
            Pattern.compile("/dev/drbd/by-res/([^/]+)(?:/(\\d+))?");

    /** The DRBD resource behind a disk source (/dev/drbdN or /dev/drbd/by-res/NAME[/VOLUME]) on this node. */
    private static NodeInfo.DrbdResource drbdOf(ObservedDrbd drbd, String source) {
        if (source == null) {
            return null;
        }
        Matcher minor = DRBD_MINOR.matcher(source);
        Matcher byName = DRBD_BY_RES.matcher(source);
        Predicate<ObservedDrbd.Resource> match;
        if (minor.matches()) {
            int number = Integer.parseInt(minor.group(1));
            match = r -> r.minor() == number;
        } else if (byName.matches()) {
            int volume = byName.group(2) == null ? 0 : Integer.parseInt(byName.group(2));
            match = r -> byName.group(1).equals(r.name()) && r.volume() == volume;
        } else {
            return null;
        }
        return drbd.resources().stream().filter(match).findFirst().map(r -> drbdResource(drbd, r)).orElse(null);
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
                disks.add(new VmInfo.Disk(name, disk.target(), disk.bus(), disk.source(), size,
                        drbdOf(node.drbd(), disk.source())));
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
            // a mark of this cluster that is not what mcvirt writes: said instead of health whose fixes would name it
            List<String> untrusted = domain.metadata() == null || !domain.metadata().cluster().equals(cluster)
                    ? List.of() : DomainMarks.problems(desired, domain.name(), domain.metadata());
            return Optional.of(new VmInfo(domain.name(), node.node(), domain.managed(), desired.vm(vm).isPresent(),
                    domain.runState(), domain.vcpus(), Sizes.formatKib(domain.memoryKib()), domain.autostart(), disks,
                    nics, domain.vncPort(), pending, domain.metadata() == null ? List.of()
                    : !untrusted.isEmpty() ? List.of(DomainMarks.message(domain.name(), node.node(), untrusted))
                    : DiskHealth.of(observed, domain.metadata().cluster(), domain.name()).stream()
                            .map(DiskHealth.Finding::aboutDisk).toList()));
        }
        return Optional.empty();
    }
}
