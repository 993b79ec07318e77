package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;

/**
 * VMs with their disks (file volumes) and NICs: a vm of the manifest is created on its node or its domain is updated
 * by editing its current definition ({@link DomainEditor}); a domain of this cluster that the manifest no longer has
 * is deleted with its volumes. Only vms the options include are planned. Replicated (DRBD) disks are refused here
 * until the DRBD differ plans them.
 */
final class VmDiffer implements ResourceDiffer {
    private final Renderer renderer;

    VmDiffer(Renderer renderer) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    @Override
    public Diff diff(DesiredState desired, ObservedState observed, Planner.Options options) {
        Diff.Builder diff = new Diff.Builder();
        DrbdAllocation allocation = DrbdAllocation.of(desired, observed, DrbdAllocation.minorsInUse(observed),
                DrbdAllocation.portsInUse(observed));
        allocation.problems().forEach(diff::problem);
        Replicas replicas = new Replicas(desired, observed, allocation, renderer);
        Map<String, org.mcvirt.state.DiskHealth.Finding> marks = org.mcvirt.state.DiskHealth.marks(observed,
                desired.cluster().name());
        Migrations migrations = new Migrations(desired, observed, options);
        for (ReadNode node : ResourceDiffer.readNodes(desired, observed)) {
            // each vm is planned on its own (rendering its XML is most of the work), on all cores; the parts are
            // joined in manifest order, so the result is the same as one after the other
            desired.vms().stream().filter(vm -> vm.node().equals(node.name()) && options.includes(vm.name()))
                    .toList().parallelStream().map(vm -> {
                        Diff.Builder part = new Diff.Builder();
                        vm(desired, node.spec(), vm, node.observation(), observed, replicas, marks, migrations, options, part);
                        return part.build();
                    }).toList().forEach(diff::add);
            for (ObservedDomain domain : node.observation().domains()) {
                if (domain.managed() && desired.vm(domain.name()).isEmpty() && options.includes(domain.name())) {
                    deletion(desired, node.spec(), domain, replicas, diff);
                }
            }
        }
        return diff.build();
    }

    private static String pool(DesiredState desired, String storage) {
        return Names.poolName(desired.cluster().name(), storage);
    }

    private static String network(DesiredState desired, String manifestName) {
        return Names.networkName(desired.cluster().name(), manifestName);
    }

    private void vm(DesiredState desired, NodeSpec node, VmSpec vm, NodeObservation obs, ObservedState observed,
                    Replicas replicas, Map<String, org.mcvirt.state.DiskHealth.Finding> marks, Migrations migrations,
                    Planner.Options options, Diff.Builder diff) {
        Optional<ObservedDomain> seen = obs.domain(vm.name());
        if (vm.replicated() && !replicas.pairReadable(vm, diff)) {
            return;
        }
        if (seen.isPresent() && !seen.get().managed()) {
            diff.problem("domain " + vm.name() + " on node " + node.name() + " exists but is not managed by mcvirt"
                    + " (it has no mcvirt metadata) and mcvirt never touches it; rename the vm in the manifest, or"
                    + " rename the existing domain, or adopt it ('mcvirt import --adopt " + vm.name() + "' checks that"
                    + " the manifest describes it as it is, then adds mcvirt's mark)");
            return;
        }
        if (seen.isPresent() && !seen.get().metadata().cluster().equals(desired.cluster().name())) {
            diff.problem("domain " + vm.name() + " on node " + node.name() + " belongs to cluster "
                    + seen.get().metadata().cluster() + ", not " + desired.cluster().name());
            return;
        }
        List<NodeObservation> elsewhere = observed.nodes().stream().filter(o -> !o.node().equals(node.name())
                && o.domain(vm.name()).filter(d -> d.managed()
                && d.metadata().cluster().equals(desired.cluster().name())).isPresent()).toList();
        if (seen.isEmpty()) {
            if (elsewhere.size() > 1) {
                diff.problem("vm " + vm.name() + " is defined on " + elsewhere.stream().map(NodeObservation::node)
                        .toList() + " and the manifest puts it on " + node.name() + "; undefine the stale copies by"
                        + " hand first");
                return;
            }
            if (elsewhere.size() == 1) {
                NodeObservation source = elsewhere.get(0);
                migrations.migrate(vm, node, obs, source, source.domain(vm.name()).orElseThrow(), diff);
                return;
            }
            if (migrations.register(vm, node, diff)) {
                return;
            }
            creation(desired, node, vm, obs, replicas, diff);
            return;
        }
        for (NodeObservation other : elsewhere) {
            migrations.leftover(vm, node.name(), seen.get(), other, other.domain(vm.name()).orElseThrow(), diff);
        }
        if (elsewhere.isEmpty()) {
            migrations.singlePrimary(vm, node.name(), seen.get(), diff);
        }
        migrations.primaryHere(vm, node.name(), seen.get(), diff);
        // a domain being adopted carries a mark only in the state planned on (Adoption), not in its definition
        boolean adopting = options.adopts(vm.name())
                && org.mcvirt.state.StateReader.metadata(org.mcvirt.render.Xml.parse(seen.get().definition())).isEmpty();
        update(desired, node, vm, seen.get(), obs, marks.get(vm.name()), replicas, adopting, diff);
    }

    private void creation(DesiredState desired, NodeSpec node, VmSpec vm, NodeObservation obs, Replicas replicas,
                          Diff.Builder diff) {
        String address = "vm." + vm.name();
        String subject = Subjects.domain(node.name(), vm.name());
        Views.DomainView view = Views.domain(desired.cluster(), node, vm, null, replicas.allocation().of(vm.name()));
        List<AttributeChange> attributes = new ArrayList<>();
        attributes.add(new AttributeChange("cpus", null, Integer.toString(vm.cpus()), Effect.LIVE));
        attributes.add(new AttributeChange("memory", null, Sizes.format(vm.memoryBytes()), Effect.LIVE));
        List<String> uses = new ArrayList<>();
        for (int i = 0; i < vm.disks().size(); i++) {
            VmSpec.DiskSpec disk = vm.disks().get(i);
            attributes.add(new AttributeChange("disk." + disk.name(), null, describe(disk, view.disks().get(i), vm),
                    Effect.LIVE));
            uses.add(disk.replicated() ? replicas.create(vm, disk, address, diff)
                    : createVolume(desired, node, vm, disk, obs, address, diff));
        }
        for (VmSpec.NicSpec nic : vm.nics()) {
            attributes.add(new AttributeChange("nic." + nic.mac(), null, nic.network(), Effect.LIVE));
            uses.add(Subjects.network(node.name(), network(desired, nic.network())));
        }
        attributes.add(new AttributeChange("autostart", null, Boolean.toString(vm.autostart()), Effect.LIVE));
        attributes.add(new AttributeChange("state", null, vm.state().name().toLowerCase(java.util.Locale.ROOT), Effect.LIVE));
        diff.change(new ResourceChange(address, "vm", vm.name(), node.name(), Action.CREATE, attributes,
                "vm does not exist"));
        diff.step(StepKind.DEFINE_DOMAIN, node.name(), vm.pair(), subject, uses, address, "define domain " + vm.name(),
                defineArguments(desired, vm, renderer.domain(view)));
        if (vm.autostart()) {
            diff.step(StepKind.SET_AUTOSTART, node.name(), subject, List.of(), address,
                    "enable autostart of domain " + vm.name(), Map.of("name", vm.name(), "autostart", "true"));
        }
        if (vm.state() == VmSpec.PowerState.RUNNING) {
            diff.step(StepKind.START_DOMAIN, node.name(), subject, uses, address, "start domain " + vm.name(),
                    Map.of("name", vm.name()));
        }
    }

    /** Plans the volume of a new disk and returns its subject; an existing volume of that name is a problem. */
    private String createVolume(DesiredState desired, NodeSpec node, VmSpec vm, VmSpec.DiskSpec disk,
                                NodeObservation obs, String address, Diff.Builder diff) {
        StorageSpec storage = node.storage(disk.storage()).orElseThrow();
        String pool = pool(desired, storage.name());
        Views.VolumeView volume = Views.volume(vm, disk);
        String subject = Subjects.volume(node.name(), pool, volume.name());
        if (obs.pool(pool).flatMap(p -> p.volume(volume.name())).isPresent()) {
            diff.problem("volume " + volume.name() + " already exists in pool " + pool + " on node "
                    + node.name() + " and is not attached to vm " + vm.name() + "; mcvirt never overwrites a disk"
                    + " (remove or rename it by hand)");
            return subject;
        }
        diff.step(StepKind.CREATE_VOLUME, node.name(), subject, List.of(Subjects.pool(node.name(), pool)),
                address, "create volume " + volume.name() + " (" + Sizes.format(disk.sizeBytes()) + ") in pool " + pool,
                Map.of("pool", pool, "name", volume.name(), "xml", renderer.volume(volume)));
        return subject;
    }

    private static String describe(VmSpec.DiskSpec disk, Views.DiskView view, VmSpec vm) {
        String text = Sizes.format(disk.sizeBytes()) + " on " + disk.storage() + " as " + view.target();
        if (view.drbd() == null) {
            return text;
        }
        return text + ", replicated " + vm.node() + " <-> " + vm.peer().orElse("?") + " (" + view.source() + ", port "
                + view.drbd().port() + ")";
    }

    private void update(DesiredState desired, NodeSpec node, VmSpec vm, ObservedDomain domain, NodeObservation obs,
                        org.mcvirt.state.DiskHealth.Finding mark, Replicas replicas, boolean adopting,
                        Diff.Builder diff) {
        String address = "vm." + vm.name();
        String subject = Subjects.domain(node.name(), vm.name());
        boolean running = domain.active();
        Views.DomainView view = Views.domain(desired.cluster(), node, vm, domain.uuid(),
                replicas.allocation().of(vm.name()));
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
                diff.step(StepKind.SET_MEMORY_LIVE, node.name(), subject, List.of(), address,
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
                attributes.add(new AttributeChange("disk." + disk.name(), null, describe(disk, diskView, vm),
                        Effect.LIVE));
                String volume = disk.replicated() ? replicas.create(vm, disk, address, diff)
                        : createVolume(desired, node, vm, disk, obs, address, diff);
                defineUses.add(volume);
                redefine = true;
                if (running) {
                    diff.step(StepKind.ATTACH_DEVICE_LIVE, node.name(), subject, List.of(volume), address,
                            "hot-plug disk " + diskView.target() + " into running domain " + vm.name(),
                            Map.of("name", vm.name(), "xml", renderer.disk(diskView)));
                }
                continue;
            }
            if (!existing.source().equals(diskView.source()) || !existing.target().equals(diskView.target())) {
                diff.problem("vm " + vm.name() + " disk " + disk.name() + " is at " + existing.source() + " as "
                        + existing.target() + " but the manifest puts it at " + diskView.source() + " as "
                        + diskView.target() + "; moving or renumbering disks is not supported");
                continue;
            }
            if (disk.replicated() != existing.replicated()) {
                diff.problem("vm " + vm.name() + " disk " + disk.name() + " is " + (existing.replicated() ? "" : "not ")
                        + "replicated on the node but the manifest says it is" + (disk.replicated() ? "" : " not")
                        + "; converting a disk is not supported");
                continue;
            }
            if (disk.replicated()) {
                AttributeChange grown = replicas.resize(vm, disk, existing, domain, address, diff);
                if (grown != null) {
                    attributes.add(grown);
                }
                continue;
            }
            String poolName = pool(desired, disk.storage());
            String volumeName = Names.volumeName(vm.name(), disk.name());
            long capacity = obs.pool(poolName).flatMap(p -> p.volume(volumeName))
                    .map(ObservedPool.ObservedVolume::capacityBytes).orElse(disk.sizeBytes());
            if (capacity > disk.sizeBytes()) {
                diff.problem("vm " + vm.name() + " disk " + disk.name() + " is " + Sizes.format(capacity)
                        + " but the manifest says " + Sizes.format(disk.sizeBytes()) + ": shrinking a disk is refused"
                        + " (the guest's data past the new end would be lost); set the size back to at least "
                        + Sizes.format(capacity));
            } else if (capacity < disk.sizeBytes()) {
                attributes.add(new AttributeChange("disk." + disk.name() + ".size", Sizes.format(capacity),
                        Sizes.format(disk.sizeBytes()), Effect.LIVE));
                diff.step(StepKind.GROW_VOLUME, node.name(), Subjects.volume(node.name(), poolName, volumeName),
                        List.of(), address, "grow volume " + volumeName + " to " + Sizes.format(disk.sizeBytes())
                                + (running ? " (live, in the running vm: block resize of " + existing.target() + ")"
                                : ""), Map.of("pool", poolName, "name", volumeName, "bytes",
                                Long.toString(disk.sizeBytes()), "domain", vm.name(), "path", existing.source()));
            }
        }
        for (VmMetadata.Disk existing : domain.metadata().disks()) {
            if (vm.disks().stream().noneMatch(d -> d.name().equals(existing.name()))) {
                if (vm.protect() || domain.metadata().protect()) {
                    diff.problem("vm " + vm.name() + " is protected; removing its disk " + existing.name()
                            + " would delete " + existing.source() + " (set protect: false and apply first)");
                    continue;
                }
                attributes.add(new AttributeChange("disk." + existing.name(), existing.source(), null, Effect.DATA_LOSS));
                redefine = true;
                if (existing.replicated()) {
                    List<String> removed = replicas.delete(domain, existing, node, address, diff);
                    if (running) {
                        diff.step(StepKind.DETACH_DEVICE_LIVE, node.name(), subject, removed, address,
                                "unplug disk " + existing.target() + " from running domain " + vm.name(),
                                Map.of("name", vm.name(), "xml", renderer.disk(new Views.DiskView(existing.name(),
                                        existing.storage(), existing.target(), busOf(domain, existing.target()),
                                        existing.source(), new Views.DrbdDiskView(existing.resource(),
                                        existing.minor(), existing.port())))));
                    }
                    continue;
                }
                String pool = pool(desired, existing.storage());
                String volumeName = existing.source().substring(existing.source().lastIndexOf('/') + 1);
                String volume = Subjects.volume(node.name(), pool, volumeName);
                if (running) {
                    diff.step(StepKind.DETACH_DEVICE_LIVE, node.name(), subject, List.of(volume), address,
                            "unplug disk " + existing.target() + " from running domain " + vm.name(),
                            Map.of("name", vm.name(), "xml", renderer.disk(new Views.DiskView(existing.name(),
                                    existing.storage(), existing.target(), busOf(domain, existing.target()),
                                    existing.source()))));
                }
                diff.step(StepKind.DELETE_VOLUME, node.name(), volume, List.of(subject), address,
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
                String network = Subjects.network(node.name(), nicView.network());
                defineUses.add(network);
                redefine = true;
                if (running) {
                    diff.step(StepKind.ATTACH_DEVICE_LIVE, node.name(), subject, List.of(network), address,
                            "hot-plug nic " + nic.mac() + " into running domain " + vm.name(),
                            Map.of("name", vm.name(), "xml", renderer.nic(nicView)));
                }
            }
        }
        for (ObservedDomain.ObservedNic nic : domain.nics()) {
            boolean wanted = vm.nics().stream().anyMatch(n -> n.mac().equals(nic.mac())
                    && network(desired, n.network()).equals(nic.source()));
            Optional<String> ours = Names.manifestName(desired.cluster().name(), nic.source());
            if (!wanted && ours.isPresent()) {
                String networkName = ours.get();
                attributes.add(new AttributeChange("nic." + nic.mac(), networkName, null, Effect.LIVE));
                redefine = true;
                if (running) {
                    diff.step(StepKind.DETACH_DEVICE_LIVE, node.name(), subject,
                            List.of(Subjects.network(node.name(), nic.source())), address,
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
        if (adopting) {
            attributes.add(new AttributeChange("managed", "false", "true", Effect.LIVE));
        }
        if (redefine) {
            diff.step(StepKind.DEFINE_DOMAIN, node.name(), vm.pair(), subject, defineUses, address,
                    "update definition of domain " + vm.name(),
                    defineArguments(desired, vm, DomainEditor.edit(domain.definition(), view, renderer)));
        } else if (adopting) {
            // the definition as it is, with the mark: nothing else of the domain changes
            diff.step(StepKind.DEFINE_DOMAIN, node.name(), vm.pair(), subject, List.of(), address,
                    "adopt domain " + vm.name() + " (add mcvirt's mark to its definition)",
                    defineArguments(desired, vm, DomainEditor.mark(domain.definition(), view.metadata(), renderer)));
        }
        if (domain.autostart() != vm.autostart()) {
            attributes.add(new AttributeChange("autostart", Boolean.toString(domain.autostart()),
                    Boolean.toString(vm.autostart()), Effect.LIVE));
            diff.step(StepKind.SET_AUTOSTART, node.name(), subject, List.of(), address,
                    (vm.autostart() ? "enable" : "disable") + " autostart of domain " + vm.name(),
                    Map.of("name", vm.name(), "autostart", Boolean.toString(vm.autostart())));
        }
        boolean wantRunning = vm.state() == VmSpec.PowerState.RUNNING;
        if (running != wantRunning) {
            attributes.add(new AttributeChange("state", domain.runState(), wantRunning ? "running" : "stopped", Effect.LIVE));
            if (wantRunning) {
                if (mark != null) {
                    diff.problem("vm " + vm.name() + " cannot be started: " + mark.text().substring(("vm "
                            + vm.name() + " ").length()));
                }
                List<String> uses = new ArrayList<>(vm.nics().stream()
                        .map(n -> Subjects.network(node.name(), network(desired, n.network()))).toList());
                // a replicated disk made primary here first (a migration rolled back: see Migrations.primaryHere)
                domain.metadata().disks().stream().filter(VmMetadata.Disk::replicated)
                        .forEach(d -> uses.add(Subjects.drbd(node.name(), d.resource())));
                diff.step(StepKind.START_DOMAIN, node.name(), subject, uses, address, "start domain " + vm.name(),
                        Map.of("name", vm.name()));
            } else {
                diff.step(StepKind.SHUTDOWN_DOMAIN, node.name(), subject, List.of(), address,
                        "shut down domain " + vm.name(), Map.of("name", vm.name()));
            }
        }
        if (!attributes.isEmpty()) {
            attributes.sort(Comparator.comparing(AttributeChange::name));
            diff.change(new ResourceChange(address, "vm", vm.name(), node.name(), Action.UPDATE, attributes,
                    adopting && attributes.size() == 1 ? "the domain is adopted: it matches the manifest"
                            : "the vm differs from the manifest"));
        }
    }

    /** A define's arguments: a replicated vm's definition is also kept on both nodes of its pair, for register. */
    private static Map<String, String> defineArguments(DesiredState desired, VmSpec vm, String xml) {
        Map<String, String> arguments = new java.util.TreeMap<>(Map.of("name", vm.name(), "xml", xml));
        if (vm.replicated()) {
            arguments.putAll(Migrations.copies(desired, vm.pair()));
        }
        return arguments;
    }

    private static String busOf(ObservedDomain domain, String target) {
        return domain.disks().stream().filter(d -> target.equals(d.target())).map(ObservedDomain.ObservedDisk::bus)
                .findFirst().orElse("virtio");
    }

    private static void deletion(DesiredState desired, NodeSpec node, ObservedDomain domain, Replicas replicas,
                                 Diff.Builder diff) {
        String address = "vm." + domain.name();
        if (!domain.metadata().cluster().equals(desired.cluster().name())) {
            return; // another cluster's vm: not ours to delete
        }
        if (domain.metadata().protect()) {
            diff.problem("vm " + domain.name() + " on node " + node.name() + " is not in the manifest but is"
                    + " protected; mcvirt never deletes a protected vm (put it back in the manifest, set protect: false"
                    + " and apply, then remove it)");
            return;
        }
        String subject = Subjects.domain(node.name(), domain.name());
        List<AttributeChange> attributes = new ArrayList<>();
        attributes.add(new AttributeChange("cpus", Integer.toString(domain.vcpus()), null, Effect.LIVE));
        attributes.add(new AttributeChange("memory", Sizes.formatKib(domain.memoryKib()), null, Effect.LIVE));
        List<String> networks = domain.nics().stream().filter(n -> n.source() != null)
                .map(n -> Subjects.network(node.name(), n.source())).distinct().toList();
        if (domain.active()) {
            diff.step(StepKind.SHUTDOWN_DOMAIN, node.name(), subject, networks, address,
                    "shut down domain " + domain.name(), Map.of("name", domain.name()));
        }
        Map<String, String> undefine = new java.util.TreeMap<>(Map.of("name", domain.name()));
        List<String> pair = domain.metadata().pair();
        if (domain.metadata().disks().stream().anyMatch(VmMetadata.Disk::replicated)) {
            // the saved copies of its definition go with it (see Migrations.copies)
            pair.forEach(n -> undefine.put("forget." + n, desired.node(n).map(NodeSpec::stateDirectory)
                    .orElse("/var/lib/mcvirt")));
        }
        diff.step(StepKind.UNDEFINE_DOMAIN, node.name(), undefine.keySet().stream().filter(k -> k.startsWith("forget."))
                .map(k -> k.substring("forget.".length())).toList(), subject, networks, address,
                "undefine domain " + domain.name(), undefine);
        for (VmMetadata.Disk disk : domain.metadata().disks()) {
            attributes.add(new AttributeChange("disk." + disk.name(), disk.source(), null, Effect.DATA_LOSS));
            if (disk.replicated()) {
                replicas.delete(domain, disk, node, address, diff);
                continue;
            }
            String pool = pool(desired, disk.storage());
            String volumeName = disk.source().substring(disk.source().lastIndexOf('/') + 1);
            diff.step(StepKind.DELETE_VOLUME, node.name(), Subjects.volume(node.name(), pool, volumeName),
                    List.of(subject), address, "delete volume " + volumeName + " in pool " + pool,
                    Map.of("pool", pool, "name", volumeName));
        }
        diff.change(new ResourceChange(address, "vm", domain.name(), node.name(), Action.DELETE, attributes,
                "vm is not in the manifest"));
    }
}
