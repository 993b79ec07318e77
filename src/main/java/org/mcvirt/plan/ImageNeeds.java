package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mcvirt.manifest.ImageFiles;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.ImageSpec;
import org.mcvirt.model.IsoSpec;
import org.mcvirt.model.Names;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.Uploaded;
import org.mcvirt.model.VmSpec;
import org.mcvirt.node.ImagePrimitives;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.ObservedPool.ObservedVolume;

/**
 * Which images and ISOs each node needs, and which of them it lacks: an image on a vm's node while a disk of that vm
 * is still to be made from it (a file disk's volume not in its pool; a replicated disk's vm defined on no node, or its
 * LV not there) and for as long as a linked clone reads it; an ISO on every node that may run a vm whose cdrom names
 * it. {@link ImageDiffer} plans what is lacking; the app asks each node for the first bytes of the http(s) URLs it is to
 * download ({@link #toDownload}) before planning, and {@link #resolved} gives those files their sizes.
 */
public final class ImageNeeds {
    private ImageNeeds() {
    }

    /** By node, the files it needs (keyed "image.NAME" or "iso.NAME"), in name order. */
    static Map<String, Map<String, Uploaded>> needed(DesiredState desired, ObservedState observed) {
        Map<String, Map<String, Uploaded>> needed = new TreeMap<>();
        for (VmSpec vm : desired.vms()) {
            var node = observed.node(vm.node()).filter(NodeObservation::reachable);
            for (VmSpec.DiskSpec disk : vm.disks()) {
                if (disk.image() == null || node.isEmpty() || desired.image(disk.image()).isEmpty()) {
                    continue;
                }
                if (!made(desired, observed, vm, disk, node.get()) || disk.linked()) {
                    ImageSpec image = desired.image(disk.image()).orElseThrow();
                    needed.computeIfAbsent(vm.node(), n -> new TreeMap<>()).put("image." + image.name(), image);
                }
            }
            if (vm.cdrom() != null && desired.iso(vm.cdrom()).isPresent()) {
                // on every node that may run the vm: a migration needs it there
                IsoSpec iso = desired.iso(vm.cdrom()).orElseThrow();
                for (String member : vm.pair().isEmpty() ? List.of(vm.node()) : vm.pair()) {
                    needed.computeIfAbsent(member, n -> new TreeMap<>()).put("iso." + iso.name(), iso);
                }
            }
        }
        return needed;
    }

    /** Whether the disk exists, so that no image is written onto it or copied into it again. */
    static boolean made(DesiredState desired, ObservedState observed, VmSpec vm, VmSpec.DiskSpec disk,
                        NodeObservation node) {
        if (disk.replicated()) {
            // written onto the DRBD device while the disk is planned new (Replicas.create): the vm defined on no node,
            // or its backing LV not there yet
            String volumeGroup = desired.node(vm.node()).flatMap(n -> n.storage(disk.storage()))
                    .map(StorageSpec::volumeGroup).orElse("?");
            boolean defined = observed.nodes().stream().anyMatch(n -> n.reachable()
                    && n.domain(vm.name()).isPresent());
            return defined && node.lvm().logicalVolume(volumeGroup,
                    Names.drbdResource(vm.name(), disk.name())).isPresent();
        }
        return node.pool(Names.poolName(desired.cluster().name(), disk.storage()))
                .flatMap(p -> p.volume(Names.volumeName(vm.name(), disk.name()))).isPresent();
    }

    /** The volume of file on node, when the node's pool of its storage has it. */
    static Optional<ObservedVolume> volume(DesiredState desired, NodeObservation node, Uploaded file) {
        return desired.node(node.node()).flatMap(n -> n.storage(file.storage()))
                .map(s -> Names.poolName(desired.cluster().name(), s.name()))
                .flatMap(node::pool).flatMap(p -> p.volume(file.volumeName()));
    }

    /**
     * By read node, the http(s) URLs of the files it needs and does not have: what it is asked about before planning.
     * Needs are those of the vms where the plan places them (a vm whose home is in maintenance or offline runs on its
     * pair's other node, {@link Homes}), so only the node that would download a file is asked.
     */
    public static Map<String, List<String>> toDownload(DesiredState desired, ObservedState observed) {
        DesiredState placed = Homes.of(desired, Planner.Options.all()).effective();
        Map<String, List<String>> urls = new TreeMap<>();
        needed(placed, observed).forEach((name, files) -> observed.node(name).filter(NodeObservation::reachable)
                .ifPresent(node -> {
                    for (Uploaded file : files.values()) {
                        if (file.remote() && volume(placed, node, file).isEmpty()) {
                            urls.computeIfAbsent(name, n -> new ArrayList<>()).add(file.source());
                        }
                    }
                }));
        return urls;
    }

    /**
     * The desired state with the sizes of its http(s) files as far as they are known: from a node's answer to the
     * probe of the URL, else from a node's copy (libvirt's capacity: a qcow2's virtual size). A file whose sizes stay
     * unknown keeps 0.
     */
    static DesiredState resolved(DesiredState desired, ObservedState observed) {
        if (desired.images().stream().noneMatch(Uploaded::remote) && desired.isos().stream().noneMatch(Uploaded::remote)) {
            return desired;
        }
        List<ImageSpec> images = desired.images().stream().map(i -> i.remote() ? (ImageSpec) sized(desired, observed, i)
                : i).toList();
        List<IsoSpec> isos = desired.isos().stream().map(i -> i.remote() ? (IsoSpec) sized(desired, observed, i)
                : i).toList();
        return new DesiredState(desired.cluster(), desired.nodes(), desired.networks(), desired.vms(), images, isos);
    }

    private static Uploaded sized(DesiredState desired, ObservedState observed, Uploaded file) {
        for (NodeObservation node : observed.nodes()) {
            Optional<ImageFiles.Sizes> sizes = sizes(file, node.probes().get(file.source()));
            if (sizes.isPresent()) {
                return file.withSizes(sizes.get().virtualBytes(), sizes.get().fileBytes());
            }
        }
        for (NodeObservation node : observed.nodes()) {
            Optional<ObservedVolume> copy = node.reachable() ? volume(desired, node, file) : Optional.empty();
            if (copy.isPresent() && copy.get().capacityBytes() > 0) {
                long capacity = copy.get().capacityBytes();
                return file.withSizes(capacity, file instanceof ImageSpec i && i.format() == ImageSpec.Format.QCOW2
                        ? 0 : capacity);
            }
        }
        return file;
    }

    /** The sizes a probe tells, when it succeeded and the start is a usable image. */
    static Optional<ImageFiles.Sizes> sizes(Uploaded file, ImagePrimitives.Probe probe) {
        if (probe == null || !probe.ok() || format(file) == ImageSpec.Format.RAW && probe.length() < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(ImageFiles.inspect(probe.start(), probe.length(), format(file)));
        } catch (ImageFiles.UnusableImage e) {
            return Optional.empty();
        }
    }

    /** Why a node cannot download file, from its probe's answer; null when it can (or was not asked). */
    static String probeProblem(Uploaded file, String node, ImagePrimitives.Probe probe) {
        if (probe == null) {
            return null;
        }
        String prefix = file.declaredAt() + ": " + file.what() + " '" + file.name() + "': node " + node;
        if (!probe.ok()) {
            return prefix + " cannot download " + file.source() + ": " + probe.error() + "; nothing is downloaded";
        }
        if (format(file) == ImageSpec.Format.RAW && probe.length() < 0) {
            return null; // the server does not say how long: known when downloaded
        }
        try {
            ImageFiles.inspect(probe.start(), probe.length(), format(file));
            return null;
        } catch (ImageFiles.UnusableImage e) {
            return prefix + ": " + file.source() + " " + e.getMessage() + "; nothing is downloaded";
        }
    }

    private static ImageSpec.Format format(Uploaded file) {
        return file instanceof ImageSpec image ? image.format() : ImageSpec.Format.RAW;
    }
}
