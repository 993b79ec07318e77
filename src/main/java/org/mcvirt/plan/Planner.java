package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Macs;
import org.mcvirt.model.Names;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedNetwork;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;

/**
 * The differ: desired x observed -> changes and steps. A pure function of its inputs (no node is contacted),
 * so it is tested with hand-built observed state. Problems that make a safe plan impossible are collected in
 * {@link Plan#problems()} instead of being planned around.
 */
public final class Planner {
    private final Renderer renderer;

    public Planner(Renderer renderer) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    /** Options that narrow a plan. */
    public record Options(Set<String> targetVms) {
        public Options {
            targetVms = Set.copyOf(targetVms);
        }

        public static Options all() {
            return new Options(Set.of());
        }

        boolean includes(String vm) {
            return targetVms.isEmpty() || targetVms.contains(vm);
        }

        boolean includesInfrastructure() {
            return targetVms.isEmpty();
        }
    }

    public Plan plan(DesiredState manifest, ObservedState observed, Options options) {
        Context context = new Context(manifest.cluster().name());
        DesiredState desired = withLiveMacs(manifest, observed, context);
        for (NodeSpec node : desired.nodes()) {
            Optional<NodeObservation> seen = observed.node(node.name());
            if (seen.isEmpty() || !seen.get().reachable()) {
                String why = seen.map(NodeObservation::error).orElse("not read")
                        .replaceFirst("^node " + java.util.regex.Pattern.quote(node.name()) + ": ", "");
                List<String> vms = desired.vms().stream().filter(v -> v.node().equals(node.name()))
                        .map(VmSpec::name).toList();
                context.problems.add("node " + node.name() + " could not be read, so its networks, storage"
                        + (vms.isEmpty() ? "" : " and vms " + String.join(", ", vms)) + " cannot be planned: " + why);
                continue;
            }
            NodeObservation obs = seen.get();
            if (options.includesInfrastructure()) {
                planPools(desired, node, obs, context);
                planNetworks(desired, node, obs, context);
            }
            for (VmSpec vm : desired.vms()) {
                if (vm.node().equals(node.name()) && options.includes(vm.name())) {
                    planVm(desired, node, vm, obs, observed, context);
                }
            }
            for (ObservedDomain domain : obs.domains()) {
                if (domain.managed() && desired.vm(domain.name()).isEmpty() && options.includes(domain.name())) {
                    planVmDeletion(desired, node, domain, context);
                }
            }
        }
        List<ResourceChange> changes = context.changes.stream()
                .sorted(Comparator.comparing(ResourceChange::address)).toList();
        List<Step> steps = StepOrder.order(context.steps);
        List<String> warnings = observed.nodes().stream().flatMap(n -> n.warnings().stream()).sorted().toList();
        return new Plan(Plan.FORMAT_VERSION, desired.cluster().name(), observed.fingerprint(), manifestDigest(desired),
                desired.nodes().stream().map(PlanNode::of).toList(), changes, steps,
                context.problems.stream().sorted().toList(), warnings, Plan.Summary.of(changes));
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL = new com.fasterxml.jackson.databind.ObjectMapper()
            .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true);

    /**
     * SHA-256 of the desired state the plan was made from: apply with -f refuses a saved plan whose manifests have
     * changed since.
     */
    public static String manifestDigest(DesiredState desired) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(CANONICAL.writeValueAsBytes(desired)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Derived MACs decided against the nodes ({@link Macs#assign}): a NIC of an existing vm keeps the MAC it has
     * when that is one of its derived candidates, and no NIC is given a MAC that any domain on a node has, so
     * resolving a collision never changes a live vm and never duplicates a live MAC. MACs from the manifest are
     * taken as they are.
     */
    private static DesiredState withLiveMacs(DesiredState desired, ObservedState observed, Context context) {
        Set<String> taken = new HashSet<>();
        Map<String, Set<String>> live = new HashMap<>();
        for (NodeObservation node : observed.nodes()) {
            for (ObservedDomain domain : node.domains()) {
                boolean ours = domain.managed() && domain.metadata().cluster().equals(context.cluster);
                for (ObservedDomain.ObservedNic nic : domain.nics()) {
                    if (nic.mac() != null) {
                        taken.add(nic.mac());
                        if (ours) {
                            live.computeIfAbsent(domain.name(), n -> new HashSet<>()).add(nic.mac());
                        }
                    }
                }
            }
        }
        desired.vms().forEach(vm -> vm.nics().stream().filter(n -> !n.derived()).forEach(n -> taken.add(n.mac())));
        List<VmSpec> vms = Macs.assign(desired.vms(), taken, live, (vm, i) -> context.problems.add("vm " + vm.name()
                + " nic " + i + ": every one of its " + Macs.CANDIDATES + " derived MAC addresses is in use on the"
                + " nodes; give it a 'mac' in the manifest"));
        return new DesiredState(desired.cluster(), desired.nodes(), desired.networks(), vms);
    }

    private static final class Context {
        final String cluster;
        final List<ResourceChange> changes = new ArrayList<>();
        final List<StepDraft> steps = new ArrayList<>();
        final List<String> problems = new ArrayList<>();

        Context(String cluster) {
            this.cluster = cluster;
        }

        String network(String manifestName) {
            return Names.networkName(cluster, manifestName);
        }

        String pool(String storage) {
            return Names.poolName(cluster, storage);
        }

        void step(StepKind kind, String node, String subject, List<String> uses, String change, String description,
                  Map<String, String> arguments) {
            steps.add(new StepDraft(kind, node, subject, uses, change, description, arguments));
        }
    }

    static String poolSubject(String node, String pool) {
        return "pool:" + node + "/" + pool;
    }

    static String volumeSubject(String node, String pool, String volume) {
        return "volume:" + node + "/" + pool + "/" + volume;
    }

    static String networkSubject(String node, String network) {
        return "network:" + node + "/" + network;
    }

    static String domainSubject(String node, String domain) {
        return "domain:" + node + "/" + domain;
    }

    private void planPools(DesiredState desired, NodeSpec node, NodeObservation obs, Context context) {
        for (StorageSpec storage : node.storage()) {
            if (storage.type() != StorageSpec.StorageType.FILE) {
                continue;
            }
            String address = "storage." + storage.name() + "@" + node.name();
            String subject = poolSubject(node.name(), context.pool(storage.name()));
            Optional<ObservedPool> pool = obs.pool(context.pool(storage.name()));
            Optional<ObservedPool> sharing = obs.pools().stream()
                    .filter(p -> storage.path().equals(p.path()) && !p.name().equals(context.pool(storage.name())))
                    .findFirst();
            if (pool.isEmpty() && sharing.isPresent()) {
                context.problems.add("storage " + storage.name() + " on node " + node.name() + ": path " + storage.path()
                        + " is already the storage pool " + sharing.get().name() + ", which is not this cluster's;"
                        + " libvirt allows one pool per directory (use another path)");
                continue;
            }
            if (pool.isEmpty()) {
                context.changes.add(new ResourceChange(address, "storage", storage.name(), node.name(), Action.CREATE,
                        List.of(new AttributeChange("path", null, storage.path(), Effect.LIVE)),
                        "storage pool " + context.pool(storage.name()) + " does not exist"));
                context.step(StepKind.CREATE_POOL, node.name(), subject, List.of(), address,
                        "create storage pool " + context.pool(storage.name()) + " at " + storage.path(),
                        Map.of("name", context.pool(storage.name()), "xml", renderer.pool(Views.pool(desired.cluster(), storage))));
                continue;
            }
            if (pool.get().error() != null) {
                context.problems.add("storage pool " + context.pool(storage.name()) + " on node " + node.name()
                        + " cannot be read: " + pool.get().error());
                continue;
            }
            if (!Objects.equals(pool.get().path(), storage.path()) || !"dir".equals(pool.get().type())) {
                context.problems.add("storage pool " + context.pool(storage.name()) + " on node " + node.name() + " is a "
                        + pool.get().type() + " pool at " + pool.get().path() + " but the manifest says a file pool at "
                        + storage.path() + "; pools are never changed in place (move the data, then remove the pool)");
                continue;
            }
            if (!pool.get().active()) {
                context.changes.add(new ResourceChange(address, "storage", storage.name(), node.name(), Action.UPDATE,
                        List.of(new AttributeChange("active", "false", "true", Effect.LIVE)), "storage pool is stopped"));
                context.step(StepKind.START_POOL, node.name(), subject, List.of(), address,
                        "start storage pool " + context.pool(storage.name()), Map.of("name", context.pool(storage.name())));
            }
        }
    }

    private void planNetworks(DesiredState desired, NodeSpec node, NodeObservation obs, Context context) {
        for (NetworkSpec network : desired.networks()) {
            String address = "network." + network.name() + "@" + node.name();
            String subject = networkSubject(node.name(), context.network(network.name()));
            Views.NetworkView view = Views.network(desired.cluster(), network);
            Optional<ObservedNetwork> seen = obs.network(context.network(network.name()));
            List<AttributeChange> wanted = List.of(
                    new AttributeChange("forward", null, view.nat() ? "nat" : "bridge", Effect.LIVE),
                    new AttributeChange("bridge", null, view.bridgeName(), Effect.LIVE),
                    new AttributeChange("address", null, view.gateway(), Effect.LIVE),
                    new AttributeChange("netmask", null, view.netmask(), Effect.LIVE),
                    new AttributeChange("dhcp", null, range(view.dhcpStart(), view.dhcpEnd()), Effect.LIVE));
            Optional<ObservedNetwork> clash = obs.networks().stream()
                    .filter(n -> !n.name().equals(view.name()) && n.active()
                            && (Objects.equals(n.bridge(), view.bridgeName())
                                || view.gateway() != null && Objects.equals(n.address(), view.gateway())))
                    .findFirst();
            if (clash.isPresent() && (seen.isEmpty() || !seen.get().active())) {
                context.problems.add("network " + network.name() + " on node " + node.name() + ": the active network "
                        + clash.get().name() + " already uses " + (Objects.equals(clash.get().bridge(), view.bridgeName())
                        ? "bridge " + view.bridgeName() : "address " + view.gateway() + " (" + network.cidr() + ")")
                        + "; choose another " + (network.nat() ? "cidr" : "bridge"));
                continue;
            }
            if (seen.isEmpty()) {
                context.changes.add(new ResourceChange(address, "network", network.name(), node.name(), Action.CREATE,
                        wanted.stream().filter(a -> a.after() != null).toList(), "network does not exist"));
                context.step(StepKind.CREATE_NETWORK, node.name(), subject, List.of(), address,
                        "create network " + context.network(network.name()),
                        Map.of("name", context.network(network.name()), "xml", renderer.network(view)));
                continue;
            }
            ObservedNetwork current = seen.get();
            List<AttributeChange> differences = new ArrayList<>();
            String[] before = {current.forwardMode(), current.bridge(), current.address(), current.netmask(),
                range(current.dhcpStart(), current.dhcpEnd())};
            for (int i = 0; i < wanted.size(); i++) {
                if (!Objects.equals(before[i], wanted.get(i).after())) {
                    differences.add(new AttributeChange(wanted.get(i).name(), before[i], wanted.get(i).after(), Effect.LIVE));
                }
            }
            if (!differences.isEmpty()) {
                context.changes.add(new ResourceChange(address, "network", network.name(), node.name(), Action.REPLACE,
                        differences, "libvirt networks cannot be changed in place"));
                List<String> users = obs.domains().stream().filter(d -> d.nics().stream()
                        .anyMatch(n -> context.network(network.name()).equals(n.source())) && d.active()).map(ObservedDomain::name).toList();
                if (!users.isEmpty()) {
                    context.problems.add("network " + network.name() + " on node " + node.name() + " must be replaced but"
                            + " running vms use it: " + String.join(", ", users) + "; stop them first");
                }
                context.step(StepKind.DELETE_NETWORK, node.name(), subject, List.of(), address,
                        "delete network " + context.network(network.name()), Map.of("name", context.network(network.name())));
                context.step(StepKind.CREATE_NETWORK, node.name(), subject, List.of(), address,
                        "create network " + context.network(network.name()),
                        Map.of("name", context.network(network.name()), "xml", renderer.network(view)));
            } else if (!current.active()) {
                context.changes.add(new ResourceChange(address, "network", network.name(), node.name(), Action.UPDATE,
                        List.of(new AttributeChange("active", "false", "true", Effect.LIVE)), "network is stopped"));
                context.step(StepKind.START_NETWORK, node.name(), subject, List.of(), address,
                        "start network " + context.network(network.name()), Map.of("name", context.network(network.name())));
            }
        }
        for (ObservedNetwork current : obs.networks()) {
            String name = Names.manifestName(context.cluster, current.name()).orElse(null);
            if (name != null && desired.network(name).isEmpty()) {
                String address = "network." + name + "@" + node.name();
                context.changes.add(new ResourceChange(address, "network", name, node.name(), Action.DELETE,
                        List.of(new AttributeChange("forward", current.forwardMode(), null, Effect.LIVE)),
                        "network is not in the manifest"));
                List<String> users = obs.domains().stream().filter(d -> d.nics().stream()
                        .anyMatch(n -> current.name().equals(n.source()))).map(ObservedDomain::name).toList();
                users.stream().filter(u -> desired.vm(u).isPresent()).forEach(u -> context.problems.add("network " + name
                        + " on node " + node.name() + " is to be destroyed but vm " + u + " still uses it"));
                context.step(StepKind.DELETE_NETWORK, node.name(), networkSubject(node.name(), current.name()), List.of(),
                        address, "delete network " + current.name(), Map.of("name", current.name()));
            }
        }
    }

    /** A DHCP range as the plan shows it: "first-last", null when the network has none. */
    private static String range(String start, String end) {
        return start == null && end == null ? null : start + "-" + end;
    }

    private void planVm(DesiredState desired, NodeSpec node, VmSpec vm, NodeObservation obs, ObservedState observed,
                        Context context) {
        String address = "vm." + vm.name();
        Optional<ObservedDomain> seen = obs.domain(vm.name());
        for (VmSpec.DiskSpec disk : vm.disks()) {
            if (disk.replicated()) {
                context.problems.add("vm " + vm.name() + " disk " + disk.name() + " is replicated: DRBD disks are not"
                        + " implemented in this version of mcvirt");
                return;
            }
        }
        if (seen.isPresent() && !seen.get().managed()) {
            context.problems.add("domain " + vm.name() + " on node " + node.name() + " exists but is not managed by mcvirt"
                    + " (it has no mcvirt metadata) and mcvirt never touches it; rename the vm in the manifest, or"
                    + " rename the existing domain");
            return;
        }
        if (seen.isPresent() && !seen.get().metadata().cluster().equals(desired.cluster().name())) {
            context.problems.add("domain " + vm.name() + " on node " + node.name() + " belongs to cluster "
                    + seen.get().metadata().cluster() + ", not " + desired.cluster().name());
            return;
        }
        if (seen.isEmpty()) {
            for (NodeObservation other : observed.nodes()) {
                if (!other.node().equals(node.name()) && other.domain(vm.name()).filter(ObservedDomain::managed).isPresent()) {
                    context.problems.add("vm " + vm.name() + " is on node " + other.node() + " but the manifest puts it on "
                            + node.name() + "; migration is not implemented in this version of mcvirt");
                    return;
                }
            }
            planVmCreation(desired, node, vm, obs, context);
            return;
        }
        planVmUpdate(desired, node, vm, seen.get(), obs, context);
    }

    private void planVmCreation(DesiredState desired, NodeSpec node, VmSpec vm, NodeObservation obs, Context context) {
        String address = "vm." + vm.name();
        String subject = domainSubject(node.name(), vm.name());
        Views.DomainView view = Views.domain(desired.cluster(), node, vm, null);
        List<AttributeChange> attributes = new ArrayList<>();
        attributes.add(new AttributeChange("cpus", null, Integer.toString(vm.cpus()), Effect.LIVE));
        attributes.add(new AttributeChange("memory", null, Sizes.format(vm.memoryBytes()), Effect.LIVE));
        List<String> uses = new ArrayList<>();
        for (int i = 0; i < vm.disks().size(); i++) {
            VmSpec.DiskSpec disk = vm.disks().get(i);
            attributes.add(new AttributeChange("disk." + disk.name(), null, describe(disk, view.disks().get(i)), Effect.LIVE));
            uses.add(createVolume(node, vm, disk, obs, address, context));
        }
        for (VmSpec.NicSpec nic : vm.nics()) {
            attributes.add(new AttributeChange("nic." + nic.mac(), null, nic.network(), Effect.LIVE));
            uses.add(networkSubject(node.name(), context.network(nic.network())));
        }
        attributes.add(new AttributeChange("autostart", null, Boolean.toString(vm.autostart()), Effect.LIVE));
        attributes.add(new AttributeChange("state", null, vm.state().name().toLowerCase(java.util.Locale.ROOT), Effect.LIVE));
        context.changes.add(new ResourceChange(address, "vm", vm.name(), node.name(), Action.CREATE, attributes,
                "vm does not exist"));
        context.step(StepKind.DEFINE_DOMAIN, node.name(), subject, uses, address, "define domain " + vm.name(),
                Map.of("name", vm.name(), "xml", renderer.domain(view)));
        if (vm.autostart()) {
            context.step(StepKind.SET_AUTOSTART, node.name(), subject, List.of(), address,
                    "enable autostart of domain " + vm.name(), Map.of("name", vm.name(), "autostart", "true"));
        }
        if (vm.state() == VmSpec.PowerState.RUNNING) {
            context.step(StepKind.START_DOMAIN, node.name(), subject, uses, address, "start domain " + vm.name(),
                    Map.of("name", vm.name()));
        }
    }

    private String createVolume(NodeSpec node, VmSpec vm, VmSpec.DiskSpec disk, NodeObservation obs, String address,
                                Context context) {
        StorageSpec storage = node.storage(disk.storage()).orElseThrow();
        Views.VolumeView volume = Views.volume(vm, disk);
        String subject = volumeSubject(node.name(), context.pool(storage.name()), volume.name());
        Optional<ObservedPool> pool = obs.pool(context.pool(storage.name()));
        if (pool.flatMap(p -> p.volume(volume.name())).isPresent()) {
            context.problems.add("volume " + volume.name() + " already exists in pool " + context.pool(storage.name()) + " on node "
                    + node.name() + " and is not attached to vm " + vm.name() + "; mcvirt never overwrites a disk"
                    + " (remove or rename it by hand)");
            return subject;
        }
        context.step(StepKind.CREATE_VOLUME, node.name(), subject, List.of(poolSubject(node.name(), context.pool(storage.name()))),
                address, "create volume " + volume.name() + " (" + Sizes.format(disk.sizeBytes()) + ") in pool "
                        + context.pool(storage.name()),
                Map.of("pool", context.pool(storage.name()), "name", volume.name(), "xml", renderer.volume(volume)));
        return subject;
    }

    private static String describe(VmSpec.DiskSpec disk, Views.DiskView view) {
        return Sizes.format(disk.sizeBytes()) + " on " + disk.storage() + " as " + view.target();
    }

    private void planVmUpdate(DesiredState desired, NodeSpec node, VmSpec vm, ObservedDomain domain, NodeObservation obs,
                              Context context) {
        String address = "vm." + vm.name();
        String subject = domainSubject(node.name(), vm.name());
        boolean running = domain.active();
        Views.DomainView view = Views.domain(desired.cluster(), node, vm, domain.uuid());
        List<AttributeChange> attributes = new ArrayList<>();
        boolean redefine = false;
        List<String> defineUses = new ArrayList<>();
        if (domain.vcpus() != vm.cpus()) {
            attributes.add(new AttributeChange("cpus", Integer.toString(domain.vcpus()), Integer.toString(vm.cpus()),
                    running ? Effect.RESTART : Effect.LIVE));
            redefine = true;
        }
        if (domain.memoryKib() != vm.memoryKib()) {
            boolean liveShrink = running && vm.memoryKib() < domain.memoryKib();
            attributes.add(new AttributeChange("memory", Sizes.formatKib(domain.memoryKib()), Sizes.format(vm.memoryBytes()),
                    running && !liveShrink ? Effect.RESTART : Effect.LIVE));
            redefine = true;
            if (liveShrink) {
                context.step(StepKind.SET_MEMORY_LIVE, node.name(), subject, List.of(), address,
                        "set memory of running domain " + vm.name() + " to " + Sizes.format(vm.memoryBytes()),
                        Map.of("name", vm.name(), "kib", Long.toString(vm.memoryKib())));
            }
        }
        // disks, matched by the manifest name recorded in the metadata
        Map<String, VmMetadata.Disk> recorded = domain.metadata().disks().stream()
                .collect(Collectors.toMap(VmMetadata.Disk::name, d -> d, (a, b) -> a));
        for (int i = 0; i < vm.disks().size(); i++) {
            VmSpec.DiskSpec disk = vm.disks().get(i);
            Views.DiskView diskView = view.disks().get(i);
            VmMetadata.Disk existing = recorded.get(disk.name());
            if (existing == null) {
                attributes.add(new AttributeChange("disk." + disk.name(), null, describe(disk, diskView), Effect.LIVE));
                String volume = createVolume(node, vm, disk, obs, address, context);
                defineUses.add(volume);
                redefine = true;
                if (running) {
                    context.step(StepKind.ATTACH_DEVICE_LIVE, node.name(), subject, List.of(volume), address,
                            "hot-plug disk " + diskView.target() + " into running domain " + vm.name(),
                            Map.of("name", vm.name(), "xml", renderer.disk(diskView)));
                }
                continue;
            }
            if (!existing.source().equals(diskView.source()) || !existing.target().equals(diskView.target())) {
                context.problems.add("vm " + vm.name() + " disk " + disk.name() + " is at " + existing.source() + " as "
                        + existing.target() + " but the manifest puts it at " + diskView.source() + " as "
                        + diskView.target() + "; moving or renumbering disks is not supported");
                continue;
            }
            String poolName = context.pool(disk.storage());
            long capacity = obs.pool(poolName).flatMap(p -> p.volume(Names.volumeName(vm.name(), disk.name())))
                    .map(ObservedPool.ObservedVolume::capacityBytes).orElse(disk.sizeBytes());
            if (capacity != disk.sizeBytes()) {
                context.problems.add("vm " + vm.name() + " disk " + disk.name() + " is " + Sizes.format(capacity)
                        + " but the manifest says " + Sizes.format(disk.sizeBytes())
                        + "; resizing disks is not supported yet");
            }
        }
        for (VmMetadata.Disk existing : domain.metadata().disks()) {
            if (vm.disks().stream().noneMatch(d -> d.name().equals(existing.name()))) {
                if (vm.protect() || domain.metadata().protect()) {
                    context.problems.add("vm " + vm.name() + " is protected; removing its disk " + existing.name()
                            + " would delete " + existing.source() + " (set protect: false and apply first)");
                    continue;
                }
                attributes.add(new AttributeChange("disk." + existing.name(), existing.source(), null, Effect.DATA_LOSS));
                redefine = true;
                String pool = context.pool(existing.storage());
                String volumeName = existing.source().substring(existing.source().lastIndexOf('/') + 1);
                String volume = volumeSubject(node.name(), pool, volumeName);
                if (running) {
                    context.step(StepKind.DETACH_DEVICE_LIVE, node.name(), subject, List.of(volume), address,
                            "unplug disk " + existing.target() + " from running domain " + vm.name(),
                            Map.of("name", vm.name(), "xml", renderer.disk(new Views.DiskView(existing.name(),
                                    existing.storage(), existing.target(), busOf(domain, existing.target()),
                                    existing.source()))));
                }
                context.step(StepKind.DELETE_VOLUME, node.name(), volume, List.of(subject), address,
                        "delete volume " + volumeName + " in pool " + pool, Map.of("pool", pool, "name", volumeName));
            }
        }
        // NICs, matched by MAC address
        for (VmSpec.NicSpec nic : vm.nics()) {
            Views.NicView nicView = Views.nic(desired.cluster(), nic);
            boolean present = domain.nics().stream().anyMatch(n -> nic.mac().equals(n.mac())
                    && nicView.network().equals(n.source()));
            if (!present) {
                attributes.add(new AttributeChange("nic." + nic.mac(), null, nic.network(), Effect.LIVE));
                String network = networkSubject(node.name(), nicView.network());
                defineUses.add(network);
                redefine = true;
                if (running) {
                    context.step(StepKind.ATTACH_DEVICE_LIVE, node.name(), subject, List.of(network), address,
                            "hot-plug nic " + nic.mac() + " into running domain " + vm.name(),
                            Map.of("name", vm.name(), "xml", renderer.nic(nicView)));
                }
            }
        }
        for (ObservedDomain.ObservedNic nic : domain.nics()) {
            boolean wanted = vm.nics().stream().anyMatch(n -> n.mac().equals(nic.mac())
                    && context.network(n.network()).equals(nic.source()));
            Optional<String> ours = Names.manifestName(context.cluster, nic.source());
            if (!wanted && ours.isPresent()) {
                String networkName = ours.get();
                attributes.add(new AttributeChange("nic." + nic.mac(), networkName, null, Effect.LIVE));
                redefine = true;
                if (running) {
                    context.step(StepKind.DETACH_DEVICE_LIVE, node.name(), subject,
                            List.of(networkSubject(node.name(), nic.source())), address,
                            "unplug nic " + nic.mac() + " from running domain " + vm.name(),
                            Map.of("name", vm.name(), "xml", renderer.nic(new Views.NicView(nic.mac(), nic.source()))));
                }
            }
        }
        if (domain.metadata().protect() != vm.protect()) {
            attributes.add(new AttributeChange("protect", Boolean.toString(domain.metadata().protect()),
                    Boolean.toString(vm.protect()), Effect.LIVE));
            redefine = true;
        }
        if (redefine) {
            context.step(StepKind.DEFINE_DOMAIN, node.name(), subject, defineUses, address,
                    "update definition of domain " + vm.name(),
                    Map.of("name", vm.name(), "xml", DomainEditor.edit(domain.definition(), view, renderer)));
        }
        if (domain.autostart() != vm.autostart()) {
            attributes.add(new AttributeChange("autostart", Boolean.toString(domain.autostart()),
                    Boolean.toString(vm.autostart()), Effect.LIVE));
            context.step(StepKind.SET_AUTOSTART, node.name(), subject, List.of(), address,
                    (vm.autostart() ? "enable" : "disable") + " autostart of domain " + vm.name(),
                    Map.of("name", vm.name(), "autostart", Boolean.toString(vm.autostart())));
        }
        boolean wantRunning = vm.state() == VmSpec.PowerState.RUNNING;
        if (running != wantRunning) {
            attributes.add(new AttributeChange("state", domain.runState(), wantRunning ? "running" : "stopped", Effect.LIVE));
            if (wantRunning) {
                List<String> uses = vm.nics().stream()
                        .map(n -> networkSubject(node.name(), context.network(n.network()))).toList();
                context.step(StepKind.START_DOMAIN, node.name(), subject, uses, address, "start domain " + vm.name(),
                        Map.of("name", vm.name()));
            } else {
                context.step(StepKind.SHUTDOWN_DOMAIN, node.name(), subject, List.of(), address,
                        "shut down domain " + vm.name(), Map.of("name", vm.name()));
            }
        }
        if (!attributes.isEmpty()) {
            attributes.sort(Comparator.comparing(AttributeChange::name));
            context.changes.add(new ResourceChange(address, "vm", vm.name(), node.name(), Action.UPDATE, attributes,
                    "the vm differs from the manifest"));
        }
    }

    private static String busOf(ObservedDomain domain, String target) {
        return domain.disks().stream().filter(d -> target.equals(d.target())).map(ObservedDomain.ObservedDisk::bus)
                .findFirst().orElse("virtio");
    }

    private void planVmDeletion(DesiredState desired, NodeSpec node, ObservedDomain domain, Context context) {
        String address = "vm." + domain.name();
        if (!domain.metadata().cluster().equals(desired.cluster().name())) {
            return; // another cluster's vm: not ours to delete
        }
        if (domain.metadata().protect()) {
            context.problems.add("vm " + domain.name() + " on node " + node.name() + " is not in the manifest but is"
                    + " protected; mcvirt never deletes a protected vm (put it back in the manifest, set protect: false"
                    + " and apply, then remove it)");
            return;
        }
        String subject = domainSubject(node.name(), domain.name());
        List<AttributeChange> attributes = new ArrayList<>();
        attributes.add(new AttributeChange("cpus", Integer.toString(domain.vcpus()), null, Effect.LIVE));
        attributes.add(new AttributeChange("memory", Sizes.formatKib(domain.memoryKib()), null, Effect.LIVE));
        List<String> networks = domain.nics().stream().filter(n -> n.source() != null)
                .map(n -> networkSubject(node.name(), n.source())).distinct().toList();
        if (domain.active()) {
            context.step(StepKind.SHUTDOWN_DOMAIN, node.name(), subject, networks, address,
                    "shut down domain " + domain.name(), Map.of("name", domain.name()));
        }
        context.step(StepKind.UNDEFINE_DOMAIN, node.name(), subject, networks, address, "undefine domain " + domain.name(),
                Map.of("name", domain.name()));
        for (VmMetadata.Disk disk : domain.metadata().disks()) {
            attributes.add(new AttributeChange("disk." + disk.name(), disk.source(), null, Effect.DATA_LOSS));
            String pool = context.pool(disk.storage());
            String volumeName = disk.source().substring(disk.source().lastIndexOf('/') + 1);
            context.step(StepKind.DELETE_VOLUME, node.name(), volumeSubject(node.name(), pool, volumeName),
                    List.of(subject), address, "delete volume " + volumeName + " in pool " + pool,
                    Map.of("pool", pool, "name", volumeName));
        }
        context.changes.add(new ResourceChange(address, "vm", domain.name(), node.name(), Action.DELETE, attributes,
                "vm is not in the manifest"));
    }
}
