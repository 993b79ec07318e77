package org.mcvirt.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/**
 * An installer ISO of the manifest ({@code isos:}): a file on the machine that runs mcvirt, uploaded like an image
 * to the file storage {@code storage} (default {@value ImageSpec#DEFAULT_STORAGE}) of every node that may run a vm
 * whose {@code cdrom} names it, as {@link #volumeName()}.
 */
public record IsoSpec(String name, String source, String sha256, String storage, long fileBytes,
                      @JsonIgnore String declaredAt) implements Uploaded {
    public IsoSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(storage, "storage");
        if (!ImageSpec.SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256: " + sha256);
        }
    }

    /** {@code iso.NAME.SHA12.iso}: a new file under the same name is a new volume. */
    @Override
    public String volumeName() {
        return "iso." + name + "." + sha256.substring(0, 12) + ".iso";
    }

    @Override
    public String what() {
        return "ISO";
    }

    @Override
    public IsoSpec withSizes(long virtual, long file) {
        return new IsoSpec(name, source, sha256, storage, file, declaredAt);
    }
}
