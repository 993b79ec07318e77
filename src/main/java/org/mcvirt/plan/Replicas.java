package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.ImageSpec;
import org.mcvirt.model.Names;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.state.Availability;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedLvm;
import org.mcvirt.state.ObservedState;

/**
 * The steps of a replicated disk's two replicas, for the {@link ReplicatedDiskDiffer}, and what the vm differ needs to
 * know of them (the subject a domain uses, the size attribute, the sides a removed disk takes down). Creating one: on both nodes of the vm's pair a
 * tagged LV, the resource file (its secret a placeholder apply fills in), create-md and up; then, on the vm's node,
 * the initial sync from that node (its new, empty disk is declared the good copy; the peer's is new too). Deleting
 * one: the resource taken down with its metadata and file, then the LV, on both nodes.
 */
final class Replicas {
    private final DesiredState desired;
    private final ObservedState observed;
    private final DrbdAllocation allocation;
    private final Renderer renderer;

    Replicas(DesiredState desired, ObservedState observed, DrbdAllocation allocation, Renderer renderer) {
        this.desired = desired;
        this.observed = observed;
        this.allocation = allocation;
        this.renderer = renderer;
    }

    DrbdAllocation allocation() {
        return allocation;
    }

    /** The tag on every LV mcvirt creates for this cluster. */
    static String tag(String cluster) {
        return "mcvirt." + cluster;
    }

    /** The subject a domain uses for a replicated disk on the vm's node ("?" when no resource could be allocated). */
    String subject(VmSpec vm, VmSpec.DiskSpec disk) {
        Views.DrbdDiskView resource = allocation.of(vm.name()).get(disk.name());
        return Subjects.drbd(vm.node(), resource == null ? "?" : resource.resource());
    }

    /** Plans a new replicated disk on both nodes of the pair; returns the subject the domain uses on its node. */
    String create(VmSpec vm, VmSpec.DiskSpec disk, String address, Diff.Builder diff) {
        Views.DrbdDiskView resource = allocation.of(vm.name()).get(disk.name());
        String node = vm.node();
        String subject = subject(vm, disk);
        if (resource == null) {
            return subject; // the allocation reported why
        }
        String peer = vm.peer().orElseThrow();
        List<String> members = vm.pair().stream().sorted().toList();
        if (!ready(vm, disk, resource.resource(), members, diff)) {
            return subject;
        }
        boolean drbd9 = observed.node(node).orElseThrow().drbd().kernelMajor() == 9;
        String text = resourceText(vm, disk, resource, members, drbd9);
        for (String member : members) {
            NodeSpec spec = desired.node(member).orElseThrow();
            String volumeGroup = spec.storage(disk.storage()).orElseThrow().volumeGroup();
            String lv = Subjects.logicalVolume(member, volumeGroup, resource.resource());
            String side = Subjects.drbd(member, resource.resource());
            diff.step(member, lv, List.of(), address, "create logical volume " + volumeGroup + "/"
                    + resource.resource() + " (" + Sizes.format(disk.sizeBytes()) + ")", new StepPayload.CreateLv(
                    volumeGroup, resource.resource(), disk.sizeBytes(), tag(desired.cluster().name())));
            diff.step(member, side, List.of(lv), address, "write DRBD resource "
                    + resource.resource() + " (" + filePath(spec, resource.resource()) + ")",
                    writeFile(resource.resource(), text, spec));
            diff.step(member, side, List.of(), address, "create DRBD metadata of "
                    + resource.resource(), new StepPayload.CreateDrbdMetadata(resource.resource()));
            diff.step(member, side, List.of(), address, "bring up DRBD resource "
                    + resource.resource() + " (" + resource.device() + ")", new StepPayload.DrbdUp(resource.resource()));
        }
        diff.step(node, subject, List.of(Subjects.drbd(peer, resource.resource())), address,
                "initial sync of " + resource.resource() + " from " + node + " to " + peer + " (" + node
                        + "'s new disk is the good copy; " + peer + "'s new disk is overwritten)",
                new StepPayload.DrbdInitialSync(resource.resource(), resource.minor()));
        if (disk.image() != null) {
            writeImage(vm, disk, resource, address, diff);
        }
        return subject;
    }

    /**
     * A new replicated disk from an image: the image written once onto its DRBD device on the vm's node, after the
     * initial sync made that side the good copy; DRBD copies it to the peer. The device holds the disk's size less
     * DRBD's metadata: an image larger than that is a problem.
     */
    private void writeImage(VmSpec vm, VmSpec.DiskSpec disk, Views.DrbdDiskView resource, String address,
                            Diff.Builder diff) {
        ImageSpec image = desired.image(disk.image()).orElseThrow();
        long usable = disk.sizeBytes() - metadataAllowance(disk.sizeBytes());
        if (usable < image.virtualBytes()) {
            diff.problem(PlanFinding.Code.IMAGE_TOO_LARGE, PlanFinding.Subject.vm(vm.name(), vm.node()), image.declaredAt()
                    + ": image '" + image.name() + "' (" + image.virtualBytes() + " bytes) does not fit replicated disk '"
                    + disk.name() + "' of vm '" + vm.name() + "': it holds " + usable + " bytes ("
                    + Sizes.format(disk.sizeBytes()) + " less DRBD's metadata); make the disk larger");
            return;
        }
        NodeSpec spec = desired.node(vm.node()).orElseThrow();
        StorageSpec storage = spec.storage(image.storage()).orElseThrow();
        String pool = Names.poolName(desired.cluster().name(), storage.name());
        boolean existed = observed.node(vm.node()).map(n -> n.lvm().logicalVolumes().stream()
                .anyMatch(l -> l.name().equals(resource.resource()))).orElse(true);
        diff.step(vm.node(), subject(vm, disk), List.of(Subjects.volume(vm.node(), pool, image.volumeName())), address,
                "write image " + image.name() + " onto " + resource.device() + " (" + resource.resource() + ") on "
                        + vm.node() + ": written once, DRBD copies it to " + vm.peer().orElse("?")
                        + (existed ? "; the disk was there before this plan: what it holds is overwritten" : ""),
                new StepPayload.WriteImage(resource.resource(), resource.minor(), storage.path() + "/"
                        + image.volumeName(), image.format().libvirtName(), image.sha256(), image.virtualBytes()));
    }

    /** Where a node keeps a resource's file. */
    private static String filePath(NodeSpec spec, String resource) {
        return spec.drbdConfigDirectory() + "/" + resource + ".res";
    }

    /** The step payload that writes a resource's file on a node; apply reads the secret from where the manifest says. */
    private StepPayload.WriteDrbdConfig writeFile(String resource, String text, NodeSpec spec) {
        DrbdSpec.SecretRef secret = desired.cluster().drbdIfEnabled().orElseThrow().secret();
        return new StepPayload.WriteDrbdConfig(resource, text, spec.drbdConfigDirectory(), spec.stateDirectory(),
                secret.file(), secret.file() != null ? null : secret.environmentVariable());
    }

    /** The resource file mcvirt writes for a replicated disk on the nodes of members, its secret a placeholder. */
    private String resourceText(VmSpec vm, VmSpec.DiskSpec disk, Views.DrbdDiskView resource, List<String> members,
                                boolean drbd9) {
        DrbdSpec drbd = desired.cluster().drbdIfEnabled().orElseThrow();
        List<Views.DrbdHostView> hosts = new ArrayList<>();
        for (String member : members) {
            NodeSpec spec = desired.node(member).orElseThrow();
            StorageSpec storage = spec.storage(disk.storage()).orElseThrow();
            hosts.add(new Views.DrbdHostView(member, resource.minor(), "/dev/" + storage.volumeGroup() + "/"
                    + resource.resource(), spec.drbdIp(), resource.port()));
        }
        return renderer.drbdResource(new Views.DrbdResourceView(desired.cluster().name(), vm.name(), disk.name(),
                resource.resource(), drbd9, drbd.protocol(), drbd.syncRate(), drbd.verifyAlg(),
                Views.SECRET_PLACEHOLDER, hosts, desired.cluster().notifyCommand().orElse(null)));
    }

    /**
     * A resource file's text as compared: without its shared-secret line (a node never sends it), its comment lines
     * and, with handlers false, its handlers block.
     */
    static String comparable(String text, boolean handlers) {
        StringBuilder out = new StringBuilder();
        boolean inHandlers = false;
        for (String line : text.split("\n", -1)) {
            if (line.contains("shared-secret") || line.startsWith("#")) {
                continue; // comments are mcvirt's own header, which has changed over time
            }
            if (!handlers && line.strip().equals("handlers {")) {
                inHandlers = true;
            }
            if (!inHandlers) {
                out.append(line).append('\n');
            } else if (line.strip().equals("}")) {
                inHandlers = false;
            }
        }
        return out.toString().strip();
    }

    /**
     * A kept replicated disk's resource file on each node of its pair against what mcvirt writes now, both without
     * the secret line. Where only the handlers differ (a file written before mcvirt wrote handlers, or
     * {@code cluster.notify} changed) the file is rewritten on that node: DRBD reads the handlers from it when an
     * event happens, so nothing else is done and the resource is not touched. Where more differs (a hand edit, or a
     * setting mcvirt applies only to new resources) a warning names the node and file, which is left as it is. A node
     * whose DRBD was not read, or that has no file of mcvirt's for it, is skipped (other checks report those).
     *
     * @return the attribute changes of the vm's change, one per file rewritten
     */
    List<AttributeChange> resourceFiles(VmSpec vm, VmSpec.DiskSpec disk, VmMetadata.Disk existing,
                                        ObservedDomain domain, String address, Diff.Builder diff) {
        List<AttributeChange> attributes = new ArrayList<>();
        Views.DrbdDiskView resource = allocation.of(vm.name()).get(disk.name());
        if (resource == null || existing.resource() == null || !resource.resource().equals(existing.resource())
                || desired.cluster().drbdIfEnabled().isEmpty()) {
            return attributes;
        }
        List<String> members = domain.metadata().pair().stream().sorted().toList();
        if (members.size() != 2 || members.stream().anyMatch(m -> desired.node(m).isEmpty()
                || desired.node(m).get().storage(disk.storage()).isEmpty())) {
            return attributes; // a pair node or storage gone from the manifest: reported by the vm differ
        }
        for (String member : members) {
            Optional<NodeObservation> seen = observed.node(member).filter(NodeObservation::reachable)
                    .filter(n -> n.drbd().availability() == Availability.PRESENT);
            Optional<String> file = seen.flatMap(n -> n.drbd().resourceFile(existing.resource()));
            if (file.isEmpty() || !desired.node(member).get().contacted()) {
                continue;
            }
            String text = resourceText(vm, disk, resource, members, seen.get().drbd().kernelMajor() == 9);
            if (comparable(text, true).equals(comparable(file.get(), true))) {
                continue;
            }
            NodeSpec spec = desired.node(member).orElseThrow();
            String path = filePath(spec, existing.resource());
            if (!comparable(text, false).equals(comparable(file.get(), false))) {
                diff.problem(PlanFinding.Code.DRBD_FILE_DIFFERS, PlanFinding.Subject.vm(vm.name(), member),
                        "DRBD resource file " + path + " on node " + member + " differs from what mcvirt writes for"
                        + " vm " + vm.name() + " disk " + disk.name() + " beyond its handlers (edited by hand, or a"
                        + " setting mcvirt applies only to new resources): it is left as it is");
                continue;
            }
            String now = desired.cluster().notifyCommand().isPresent() ? "journal and cluster.notify" : "journal";
            attributes.add(new AttributeChange("disk." + disk.name() + ".handlers." + member,
                    file.get().contains("handlers {") ? "other" : "none", now, Effect.LIVE));
            diff.step(member, Subjects.drbd(member, existing.resource()), List.of(), address, "rewrite DRBD resource"
                    + " file " + path + " with mcvirt's handlers (split brain and verify findings to the " + now
                    + "; the resource is not touched)", writeFile(existing.resource(), text, spec));
        }
        return attributes;
    }

    /**
     * Whether the side of a kept replicated disk on member is down and can be brought up from what is already there
     * (after a reboot or a power cut nothing runs {@code drbdadm up}): member is a node of the manifest that mcvirt
     * contacts, was read, has DRBD loaded and its LVM read, the resource is not up there, and mcvirt's tagged LV of the
     * disk exists there (its metadata is on it). {@code drbdadm adjust} then attaches that disk and connects: nothing
     * is created, nothing overwritten. The one decision shared by the disk differ (which plans the up) and
     * {@link Migrations#primaryHere} (which may then promote the vm's node).
     */
    static boolean comesUp(DesiredState desired, ObservedState observed, String member, VmMetadata.Disk disk) {
        if (!disk.replicated() || disk.resource() == null) {
            return false;
        }
        Optional<NodeSpec> spec = desired.node(member).filter(NodeSpec::contacted);
        Optional<StorageSpec> storage = spec.flatMap(n -> n.storage(disk.storage()))
                .filter(s -> s.volumeGroup() != null);
        Optional<NodeObservation> seen = observed.node(member).filter(NodeObservation::reachable);
        if (storage.isEmpty() || seen.isEmpty() || seen.get().drbd().availability() != Availability.PRESENT
                || seen.get().lvm().availability() != Availability.PRESENT
                || !seen.get().drbd().resource(disk.resource()).isEmpty()) {
            return false;
        }
        String tag = tag(desired.cluster().name());
        return seen.get().lvm().logicalVolume(storage.get().volumeGroup(), disk.resource())
                .filter(lv -> lv.tags().contains(tag)).isPresent();
    }

    /**
     * Plans bringing up the sides of a kept replicated disk that are down ({@link #comesUp}) on the nodes its mark
     * names; returns the attribute changes of the vm's change (one per side, "down -> up"), empty when all are up.
     */
    List<AttributeChange> bringUp(ObservedDomain domain, VmMetadata.Disk disk, NodeSpec node, String address,
                                  Diff.Builder diff) {
        List<AttributeChange> attributes = new ArrayList<>();
        for (String member : members(domain, node)) {
            if (!comesUp(desired, observed, member, disk)) {
                continue;
            }
            attributes.add(new AttributeChange("disk." + disk.name() + ".up." + member, "down", "up", Effect.LIVE));
            diff.step(member, Subjects.drbd(member, disk.resource()), List.of(), address, "bring up DRBD resource "
                    + disk.resource() + " on " + member + " (drbdadm adjust: its resource file and the metadata on its"
                    + " logical volume are there, nothing brought it up; nothing is overwritten)",
                    new StepPayload.DrbdUp(disk.resource()));
        }
        return attributes;
    }

    /**
     * What a replicated disk's size asks for, compared with its LVs and its device: nothing (sizes match, or its LVM
     * was not read or a node of it is gone from the manifest: reported elsewhere), a shrink (refused: DRBD and the
     * guest's file system would lose what lies past the new end) or a grow.
     *
     * @param members   the nodes of its pair, in name order
     * @param smallest  the smallest of its LVs
     * @param allocated the size LVM gives an LV of the manifest size (the largest over the pair)
     * @param device    its DRBD device's size on the vm's node, if read
     */
    record Resize(VmSpec vm, VmSpec.DiskSpec disk, VmMetadata.Disk existing, List<String> members, long smallest,
                  long allocated, Long device) {
        boolean shrinks() {
            return smallest > allocated;
        }

        /** The LVs are already large enough (an earlier apply stopped before the resource was grown). */
        boolean lvsLargeEnough() {
            return smallest >= disk.sizeBytes();
        }

        /** The size attribute of the vm's change; empty for a shrink, which is a problem instead. */
        Optional<AttributeChange> attribute() {
            if (shrinks()) {
                return Optional.empty();
            }
            return Optional.of(new AttributeChange("disk." + disk.name() + ".size", Sizes.format(lvsLargeEnough()
                    ? device : smallest), Sizes.format(disk.sizeBytes()), Effect.LIVE));
        }
    }

    /** The resize a kept replicated disk needs, if any. */
    Optional<Resize> resizeOf(VmSpec vm, VmSpec.DiskSpec disk, VmMetadata.Disk existing, ObservedDomain domain) {
        List<String> members = domain.metadata().pair().isEmpty() ? List.of(vm.node())
                : domain.metadata().pair().stream().sorted().toList();
        long smallest = Long.MAX_VALUE;
        long allocated = 0;
        for (String member : members) {
            Optional<NodeSpec> spec = desired.node(member);
            Optional<StorageSpec> storage = spec.flatMap(n -> n.storage(disk.storage()));
            Optional<NodeObservation> seen = observed.node(member);
            if (storage.isEmpty() || seen.isEmpty() || seen.get().lvm().availability() != Availability.PRESENT) {
                return Optional.empty(); // unread LVM or a node gone from the manifest: reported elsewhere
            }
            String volumeGroup = storage.get().volumeGroup();
            Optional<ObservedLvm.LogicalVolume> lv = seen.get().lvm().logicalVolume(volumeGroup, existing.resource());
            if (lv.isEmpty()) {
                return Optional.empty();
            }
            smallest = Math.min(smallest, lv.get().sizeBytes());
            allocated = Math.max(allocated, seen.get().lvm().volumeGroup(volumeGroup)
                    .map(g -> g.allocated(disk.sizeBytes())).orElse(disk.sizeBytes()));
        }
        Long device = observed.node(vm.node()).map(n -> n.drbd().deviceBytes().get(existing.minor())).orElse(null);
        Resize resize = new Resize(vm, disk, existing, members, smallest, allocated, device);
        if (!resize.shrinks() && resize.lvsLargeEnough()
                && (device == null || device >= smallest - metadataAllowance(smallest))) {
            return Optional.empty();
        }
        return Optional.of(resize);
    }

    /**
     * Plans a resize: a shrink is a problem; a grow grows the LV on both nodes (unless they already are), then the
     * resource (and the running vm's view of it, live).
     */
    void resize(Resize resize, ObservedDomain domain, String address, Diff.Builder diff) {
        VmSpec vm = resize.vm();
        VmSpec.DiskSpec disk = resize.disk();
        VmMetadata.Disk existing = resize.existing();
        if (resize.shrinks()) {
            diff.problem(PlanFinding.Code.DISK_SHRINK, PlanFinding.Subject.vm(vm.name(), vm.node()),
                    "vm " + vm.name() + " disk " + disk.name() + " is " + Sizes.format(resize.smallest())
                    + " but the manifest says " + Sizes.format(disk.sizeBytes()) + ": shrinking a disk is refused (the"
                    + " guest's data past the new end would be lost); set the size back to at least "
                    + Sizes.format(resize.smallest()));
            return;
        }
        boolean lvsLargeEnough = resize.lvsLargeEnough();
        List<String> grown = new ArrayList<>();
        for (String member : lvsLargeEnough ? List.<String>of() : resize.members()) {
            String volumeGroup = desired.node(member).orElseThrow().storage(disk.storage()).orElseThrow().volumeGroup();
            String lv = Subjects.logicalVolume(member, volumeGroup, existing.resource());
            grown.add(lv);
            diff.step(member, lv, List.of(), address, "grow logical volume " + volumeGroup + "/"
                    + existing.resource() + " to " + Sizes.format(disk.sizeBytes()), new StepPayload.GrowLv(volumeGroup,
                    existing.resource(), disk.sizeBytes(), tag(desired.cluster().name())));
        }
        boolean running = domain.active();
        long base = lvsLargeEnough ? resize.smallest() : resize.allocated();
        diff.step(vm.node(), Subjects.drbd(vm.node(), existing.resource()), grown, address,
                "grow DRBD resource " + existing.resource() + " (drbdadm resize; the new space is synced to the peer)"
                        + (running ? " and the running vm's disk " + existing.target() + " (live)" : ""),
                new StepPayload.GrowDrbd(existing.resource(), existing.minor(), vm.name(), existing.source(),
                        base - metadataAllowance(base)));
    }

    /**
     * The most DRBD's internal metadata can take at the end of a backing disk of this size: the bitmap (one bit per
     * 4 KiB), the activity log and the superblock (tens of KiB), with 1 MiB to spare. A device smaller than its disk by
     * more than this has not been resized to it.
     */
    static long metadataAllowance(long backingBytes) {
        return backingBytes / 32768 + (1L << 20);
    }

    /** The nodes a replicated disk's mark names (the domain's node alone when it names none), in name order. */
    private static List<String> members(ObservedDomain domain, NodeSpec node) {
        return domain.metadata().pair().isEmpty() ? List.of(node.name())
                : domain.metadata().pair().stream().sorted().toList();
    }

    /** The lvm storage a removed replicated disk lives on at a member, if the manifest still has both. */
    private Optional<StorageSpec> removableStorage(String member, VmMetadata.Disk disk) {
        return desired.node(member).flatMap(spec -> spec.storage(disk.storage()))
                .filter(storage -> storage.volumeGroup() != null);
    }

    /** The subjects of the DRBD sides of a replicated disk that {@link #delete} takes down. */
    List<String> sides(ObservedDomain domain, VmMetadata.Disk disk, NodeSpec node) {
        return members(domain, node).stream().filter(m -> removableStorage(m, disk).isPresent())
                .map(m -> Subjects.drbd(m, disk.resource())).toList();
    }

    /** Plans the deletion of a replicated disk's replicas on the nodes its mark names. */
    void delete(ObservedDomain domain, VmMetadata.Disk disk, NodeSpec node, String address, Diff.Builder diff) {
        String domainSubject = Subjects.domain(node.name(), domain.name());
        for (String member : members(domain, node)) {
            Optional<NodeSpec> spec = desired.node(member);
            if (spec.isEmpty()) {
                diff.problem(PlanFinding.Code.REPLICA_OUT_OF_REACH, PlanFinding.Subject.vm(domain.name(), node.name()),
                        "vm " + domain.name() + " disk " + disk.name() + " has a replica on node " + member
                        + ", which is not in the manifest; remove it there by hand");
                continue;
            }
            Optional<StorageSpec> storage = removableStorage(member, disk);
            if (storage.isEmpty()) {
                diff.problem(PlanFinding.Code.REPLICA_OUT_OF_REACH, PlanFinding.Subject.vm(domain.name(), node.name()),
                        "vm " + domain.name() + " disk " + disk.name() + " lives on lvm storage " + disk.storage()
                        + ", which node " + member + " no longer has in the manifest");
                continue;
            }
            String side = Subjects.drbd(member, disk.resource());
            String volumeGroup = storage.get().volumeGroup();
            diff.step(member, side, List.of(domainSubject), address, "take down and remove DRBD"
                    + " resource " + disk.resource() + " (destroys this replica)", new StepPayload.DeleteDrbd(
                    disk.resource(), spec.get().drbdConfigDirectory(), spec.get().stateDirectory()));
            diff.step(member, Subjects.logicalVolume(member, volumeGroup, disk.resource()),
                    List.of(side), address, "remove logical volume " + volumeGroup + "/" + disk.resource(),
                    new StepPayload.DeleteLv(volumeGroup, disk.resource(), tag(desired.cluster().name())));
        }
    }

    /**
     * Checks, with a problem for each failure, that both nodes of the pair can take a new replica: DRBD loaded, with
     * the same major version on both; the volume group present with room; no LV of that name that is not mcvirt's
     * (one that is mcvirt's is a replica an interrupted apply made: its steps find it and go on); the resource not
     * up already with another backing disk.
     */
    private boolean ready(VmSpec vm, VmSpec.DiskSpec disk, String resource, List<String> members, Diff.Builder diff) {
        boolean ok = true;
        Set<Integer> majors = new TreeSet<>();
        for (String member : members) {
            NodeObservation seen = observed.node(member).orElseThrow();
            String where = "vm " + vm.name() + " disk " + disk.name() + " on node " + member + ": ";
            int major = seen.drbd().kernelMajor();
            if (major != 8 && major != 9) {
                diff.problem(PlanFinding.Code.REPLICA_NOT_POSSIBLE, PlanFinding.Subject.vm(vm.name(), vm.node()), where + "DRBD is not available (" + seen.drbd().availability() + "; kernel module "
                        + (seen.drbd().kernelVersion() == null ? "not loaded" : seen.drbd().kernelVersion()) + ")");
                ok = false;
            } else {
                majors.add(major);
            }
            String volumeGroup = desired.node(member).orElseThrow().storage(disk.storage()).orElseThrow().volumeGroup();
            var lv = seen.lvm().logicalVolume(volumeGroup, resource);
            if (lv.isPresent() && !lv.get().tags().contains(tag(desired.cluster().name()))) {
                diff.problem(PlanFinding.Code.REPLICA_NOT_POSSIBLE, PlanFinding.Subject.vm(vm.name(), vm.node()), where + "logical volume " + volumeGroup + "/" + resource + " exists and is not mcvirt's"
                        + " (no tag " + tag(desired.cluster().name()) + "); mcvirt never uses or overwrites it");
                ok = false;
            } else if (lv.isEmpty()) {
                var group = seen.lvm().volumeGroup(volumeGroup);
                if (group.isEmpty()) {
                    diff.problem(PlanFinding.Code.REPLICA_NOT_POSSIBLE, PlanFinding.Subject.vm(vm.name(), vm.node()), where + "volume group " + volumeGroup + " does not exist");
                    ok = false;
                } else if (group.get().freeBytes() < disk.sizeBytes()) {
                    diff.problem(PlanFinding.Code.REPLICA_NOT_POSSIBLE, PlanFinding.Subject.vm(vm.name(), vm.node()), where + "volume group " + volumeGroup + " has " + Sizes.format(group.get().freeBytes())
                            + " free, less than the " + Sizes.format(disk.sizeBytes()) + " the disk needs");
                    ok = false;
                }
            }
            for (var up : seen.drbd().resource(resource)) {
                if (up.backingDisk() != null && !up.backingDisk().equals("/dev/" + volumeGroup + "/" + resource)) {
                    diff.problem(PlanFinding.Code.REPLICA_NOT_POSSIBLE, PlanFinding.Subject.vm(vm.name(), vm.node()), where + "DRBD resource " + resource + " is up on " + up.backingDisk()
                            + ", not on mcvirt's LV; take it down by hand");
                    ok = false;
                }
            }
        }
        if (majors.size() > 1) {
            diff.problem(PlanFinding.Code.REPLICA_NOT_POSSIBLE, PlanFinding.Subject.vm(vm.name(), vm.node()), "vm " + vm.name() + " disk " + disk.name() + ": the nodes of its pair run"
                    + " different DRBD"
                    + " versions (" + majors + "); a resource needs the same on both");
            ok = false;
        }
        return ok;
    }
}
