package org.mcvirt.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * mcvirt's ownership mark on a libvirt domain, stored as a {@code <metadata>} element in mcvirt's XML
 * namespace. A domain without it is unmanaged: listed, never touched.
 */
public record VmMetadata(String cluster, String name, boolean protect, List<Disk> disks, List<String> pair) {
    public VmMetadata {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(name, "name");
        disks = List.copyOf(disks);
        pair = pair == null ? List.of() : List.copyOf(pair);
    }

    /** A vm without replicated disks. */
    public VmMetadata(String cluster, String name, boolean protect, List<Disk> disks) {
        this(cluster, name, protect, disks, List.of());
    }

    /**
     * A disk mcvirt created for the domain: which manifest disk it is and where its volume lives. A replicated disk
     * also records its DRBD resource, minor and port (the same on both nodes), so every later plan agrees on them
     * without a state file; they are null for a file disk. image: the image the disk was made from, recorded when
     * mcvirt created the disk from one; null when it was made empty, or by a build that did not record images, or
     * adopted (then which image, if any, is not known). Left out of JSON when null, so the fingerprint of a state
     * whose marks record no image is what it was before images were recorded.
     */
    public record Disk(String name, String storage, String target, String source, String resource, Integer minor,
                       Integer port, @JsonInclude(JsonInclude.Include.NON_NULL) Image image) {
        public Disk {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(storage, "storage");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(source, "source");
        }

        /** A disk without a recorded image. */
        public Disk(String name, String storage, String target, String source, String resource, Integer minor,
                    Integer port) {
            this(name, storage, target, source, resource, minor, port, null);
        }

        /** A file disk. */
        public Disk(String name, String storage, String target, String source) {
            this(name, storage, target, source, null, null, null);
        }

        public boolean replicated() {
            return resource != null;
        }

        /** This disk recording image (null: none). */
        public Disk withImage(Image image) {
            return new Disk(name, storage, target, source, resource, minor, port, image);
        }
    }

    /**
     * The image a disk was made from, as the mark records it: the image's manifest name and the first 12 hex digits of
     * its SHA-256 (attributes {@code image} and {@code image-sha256} of {@code mcvirt:disk}). Read back from a node the
     * values are whatever the mark says; {@code plan.DomainMarks} checks them before use.
     */
    public record Image(String name, String sha256) {
        public Image {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256, "sha256");
        }

        /** What a disk made from this manifest image records. */
        public static Image of(ImageSpec image) {
            return new Image(image.name(), image.sha256().substring(0, 12));
        }

        /** For people: {@code NAME (SHA12)}. */
        public String describe() {
            return name + " (" + sha256 + ")";
        }
    }
}
