package org.mcvirt.plan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.mcvirt.manifest.ImageFiles;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.ImageSpec;
import org.mcvirt.model.IsoSpec;
import org.mcvirt.model.Uploaded;
import org.mcvirt.model.Names;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.state.ObservedState;

/**
 * Base images on the nodes: an image is needed on a vm's node while a disk of that vm is still to be made from it
 * (its volume is not in its pool) and for as long as a linked clone reads it. A needed image that the node's image
 * pool does not have is uploaded ({@link StepKind#UPLOAD_IMAGE}). Its volume is named by its SHA-256
 * ({@link ImageSpec#volumeName}), so what a node has is known from the pool's listing, and the node's copy is checked
 * against the SHA-256 when it arrives and before each use.
 *
 * <p>The one thing this differ reads besides the states: the SHA-256 of an image's source on this machine, when an
 * upload of it is planned (a wrong one is an {@link PlanFinding.Code#IMAGE_SOURCE} problem naming the manifest's
 * file:line), remembered between runs by the file's identity and times ({@link ImageFiles#sha256Remembered}).
 */
final class ImageDiffer implements ResourceDiffer {
    private final Renderer renderer;

    ImageDiffer(Renderer renderer) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    @Override
    public Diff diff(DesiredState desired, ObservedState observed, Planner.Options options) {
        if (desired.images().isEmpty() && desired.isos().isEmpty() || !options.includesInfrastructure()) {
            return Diff.EMPTY;
        }
        Diff.Builder diff = new Diff.Builder();
        Map<String, Map<String, Uploaded>> needed = ImageNeeds.needed(desired, observed);
        tooLarge(desired, observed, diff);
        for (ReadNode node : ResourceDiffer.readNodes(desired, observed)) {
            changed(desired, node, diff);
            for (Uploaded file : needed.getOrDefault(node.name(), new TreeMap<>()).values()) {
                StorageSpec storage = node.spec().storage(file.storage()).orElseThrow();
                String pool = Names.poolName(desired.cluster().name(), storage.name());
                if (node.observation().pool(pool).flatMap(p -> p.volume(file.volumeName())).isPresent()) {
                    continue;
                }
                String kind = file instanceof IsoSpec ? "iso" : "image";
                String address = kind + "." + file.name() + "@" + node.name();
                String problem = file.remote()
                        ? ImageNeeds.probeProblem(file, node.name(), node.observation().probes().get(file.source()))
                        : sourceProblem(file);
                if (problem != null) {
                    diff.problem(PlanFinding.Code.IMAGE_SOURCE, PlanFinding.Subject.node(node.name()), problem);
                    continue;
                }
                String verb = file.remote() ? "downloaded by the node" : "to upload";
                String length = file.fileBytes() > 0 ? Sizes.format(file.fileBytes()) + " " + verb : verb;
                String size = file instanceof ImageSpec image ? length + ", "
                        + (image.virtualBytes() > 0 ? Sizes.format(image.virtualBytes()) : "?") + " virtual, "
                        + image.format().extension() : length;
                diff.change(new ResourceChange(address, ChangeKind.IMAGE, file.name(), node.name(), Action.CREATE,
                        file.remote() ? List.of(new AttributeChange("source", null, file.source(), Effect.LIVE),
                                new AttributeChange("sha256", null, file.sha256(), Effect.LIVE),
                                new AttributeChange("size", null, size, Effect.LIVE))
                                : List.of(new AttributeChange("sha256", null, file.sha256(), Effect.LIVE),
                                new AttributeChange("size", null, size, Effect.LIVE)),
                        file.what() + " is not on the node"));
                String description = file.remote()
                        ? "download " + file.what() + " " + file.name() + " from " + file.source() + " on node "
                        + node.name() + " into pool " + pool + " as " + file.volumeName()
                        : "upload " + file.what() + " " + file.name() + " (" + Sizes.format(file.fileBytes())
                        + ") to pool " + pool + " as " + file.volumeName();
                diff.step(node.name(), Subjects.volume(node.name(), pool, file.volumeName()),
                        List.of(Subjects.pool(node.name(), pool)), address, description,
                        new StepPayload.UploadImage(pool, file.volumeName(), renderer.volume(Views.imageVolume(file)),
                                file.source(), file.sha256(), storage.path() + "/" + file.volumeName()));
            }
        }
        return diff.build();
    }

    /**
     * An image or ISO of the manifest on the node whose size is not what was uploaded (libvirt probes a qcow2's
     * virtual size): it changed there. A warning, which drift reports: its SHA-256 is checked before each use anyway.
     */
    private static void changed(DesiredState desired, ReadNode node, Diff.Builder diff) {
        List<Uploaded> files = new java.util.ArrayList<>(desired.images());
        files.addAll(desired.isos());
        for (Uploaded file : files) {
            if (file.remote()) {
                continue; // its sizes were learnt from the node's copy or a probe, not from a file here
            }
            long expected = file instanceof ImageSpec image ? image.virtualBytes() : file.fileBytes();
            node.spec().storage(file.storage()).map(s -> Names.poolName(desired.cluster().name(), s.name()))
                    .flatMap(pool -> node.observation().pool(pool)).flatMap(p -> p.volume(file.volumeName()))
                    .filter(v -> v.capacityBytes() != expected)
                    .ifPresent(v -> diff.problem(PlanFinding.Code.IMAGE_CHANGED, PlanFinding.Subject.node(node.name()),
                            file.what() + " '" + file.name() + "' on node " + node.name() + " (" + v.path() + ") is "
                            + v.capacityBytes() + " bytes, not the " + expected + " uploaded: it changed on the node;"
                            + " nothing is made from it while its SHA-256 differs (delete the volume, and an apply"
                            + " uploads it again)"));
        }
    }

    /**
     * A disk to be made from an image given by URL, whose size the manifest loader could not compare with the image's:
     * smaller than the image's virtual size as the node's probe or a copy tells, it is a problem (a local image's is
     * an error when the manifest is loaded; a replicated disk's fit is Replicas', which knows DRBD's metadata). When
     * nothing tells the size (no node was asked, or a raw file's server gives no length), nothing is made from it:
     * neither check could be made.
     */
    private static void tooLarge(DesiredState desired, ObservedState observed, Diff.Builder diff) {
        for (VmSpec vm : desired.vms()) {
            var node = observed.node(vm.node()).filter(n -> n.reachable());
            for (VmSpec.DiskSpec disk : vm.disks()) {
                ImageSpec image = disk.image() == null ? null : desired.image(disk.image()).orElse(null);
                if (image == null || !image.remote() || node.isEmpty()
                        || ImageNeeds.made(desired, observed, vm, disk, node.get())) {
                    continue;
                }
                if (image.virtualBytes() <= 0) {
                    var probe = node.get().probes().get(image.source());
                    if (ImageNeeds.probeProblem(image, vm.node(), probe) != null) {
                        continue; // the download's own problem says why
                    }
                    diff.problem(PlanFinding.Code.IMAGE_SOURCE, PlanFinding.Subject.vm(vm.name(), vm.node()),
                            image.declaredAt() + ": image '" + image.name() + "': its size is not known ("
                            + (probe == null ? "node " + vm.node() + " was not asked about " + image.source()
                            : image.source() + " does not say how long it is") + "), so disk '" + disk.name()
                            + "' of vm '" + vm.name() + "' cannot be checked against it; nothing is made from it");
                    continue;
                }
                if (disk.replicated() || disk.sizeBytes() >= image.virtualBytes()) {
                    continue;
                }
                diff.problem(PlanFinding.Code.IMAGE_TOO_LARGE, PlanFinding.Subject.vm(vm.name(), vm.node()),
                        image.declaredAt() + ": disk '" + disk.name() + "' of vm '" + vm.name() + "' is "
                        + Sizes.format(disk.sizeBytes()) + ", smaller than image '" + image.name() + "' ("
                        + image.virtualBytes() + " bytes, " + Sizes.format(image.virtualBytes()) + ", its virtual"
                        + " size as a node found it); a disk may be larger than its image, never smaller");
            }
        }
    }

    /** Why the image's source cannot be uploaded as the manifest says, or null. */
    private static String sourceProblem(Uploaded image) {
        Path source = Path.of(image.source());
        String actual;
        try {
            actual = ImageFiles.sha256Remembered(source);
        } catch (IOException e) {
            return image.declaredAt() + ": " + image.what() + " '" + image.name() + "': cannot read its source "
                    + source + ": " + e.getMessage();
        }
        if (!actual.equals(image.sha256())) {
            return image.declaredAt() + ": " + image.what() + " '" + image.name() + "': its source " + source
                    + " has SHA-256 "
                    + actual + ", not " + image.sha256() + " as the manifest says; nothing is uploaded";
        }
        return null;
    }
}
