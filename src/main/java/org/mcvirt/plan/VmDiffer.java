package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.mcvirt.model.CloudInitSeed;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.ImageSpec;
import org.mcvirt.model.Names;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.render.Xml;
import org.mcvirt.state.DiskHealth;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.StateReader;

/**
 * The vm's own attributes: a vm of the manifest that is defined on no node is created on its node (its file volumes,
 * its definition, autostart, start), a defined one is updated by editing its current definition ({@link VmUpdate},
 * {@link DomainEditor}), and a domain of this cluster that the manifest no longer has is deleted with its volumes. Only
 * vms the options include are planned. Its replicated disks are the {@link ReplicatedDiskDiffer}'s and a vm that is
 * not where the manifest puts it is the {@link MigrationDiffer}'s; where a vm stands is read once ({@link Placement}).
 */
final class VmDiffer implements ResourceDiffer {
    private final Renderer renderer;

    VmDiffer(Renderer renderer) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    @Override
    public Diff diff(DesiredState desired, ObservedState observed, Planner.Options options) {
        Diff.Builder diff = new Diff.Builder();
        Replicas replicas = ReplicatedDiskDiffer.replicas(desired, observed, renderer);
        Map<String, DiskHealth.Finding> marks = DiskHealth.marks(observed, desired.cluster().name());
        // each vm is planned on its own (rendering its XML is most of the work), on all cores; the parts are joined in
        // manifest order, so the result is the same as one after the other
        Placement.of(desired, observed, options).parallelStream().map(placement -> {
            Diff.Builder part = new Diff.Builder();
            vm(desired, observed, placement, replicas, marks.get(placement.vm().name()), options, part);
            return part.build();
        }).toList().forEach(diff::add);
        for (Placement.Removed removed : Placement.removed(desired, observed, options)) {
            deletion(desired, observed, removed.node().spec(), removed.domain(), diff);
        }
        return diff.build();
    }

    static String pool(DesiredState desired, String storage) {
        return Names.poolName(desired.cluster().name(), storage);
    }

    static String network(DesiredState desired, String manifestName) {
        return Names.networkName(desired.cluster().name(), manifestName);
    }

    private void vm(DesiredState desired, ObservedState observed, Placement placement, Replicas replicas, DiskHealth.Finding mark,
                    Planner.Options options, Diff.Builder diff) {
        VmSpec vm = placement.vm();
        NodeSpec node = placement.node().spec();
        switch (placement.kind()) {
            case UNMANAGED -> diff.problem(PlanFinding.Code.UNMANAGED_DOMAIN, PlanFinding.Subject.vm(vm.name(),
                    node.name()), "domain " + vm.name() + " on node " + node.name() + " exists but is not"
                    + " managed by mcvirt (it has no mcvirt metadata) and mcvirt never touches it; rename the vm in the"
                    + " manifest, or rename the existing domain, or adopt it ('mcvirt import --adopt " + vm.name()
                    + "' checks that the manifest describes it as it is, then adds mcvirt's mark)");
            case OTHER_CLUSTER -> diff.problem(PlanFinding.Code.OTHER_CLUSTERS_DOMAIN, PlanFinding.Subject.vm(
                    vm.name(), node.name()), "domain " + vm.name() + " on node " + node.name() + " belongs to"
                    + " cluster " + placement.present().metadata().cluster() + ", not " + desired.cluster().name());
            case NEW -> creation(desired, node, vm, placement.node().observation(), replicas, diff);
            case PRESENT -> {
                ObservedDomain domain = placement.present();
                // a domain being adopted carries a mark only in the state planned on (Adoption), not in its definition
                boolean adopting = options.adopts(vm.name())
                        && StateReader.metadata(Xml.parse(domain.definition())).isEmpty();
                new VmUpdate(desired, observed, placement, replicas, renderer, adopting, diff).plan(mark);
            }
            case PAIR_UNREADABLE, UNTRUSTED, STALE_COPIES, MOVED, REGISTERED, FAILOVER, FAILOVER_BLOCKED,
                 RETURNING -> {
                // the disk or migration differ plans it or says why not
            }
        }
    }

    private void creation(DesiredState desired, NodeSpec node, VmSpec vm, NodeObservation obs, Replicas replicas,
                          Diff.Builder diff) {
        String address = "vm." + vm.name();
        String subject = Subjects.domain(node.name(), vm.name());
        // a vm with cloud-init gets its UUID from mcvirt: its seed's instance-id is derived from it before the define
        String uuid = vm.cloudInit() == null ? null : CloudInitSeed.uuidFor(desired.cluster().name(), vm.name());
        // every disk is created with the domain: the mark records the image each is made from
        Views.DomainView view = Views.domain(desired.cluster(), node, vm, uuid, replicas.allocation().of(vm.name()),
                desired::iso, desired::image);
        List<AttributeChange> attributes = new ArrayList<>();
        attributes.add(new AttributeChange("cpus", null, Integer.toString(vm.cpus()), Effect.LIVE));
        attributes.add(new AttributeChange("memory", null, Sizes.format(vm.memoryBytes()), Effect.LIVE));
        List<String> uses = new ArrayList<>();
        for (int i = 0; i < vm.disks().size(); i++) {
            VmSpec.DiskSpec disk = vm.disks().get(i);
            attributes.add(new AttributeChange("disk." + disk.name(), null, describe(disk, view.disks().get(i), vm),
                    Effect.LIVE));
            uses.add(disk.replicated() ? replicas.subject(vm, disk)
                    : createVolume(desired, node, vm, disk, obs, address, renderer, diff));
        }
        if (vm.cloudInit() != null) {
            CloudInitSeed seed = CloudInitSeed.of(vm, uuid);
            attributes.add(new AttributeChange("cloudInit", null, describe(vm, seed, uuid), Effect.LIVE));
            uses.add(seed(desired, vm, seed, address, diff).get(node.name()));
        }
        if (view.cdrom() != null) {
            attributes.add(new AttributeChange("cdrom", null, vm.cdrom() + " (" + view.cdrom().volume() + ")",
                    Effect.LIVE));
            uses.add(Subjects.volume(node.name(), pool(desired, desired.iso(vm.cdrom()).orElseThrow().storage()),
                    view.cdrom().volume()));
        }
        if (!vm.boot().isEmpty()) {
            attributes.add(new AttributeChange("boot", null, vm.boot().stream()
                    .map(b -> b.name().toLowerCase(Locale.ROOT)).toList().toString(), Effect.LIVE));
        }
        for (VmSpec.NicSpec nic : vm.nics()) {
            attributes.add(new AttributeChange("nic." + nic.mac(), null, nic.network(), Effect.LIVE));
            uses.add(Subjects.network(node.name(), network(desired, nic.network())));
        }
        attributes.add(new AttributeChange("autostart", null, vm.autostart() && vm.replicated()
                ? "true (by mcvirt reconcile, not libvirt: replicated)" : Boolean.toString(vm.autostart()), Effect.LIVE));
        attributes.add(new AttributeChange("state", null, vm.state().name().toLowerCase(Locale.ROOT), Effect.LIVE));
        diff.change(new ResourceChange(address, ChangeKind.VM, vm.name(), node.name(), Action.CREATE, attributes,
                "vm does not exist"));
        diff.step(node.name(), Migrations.contacted(desired, vm.pair()), subject, uses, address,
                "define domain " + vm.name(),
                define(desired, vm, renderer.domain(view), false, isoCheck(desired, vm)));
        if (vm.libvirtAutostart()) {
            diff.step(node.name(), subject, List.of(), address,
                    "enable autostart of domain " + vm.name(), new StepPayload.SetAutostart(vm.name(), true));
        }
        if (vm.state() == VmSpec.PowerState.RUNNING) {
            diff.step(node.name(), subject, uses, address, "start domain " + vm.name(),
                    new StepPayload.StartDomain(vm.name()));
        }
    }

    /** What a plan says of a seed: never the user data, only digests (it may hold secrets). */
    static String describe(VmSpec vm, CloudInitSeed seed, String uuid) {
        return "seed " + seed.volumeName(vm.name()) + " (user data sha256:" + seed.userDataDigest().substring(0, 12)
                + " from " + vm.cloudInit().userDataFile() + ", instance-id "
                + CloudInitSeed.instanceId(vm.cloudInit(), uuid) + (vm.cloudInit().networkConfig() != null
                ? ", network config" : "") + ")";
    }

    /**
     * Plans the seed's writing on each node of the vm (both of a replicated vm's pair, so it can run on either) and
     * returns its subject by node.
     */
    static Map<String, String> seed(DesiredState desired, VmSpec vm, CloudInitSeed seed, String address,
                                    Diff.Builder diff) {
        return seed(desired, vm, seed, seedNodes(vm), address, diff);
    }

    /** The nodes that keep a vm's seed: both of a replicated vm's pair, so it runs and migrates on either. */
    static List<String> seedNodes(VmSpec vm) {
        return vm.replicated() && !vm.pair().isEmpty() ? vm.pair() : List.of(vm.node());
    }

    /** Plans the seed's writing on the nodes given and returns its subject by node. */
    static Map<String, String> seed(DesiredState desired, VmSpec vm, CloudInitSeed seed, List<String> nodes,
                                    String address, Diff.Builder diff) {
        Map<String, String> subjects = new java.util.TreeMap<>();
        for (String nodeName : nodes) {
            NodeSpec node = desired.node(nodeName).orElseThrow();
            StorageSpec storage = node.storage(vm.cloudInit().storage()).orElseThrow();
            String pool = pool(desired, storage.name());
            String volume = seed.volumeName(vm.name());
            String subject = Subjects.volume(nodeName, pool, volume);
            subjects.put(nodeName, subject);
            diff.step(nodeName, subject, List.of(Subjects.pool(nodeName, pool)), address, "write cloud-init seed "
                    + volume + " in pool " + pool, new StepPayload.WriteSeed(pool, storage.path(), volume,
                    seed.digest(), seed.userData(), seed.metaData(), seed.networkConfig()));
        }
        return subjects;
    }

    /** Plans the volume of a new disk and returns its subject; an existing volume of that name is a problem. */
    static String createVolume(DesiredState desired, NodeSpec node, VmSpec vm, VmSpec.DiskSpec disk,
                               NodeObservation obs, String address, Renderer renderer, Diff.Builder diff) {
        StorageSpec storage = node.storage(disk.storage()).orElseThrow();
        String pool = pool(desired, storage.name());
        Views.VolumeView volume = Views.volume(vm, disk);
        String subject = Subjects.volume(node.name(), pool, volume.name());
        if (obs.pool(pool).flatMap(p -> p.volume(volume.name())).isPresent()) {
            diff.problem(PlanFinding.Code.VOLUME_EXISTS, PlanFinding.Subject.vm(vm.name(), node.name()),
                    "volume " + volume.name() + " already exists in pool " + pool + " on node "
                    + node.name() + " and is not attached to vm " + vm.name() + "; mcvirt never overwrites a disk"
                    + " (remove or rename it by hand)");
            return subject;
        }
        if (disk.image() != null) {
            ImageSpec image = desired.image(disk.image()).orElseThrow();
            StorageSpec imageStorage = node.storage(image.storage()).orElseThrow();
            String imagePool = pool(desired, imageStorage.name());
            String imagePath = imageStorage.path() + "/" + image.volumeName();
            Views.VolumeView fromImage = Views.volume(vm, disk, image, imagePath);
            diff.step(node.name(), subject, List.of(Subjects.pool(node.name(), pool),
                    Subjects.volume(node.name(), imagePool, image.volumeName())), address, "create volume "
                    + volume.name() + " (" + Sizes.format(disk.sizeBytes()) + ") in pool " + pool + " from image "
                    + image.name() + (disk.linked() ? ", a qcow2 overlay on it" : ", a full copy"),
                    new StepPayload.CreateVolumeFromImage(pool, volume.name(), renderer.volume(fromImage), imagePool,
                            image.volumeName(), imagePath, image.sha256(), disk.sizeBytes(), disk.linked()));
            return subject;
        }
        diff.step(node.name(), subject, List.of(Subjects.pool(node.name(), pool)),
                address, "create volume " + volume.name() + " (" + Sizes.format(disk.sizeBytes()) + ") in pool " + pool,
                new StepPayload.CreateVolume(pool, volume.name(), renderer.volume(volume)));
        return subject;
    }

    static String describe(VmSpec.DiskSpec disk, Views.DiskView view, VmSpec vm) {
        String text = Sizes.format(disk.sizeBytes()) + " on " + disk.storage() + " as " + view.target()
                + (disk.image() == null ? "" : ", from image " + disk.image() + (disk.linked()
                ? " (linked: the image stays in use while the disk exists)" : " (a copy)"));
        if (view.drbd() == null) {
            return text;
        }
        return text + ", replicated " + vm.node() + " <-> " + vm.peer().orElse("?") + " (" + view.source() + ", port "
                + view.drbd().port() + ")";
    }

    /** A define: a replicated vm's definition is also kept on both nodes of its pair, for register. */
    static StepPayload.DefineDomain define(DesiredState desired, VmSpec vm, String xml) {
        return define(desired, vm, xml, false);
    }

    /** adoptionOnly: the definition as it is with the mark added, for {@code import --adopt}. */
    static StepPayload.DefineDomain define(DesiredState desired, VmSpec vm, String xml, boolean adoptionOnly) {
        return define(desired, vm, xml, adoptionOnly, Map.of());
    }

    /** checks: the files the definition newly attaches, checked on the node before the define ({@link #isoCheck}). */
    static StepPayload.DefineDomain define(DesiredState desired, VmSpec vm, String xml, boolean adoptionOnly,
                                           Map<String, String> checks) {
        return new StepPayload.DefineDomain(vm.name(), xml, vm.replicated() ? Migrations.copies(desired, vm.pair())
                : Map.of(), adoptionOnly, checks);
    }

    /**
     * The vm's installer ISO on its node and the SHA-256 the manifest gives it, when it has one: checked before a
     * define attaches it (an ISO is a read-only CD-ROM, whose copy on a node could have been changed there).
     */
    static Map<String, String> isoCheck(DesiredState desired, VmSpec vm) {
        if (vm.cdrom() == null) {
            return Map.of();
        }
        return desired.iso(vm.cdrom()).flatMap(iso -> desired.node(vm.node()).flatMap(n -> n.storage(iso.storage()))
                .map(storage -> Map.of(storage.path() + "/" + iso.volumeName(), iso.sha256()))).orElse(Map.of());
    }

    /**
     * Removes the vm's cloud-init seeds from this cluster's pools on the nodes given, all but keep (null: all of them),
     * after the step on subject (the domain's define or undefine); each is an attribute of the vm's change.
     */
    static void deleteSeeds(DesiredState desired, String vm, List<ResourceDiffer.ReadNode> nodes, String keep,
                            String address, String subject, List<AttributeChange> attributes, Diff.Builder diff) {
        for (ResourceDiffer.ReadNode node : nodes) {
            for (org.mcvirt.state.ObservedPool pool : node.observation().pools()) {
                if (Names.manifestName(desired.cluster().name(), pool.name()).isEmpty()) {
                    continue;
                }
                for (org.mcvirt.state.ObservedPool.ObservedVolume volume : pool.volumes()) {
                    if (!DomainEditor.isSeedOf(vm, volume.name()) || volume.name().equals(keep)) {
                        continue;
                    }
                    attributes.add(new AttributeChange("seed." + volume.name() + "@" + node.name(), "present",
                            null, Effect.LIVE));
                    diff.step(node.name(), Subjects.volume(node.name(), pool.name(), volume.name()), List.of(subject),
                            address, "remove cloud-init seed " + volume.name() + " from pool " + pool.name()
                            + " (no longer named by vm " + vm + ")", new StepPayload.DeleteSeed(pool.name(),
                            volume.name()));
                }
            }
        }
    }

    private static void deletion(DesiredState desired, ObservedState observed, NodeSpec node, ObservedDomain domain,
                                 Diff.Builder diff) {
        String address = "vm." + domain.name();
        if (domain.metadata().protect()) {
            diff.problem(PlanFinding.Code.PROTECTED, PlanFinding.Subject.vm(domain.name(), node.name()),
                    "vm " + domain.name() + " on node " + node.name() + " is not in the manifest but is"
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
            diff.step(node.name(), subject, networks, address,
                    "shut down domain " + domain.name(), new StepPayload.ShutdownDomain(domain.name()));
        }
        // the saved copies of its definition go with it (see Migrations.copies)
        Map<String, String> forget = domain.metadata().disks().stream().anyMatch(VmMetadata.Disk::replicated)
                ? Migrations.copies(desired, domain.metadata().pair()) : Map.of();
        StepPayload.UndefineDomain undefine = new StepPayload.UndefineDomain(domain.name(), forget);
        diff.step(node.name(), List.copyOf(undefine.forget().keySet()), subject, networks, address,
                "undefine domain " + domain.name(), undefine);
        for (VmMetadata.Disk disk : domain.metadata().disks()) {
            attributes.add(new AttributeChange("disk." + disk.name(), disk.source(), null, Effect.DATA_LOSS));
            if (disk.replicated()) {
                continue; // the replicated-disk differ takes its replicas down
            }
            String pool = pool(desired, disk.storage());
            String volumeName = disk.source().substring(disk.source().lastIndexOf('/') + 1);
            diff.step(node.name(), Subjects.volume(node.name(), pool, volumeName),
                    List.of(subject), address, "delete volume " + volumeName + " in pool " + pool,
                    new StepPayload.DeleteVolume(pool, volumeName));
        }
        deleteSeeds(desired, domain.name(), ResourceDiffer.readNodes(desired, observed), null, address, subject,
                new ArrayList<>(), diff);
        diff.change(new ResourceChange(address, ChangeKind.VM, domain.name(), node.name(), Action.DELETE, attributes,
                "vm is not in the manifest"));
    }
}
