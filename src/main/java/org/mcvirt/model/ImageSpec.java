package org.mcvirt.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A base image of the manifest ({@code images:}): a qcow2 or raw file on the machine that runs mcvirt, uploaded to the
 * file storage {@code storage} (default {@value #DEFAULT_STORAGE}) of each node that needs it, as the volume
 * {@link #volumeName()}. The name carries the first 12 hex digits of its SHA-256, so a new image under the same name is
 * a new volume, never an overwrite of one a linked clone may still read. virtualBytes and fileBytes are read from the
 * file when the manifest is loaded (the qcow2 header, or a raw file's length); declaredAt is its manifest location.
 */
public record ImageSpec(String name, String source, String sha256, Format format, String storage, long virtualBytes,
                        long fileBytes, @JsonIgnore String declaredAt) implements Uploaded {
    public static final String DEFAULT_STORAGE = "images";
    public static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ImageSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(storage, "storage");
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256: " + sha256);
        }
    }

    /** The volume that holds this image on a node: {@code image.NAME.SHA12.FORMAT} ('.' is in no manifest name). */
    @Override
    public String volumeName() {
        return "image." + name + "." + sha256.substring(0, 12) + "." + format.extension();
    }

    @Override
    public String what() {
        return "image";
    }

    @Override
    public ImageSpec withSizes(long virtual, long file) {
        return new ImageSpec(name, source, sha256, format, storage, virtual, file, declaredAt);
    }

    public enum Format {
        QCOW2, RAW;

        public String extension() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** libvirt's and qemu-img's name of the format. */
        public String libvirtName() {
            return extension();
        }
    }
}
