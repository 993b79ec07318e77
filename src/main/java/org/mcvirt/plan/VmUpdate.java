package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.state.DiskHealth;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedPool;

/**
 * The update of one vm that is defined on its node, for the {@link VmDiffer}: each attribute compared in its own
 * method (cpus and memory, disks, NICs, protect, autostart, power state), which add what differs to the vm's change,
 * the live steps a running vm takes, and whether the definition is edited; {@link #plan} then plans the edited
 * definition. Used once, by one thread.
 */
final class VmUpdate {
    private final DesiredState desired;
    private final org.mcvirt.state.ObservedState observedState;
    private final NodeSpec node;
    private final VmSpec vm;
    private final ObservedDomain domain;
    private final NodeObservation observation;
    private final Replicas replicas;
    private final Renderer renderer;
    private final boolean adopting;
    private final Diff.Builder diff;
    private final String address;
    private final String subject;
    private final boolean running;
    private final Views.DomainView view;
    private final List<AttributeChange> attributes = new ArrayList<>();
    private final List<String> defineUses = new ArrayList<>();
    private boolean redefine;
    /** Whether the edited definition attaches the installer ISO (new or another): checked on the node first. */
    private boolean attachingIso;
    /** The seed, ISO and boot order the domain's definition has now. */
    private final DomainEditor.Media media;

    VmUpdate(DesiredState desired, org.mcvirt.state.ObservedState observed, Placement placement, Replicas replicas,
             Renderer renderer, boolean adopting, Diff.Builder diff) {
        this.desired = desired;
        this.observedState = observed;
        this.node = placement.node().spec();
        this.vm = placement.vm();
        this.domain = placement.present();
        this.observation = placement.node().observation();
        this.replicas = replicas;
        this.renderer = renderer;
        this.adopting = adopting;
        this.diff = diff;
        this.address = "vm." + vm.name();
        this.subject = Subjects.domain(node.name(), vm.name());
        this.running = domain.active();
        Views.DomainView manifest = Views.domain(desired.cluster(), node, vm, domain.uuid(),
                replicas.allocation().of(vm.name()), desired::iso);
        this.view = manifest.withMetadata(manifest.metadata().withImages(disk -> markedImage(desired, vm, domain,
                disk)));
        this.media = DomainEditor.media(domain.definition(), vm.name());
    }

    /**
     * The image the edited mark records for a disk: for one the domain's mark has, what it records (an image, or none:
     * not known, a mark of an older build or an adopted domain), never the manifest's, which may have changed since
     * the disk was made; for a disk this update creates, the image the manifest makes it from.
     */
    private static VmMetadata.Image markedImage(DesiredState desired, VmSpec vm, ObservedDomain domain, String disk) {
        Optional<VmMetadata.Disk> recorded = domain.metadata().disks().stream().filter(d -> d.name().equals(disk))
                .findFirst();
        return recorded.isPresent() ? recorded.get().image() : Views.image(vm, disk, desired::image);
    }

    /** Plans the update; mark is the vm's disk-health finding that forbids a start, if any. */
    void plan(DiskHealth.Finding mark) {
        cpus();
        memory();
        disks();
        removedDisks();
        nics();
        removedNics();
        protect();
        seed();
        cdromAndBoot();
        if (adopting) {
            attributes.add(new AttributeChange("managed", "false", "true", Effect.LIVE));
        }
        definition();
        autostart();
        power(mark);
        if (!attributes.isEmpty()) {
            attributes.sort(Comparator.comparing(AttributeChange::name));
            diff.change(new ResourceChange(address, ChangeKind.VM, vm.name(), node.name(), Action.UPDATE, attributes,
                    adopting && attributes.size() == 1 ? "the domain is adopted: it matches the manifest"
                            : "the vm differs from the manifest"));
        }
    }

    /** The subject of this vm's problems. */
    private PlanFinding.Subject about() {
        return PlanFinding.Subject.vm(vm.name(), node.name());
    }

    private void cpus() {
        if (domain.vcpus() != vm.cpus()) {
            attributes.add(new AttributeChange("cpus", Integer.toString(domain.vcpus()), Integer.toString(vm.cpus()),
                    running ? Effect.RESTART : Effect.LIVE));
            redefine = true;
        }
    }

    /** A running vm's memory shrinks live; anything else takes effect at its next start. */
    private void memory() {
        if (domain.memoryKib() == vm.memoryKib()) {
            return;
        }
        boolean liveShrink = running && vm.memoryKib() < domain.memoryKib();
        attributes.add(new AttributeChange("memory", Sizes.formatKib(domain.memoryKib()), Sizes.format(vm.memoryBytes()),
                running && !liveShrink ? Effect.RESTART : Effect.LIVE));
        redefine = true;
        if (liveShrink) {
            diff.step(node.name(), subject, List.of(), address,
                    "set memory of running domain " + vm.name() + " to " + Sizes.format(vm.memoryBytes()),
                    new StepPayload.SetMemoryLive(vm.name(), vm.memoryKib()));
        }
    }

    /** The manifest's disks, matched by the manifest name recorded in the mark. */
    private void disks() {
        for (VmDisks.Match match : VmDisks.match(vm, domain, view)) {
            VmSpec.DiskSpec disk = match.disk();
            VmMetadata.Disk existing = match.existing();
            switch (match.status()) {
                case NEW -> newDisk(disk, match.view());
                case MOVED -> diff.problem(PlanFinding.Code.DISK_MOVED, about(), "vm " + vm.name() + " disk " + disk.name() + " is at " + existing.source()
                        + " as " + existing.target() + " but the manifest puts it at " + match.view().source() + " as "
                        + match.view().target() + "; moving or renumbering disks is not supported");
                case CONVERTED -> diff.problem(PlanFinding.Code.DISK_CONVERTED, about(), "vm " + vm.name() + " disk " + disk.name() + " is "
                        + (existing.replicated() ? "" : "not ") + "replicated on the node but the manifest says it is"
                        + (disk.replicated() ? "" : " not") + "; converting a disk is not supported");
                case KEPT -> {
                    imageNotRewritten(disk, existing);
                    if (disk.replicated()) {
                        replicas.resizeOf(vm, disk, existing, domain).flatMap(Replicas.Resize::attribute)
                                .ifPresent(attributes::add);
                    } else {
                        fileDiskSize(disk, existing);
                    }
                }
            }
        }
    }

    /**
     * A kept disk whose mark records the image it was made from, while the manifest names another image or none: a
     * warning, neither a change nor drift, since the image is used only when a disk is created. A mark that records no
     * image (an older build's, an adopted domain's, a disk made empty) says nothing of it: no warning.
     */
    private void imageNotRewritten(VmSpec.DiskSpec disk, VmMetadata.Disk existing) {
        VmMetadata.Image recorded = existing.image();
        if (recorded == null) {
            return;
        }
        VmMetadata.Image wanted = Views.image(vm, disk.name(), desired::image);
        if (recorded.equals(wanted)) {
            return;
        }
        String was = "vm " + vm.name() + " disk " + disk.name() + " was made from image " + recorded.describe();
        diff.problem(PlanFinding.Code.IMAGE_NOT_REWRITTEN, about(), wanted == null
                ? was + " and the manifest now names none: image removed, no effect on the existing disk (the image"
                + " is used only when the disk is created)"
                : was + " and the manifest now says image " + wanted.describe() + ": the image is used only when the"
                + " disk is created; the disk is not rewritten");
    }

    private void newDisk(VmSpec.DiskSpec disk, Views.DiskView diskView) {
        attributes.add(new AttributeChange("disk." + disk.name(), null, VmDiffer.describe(disk, diskView, vm),
                Effect.LIVE));
        String volume = disk.replicated() ? replicas.subject(vm, disk)
                : VmDiffer.createVolume(desired, node, vm, disk, observation, address, renderer, diff);
        defineUses.add(volume);
        redefine = true;
        if (running) {
            diff.step(node.name(), subject, List.of(volume), address,
                    "hot-plug disk " + diskView.target() + " into running domain " + vm.name(),
                    new StepPayload.AttachDeviceLive(vm.name(), renderer.disk(diskView)));
        }
    }

    /** A file volume grows in place (live in a running vm); a smaller size is refused. */
    private void fileDiskSize(VmSpec.DiskSpec disk, VmMetadata.Disk existing) {
        String poolName = VmDiffer.pool(desired, disk.storage());
        String volumeName = Names.volumeName(vm.name(), disk.name());
        long capacity = observation.pool(poolName).flatMap(p -> p.volume(volumeName))
                .map(ObservedPool.ObservedVolume::capacityBytes).orElse(disk.sizeBytes());
        if (capacity > disk.sizeBytes()) {
            diff.problem(PlanFinding.Code.DISK_SHRINK, about(), "vm " + vm.name() + " disk " + disk.name() + " is "
                    + Sizes.format(capacity)
                    + " but the manifest says " + Sizes.format(disk.sizeBytes()) + ": shrinking a disk is refused"
                    + " (the guest's data past the new end would be lost); set the size back to at least "
                    + Sizes.format(capacity));
        } else if (capacity < disk.sizeBytes()) {
            attributes.add(new AttributeChange("disk." + disk.name() + ".size", Sizes.format(capacity),
                    Sizes.format(disk.sizeBytes()), Effect.LIVE));
            diff.step(node.name(), Subjects.volume(node.name(), poolName, volumeName),
                    List.of(), address, "grow volume " + volumeName + " to " + Sizes.format(disk.sizeBytes())
                            + (running ? " (live, in the running vm: block resize of " + existing.target() + ")"
                            : ""), new StepPayload.GrowVolume(poolName, volumeName, disk.sizeBytes(), vm.name(),
                            existing.source()));
        }
    }

    /** Disks the manifest no longer has: data loss, refused for a protected vm. */
    private void removedDisks() {
        for (VmMetadata.Disk existing : VmDisks.removed(vm, domain)) {
            if (VmDisks.keepsRemovedDisks(vm, domain)) {
                diff.problem(PlanFinding.Code.PROTECTED, about(), "vm " + vm.name() + " is protected; removing its disk " + existing.name()
                        + " would delete " + existing.source() + " (set protect: false and apply first)");
                continue;
            }
            attributes.add(new AttributeChange("disk." + existing.name(), existing.source(), null, Effect.DATA_LOSS));
            redefine = true;
            if (existing.replicated()) {
                // its replicas are taken down by the replicated-disk differ, once it is unplugged
                if (running) {
                    detach("disk " + existing.target(), replicas.sides(domain, existing, node),
                            renderer.disk(new Views.DiskView(existing.name(), existing.storage(), existing.target(),
                                    busOf(existing.target()), existing.source(), new Views.DrbdDiskView(
                                    existing.resource(), existing.minor(), existing.port()))));
                }
                continue;
            }
            String pool = VmDiffer.pool(desired, existing.storage());
            String volumeName = existing.source().substring(existing.source().lastIndexOf('/') + 1);
            String volume = Subjects.volume(node.name(), pool, volumeName);
            if (running) {
                detach("disk " + existing.target(), List.of(volume), renderer.disk(new Views.DiskView(existing.name(),
                        existing.storage(), existing.target(), busOf(existing.target()), existing.source())));
            }
            diff.step(node.name(), volume, List.of(subject), address,
                    "delete volume " + volumeName + " in pool " + pool, new StepPayload.DeleteVolume(pool, volumeName));
        }
    }

    private void detach(String what, List<String> released, String xml) {
        diff.step(node.name(), subject, released, address,
                "unplug " + what + " from running domain " + vm.name(), new StepPayload.DetachDeviceLive(vm.name(), xml));
    }

    private String busOf(String target) {
        return domain.disks().stream().filter(d -> target.equals(d.target())).map(ObservedDomain.ObservedDisk::bus)
                .findFirst().orElse("virtio");
    }

    /** The manifest's NICs, matched by MAC address and network. */
    private void nics() {
        for (VmSpec.NicSpec nic : vm.nics()) {
            Views.NicView nicView = Views.nic(desired.cluster(), nic);
            boolean present = domain.nics().stream().anyMatch(n -> nic.mac().equals(n.mac())
                    && nicView.network().equals(n.source()));
            if (present) {
                continue;
            }
            attributes.add(new AttributeChange("nic." + nic.mac(), null, nic.network(), Effect.LIVE));
            String network = Subjects.network(node.name(), nicView.network());
            defineUses.add(network);
            redefine = true;
            if (running) {
                diff.step(node.name(), subject, List.of(network), address,
                        "hot-plug nic " + nic.mac() + " into running domain " + vm.name(),
                        new StepPayload.AttachDeviceLive(vm.name(), renderer.nic(nicView)));
            }
        }
    }

    /** NICs on one of this cluster's networks that the manifest no longer has (others are not mcvirt's). */
    private void removedNics() {
        for (ObservedDomain.ObservedNic nic : domain.nics()) {
            boolean wanted = vm.nics().stream().anyMatch(n -> n.mac().equals(nic.mac())
                    && VmDiffer.network(desired, n.network()).equals(nic.source()));
            Optional<String> ours = Names.manifestName(desired.cluster().name(), nic.source());
            if (wanted || ours.isEmpty()) {
                continue;
            }
            attributes.add(new AttributeChange("nic." + nic.mac(), ours.get(), null, Effect.LIVE));
            redefine = true;
            if (running) {
                detach("nic " + nic.mac(), List.of(Subjects.network(node.name(), nic.source())),
                        renderer.nic(new Views.NicView(nic.mac(), nic.source())));
            }
        }
    }

    private void protect() {
        if (domain.metadata().protect() != vm.protect()) {
            attributes.add(new AttributeChange("protect", Boolean.toString(domain.metadata().protect()),
                    Boolean.toString(vm.protect()), Effect.LIVE));
            redefine = true;
        }
    }

    /** The edited definition; or, for an adopted domain that needs nothing else, its definition with the mark. */
    private void definition() {
        if (redefine) {
            diff.step(node.name(), Migrations.contacted(desired, vm.pair()), subject, defineUses, address,
                    "update definition of domain " + vm.name(), VmDiffer.define(desired, vm,
                            DomainEditor.edit(domain.definition(), view, renderer), false,
                            attachingIso ? VmDiffer.isoCheck(desired, vm) : Map.of()));
        } else if (adopting) {
            diff.step(node.name(), Migrations.contacted(desired, vm.pair()), subject, List.of(), address,
                    "adopt domain " + vm.name() + " (add mcvirt's mark to its definition)", VmDiffer.define(
                            desired, vm, DomainEditor.mark(domain.definition(), view.metadata(), renderer), true));
        }
    }

    /**
     * The cloud-init seed: a new one (changed user data, meta-data, network config or instance-id) is written on the
     * vm's nodes and the definition names it; a running vm sees it at its next start. cloud-init acts on a changed seed
     * only when its instance-id changed too, which the plan says. Seeds no longer named are removed while the vm is
     * stopped and the manifest has cloudInit (VmDiffer.deleteSeeds).
     */
    private void seed() {
        Optional<String> current = media.seed();
        Views.SeedView wanted = view.seed();
        if (!running && vm.cloudInit() != null) {
            // a stopped vm reads no seed: those its definition will not name go (a running one may read an older one);
            // never without cloudInit in the manifest, which could not make them again (an imported vm's seed)
            VmDiffer.deleteSeeds(desired, vm.name(), observedNodes(), wanted == null ? null : wanted.volume(), address,
                    subject, attributes, diff);
        }
        if (wanted == null) {
            if (current.isPresent()) {
                redefine = true;
                attributes.add(new AttributeChange("cloudInit", current.get().substring(current.get().lastIndexOf('/')
                        + 1), null, running ? Effect.RESTART : Effect.LIVE));
            }
            return;
        }
        if (current.filter(wanted.source()::equals).isPresent()) {
            // the seed is the one wanted: each node of the vm keeps a copy (one lost, or a pair node replaced)
            List<String> missing = observedNodes().stream().filter(n -> n.observation().pools().stream()
                    .flatMap(p -> p.volumes().stream()).noneMatch(v -> wanted.source().equals(v.path())))
                    .map(ResourceDiffer.ReadNode::name).toList();
            if (!missing.isEmpty()) {
                missing.forEach(n -> attributes.add(new AttributeChange("seed@" + n, null, wanted.volume(),
                        Effect.LIVE)));
                VmDiffer.seed(desired, vm, org.mcvirt.model.CloudInitSeed.of(vm, domain.uuid()), missing, address,
                        diff);
            }
            return;
        }
        redefine = true;
        String was = current.map(s -> s.substring(s.lastIndexOf('/') + 1)).orElse(null);
        org.mcvirt.model.CloudInitSeed seed = org.mcvirt.model.CloudInitSeed.of(vm, domain.uuid());
        attributes.add(new AttributeChange("cloudInit", was, VmDiffer.describe(vm, seed, domain.uuid())
                + (current.isPresent() ? "; cloud-init acts on a changed seed only with a new instance-id" : ""),
                running ? Effect.RESTART : Effect.LIVE));
        defineUses.addAll(VmDiffer.seed(desired, vm, seed, address, diff).values());
    }

    /**
     * The installer ISO (inserted, changed or ejected) and the boot order: the definition is edited; a running vm
     * sees either at its next start.
     */
    private void cdromAndBoot() {
        Optional<String> current = media.iso();
        String wanted = view.cdrom() == null ? null : view.cdrom().source();
        if (!current.equals(Optional.ofNullable(wanted))) {
            redefine = true;
            attributes.add(new AttributeChange("cdrom", current.map(s -> s.substring(s.lastIndexOf('/') + 1))
                    .orElse(null), view.cdrom() == null ? null : vm.cdrom() + " (" + view.cdrom().volume() + ")",
                    running ? Effect.RESTART : Effect.LIVE));
            if (view.cdrom() != null) {
                attachingIso = true;
                String pool = Names.poolName(desired.cluster().name(), desired.iso(vm.cdrom()).orElseThrow().storage());
                defineUses.add(Subjects.volume(node.name(), pool, view.cdrom().volume()));
            }
        }
        List<VmSpec.BootDevice> boot = media.boot();
        if (!boot.equals(vm.boot())) {
            redefine = true;
            attributes.add(new AttributeChange("boot", boot.isEmpty() ? "default" : text(boot), vm.boot().isEmpty()
                    ? "default" : text(vm.boot()), running ? Effect.RESTART : Effect.LIVE));
        }
    }

    private static String text(List<VmSpec.BootDevice> boot) {
        return boot.stream().map(b -> b.name().toLowerCase(java.util.Locale.ROOT)).toList().toString();
    }

    /** The nodes of this vm that were read (its node, and its pair's other node). */
    private List<ResourceDiffer.ReadNode> observedNodes() {
        List<ResourceDiffer.ReadNode> read = new ArrayList<>();
        for (String name : vm.pair().isEmpty() ? List.of(node.name()) : vm.pair()) {
            desired.node(name).ifPresent(spec -> (name.equals(node.name()) ? Optional.of(observation)
                    : placementObserved(name)).filter(o -> o.reachable())
                    .ifPresent(o -> read.add(new ResourceDiffer.ReadNode(spec, o))));
        }
        return read;
    }

    private Optional<NodeObservation> placementObserved(String name) {
        return Optional.ofNullable(observedState).flatMap(s -> s.node(name));
    }

    private void autostart() {
        if (domain.autostart() != vm.libvirtAutostart()) {
            attributes.add(new AttributeChange("autostart", Boolean.toString(domain.autostart()),
                    Boolean.toString(vm.libvirtAutostart()) + (vm.autostart() ? " (replicated: started by mcvirt"
                    + " reconcile, not libvirt)" : ""), Effect.LIVE));
            diff.step(node.name(), subject, List.of(), address,
                    (vm.libvirtAutostart() ? "enable" : "disable") + " autostart of domain " + vm.name(),
                    new StepPayload.SetAutostart(vm.name(), vm.libvirtAutostart()));
        }
    }

    /** Started or shut down as the manifest says; a vm whose disks carry a verify mark is not started. */
    private void power(DiskHealth.Finding mark) {
        boolean wantRunning = vm.state() == VmSpec.PowerState.RUNNING;
        if (running == wantRunning) {
            return;
        }
        attributes.add(new AttributeChange("state", domain.runState(), wantRunning ? "running" : "stopped", Effect.LIVE));
        if (!wantRunning) {
            diff.step(node.name(), subject, List.of(), address,
                    "shut down domain " + vm.name(), new StepPayload.ShutdownDomain(vm.name()));
            return;
        }
        if (mark != null) {
            diff.problem(PlanFinding.Code.START_REFUSED, about(), "vm " + vm.name() + " cannot be started: "
                    + mark.aboutDisk());
        }
        List<String> uses = new ArrayList<>(vm.nics().stream()
                .map(n -> Subjects.network(node.name(), VmDiffer.network(desired, n.network()))).toList());
        // a replicated disk made primary here first (a migration rolled back: see Migrations.primaryHere)
        domain.metadata().disks().stream().filter(VmMetadata.Disk::replicated)
                .forEach(d -> uses.add(Subjects.drbd(node.name(), d.resource())));
        diff.step(node.name(), subject, uses, address, "start domain " + vm.name(),
                new StepPayload.StartDomain(vm.name()));
    }
}
