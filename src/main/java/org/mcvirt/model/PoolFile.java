package org.mcvirt.model;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file mcvirt keeps in a pool of its own, known by its volume name alone: a base image
 * ({@code image.NAME.SHA12.qcow2|raw}, {@link ImageSpec#volumeName}), an installer ISO ({@code iso.NAME.SHA12.iso},
 * {@link IsoSpec#volumeName}) or a vm's cloud-init seed ({@code seed.VM.SHA12.iso}, {@link CloudInitSeed#volumeName}).
 * name is the image's or ISO's manifest name, or the seed's vm; digest the 12 lowercase hex digits of the name (of the
 * file's SHA-256 for an image or ISO, of the seed's files for a seed); format the name's extension.
 */
public record PoolFile(Kind kind, String name, String digest, String format) {
    private static final String NAME = Names.NAME.pattern();
    private static final String DIGEST = "[0-9a-f]{12}";
    private static final Pattern VOLUME = Pattern.compile("(?<kind>image|iso|seed)\\.(?<name>" + NAME
            + ")\\.(?<digest>" + DIGEST + ")\\.(?<format>qcow2|raw|iso)");

    public PoolFile {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(format, "format");
        if (!Names.validName(name)) {
            throw new IllegalArgumentException("not a manifest name: " + name);
        }
        if (digest == null || !digest.matches(DIGEST)) {
            throw new IllegalArgumentException("not 12 lowercase hex digits: " + digest);
        }
        if (!kind.formats(format)) {
            throw new IllegalArgumentException("a " + kind.word() + " is not " + format);
        }
    }

    /**
     * The file a volume name is, or empty when the name is not exactly one of mcvirt's: a name of another tool, a
     * disk's volume, a file renamed by hand, a seed or ISO whose extension is not {@code .iso}, an image not
     * {@code .qcow2} or {@code .raw}, a digest not of 12 lowercase hex digits, a name that is no manifest name.
     */
    public static Optional<PoolFile> parse(String volumeName) {
        if (volumeName == null) {
            return Optional.empty();
        }
        Matcher m = VOLUME.matcher(volumeName);
        if (!m.matches()) {
            return Optional.empty();
        }
        Kind kind = Kind.valueOf(m.group("kind").toUpperCase(Locale.ROOT));
        String format = m.group("format");
        if (!kind.formats(format)) {
            return Optional.empty();
        }
        return Optional.of(new PoolFile(kind, m.group("name"), m.group("digest"), format));
    }

    /** The volume name this file has: what {@link #parse} reads. */
    public String volumeName() {
        return kind.word() + "." + name + "." + digest + "." + format;
    }

    public enum Kind {
        IMAGE, ISO, SEED;

        /** "image", "iso", "seed": the name's first part, and what info calls it. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean formats(String format) {
            return this == IMAGE ? format.equals("qcow2") || format.equals("raw") : format.equals("iso");
        }
    }
}
