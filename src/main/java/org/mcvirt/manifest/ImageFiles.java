package org.mcvirt.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.mcvirt.model.ImageSpec;

/**
 * What a base image file on this machine is, read without qemu-img (QEMU's docs/interop/qcow2.txt): a qcow2's virtual
 * size is the big-endian u64 at byte 24 after the magic {@code QFI\xfb}; one with a backing file (offset at byte 8)
 * or an external data file (incompatible feature bit 2 of a version 3 header) is refused, since qemu-img on the node
 * would then read some other file (CVE-2024-4467). A raw image's virtual size is its length.
 */
public final class ImageFiles {
    private static final int QCOW2_MAGIC = 0x514649fb;
    private static final long EXTERNAL_DATA_FILE = 1L << 2;

    private ImageFiles() {
    }

    /** The sizes of a readable image. */
    public record Sizes(long virtualBytes, long fileBytes) {
    }

    /** Thrown with the reason an image file cannot be used, phrased to follow "source 'PATH' ". */
    public static final class UnusableImage extends Exception {
        UnusableImage(String message) {
            super(message);
        }
    }

    /** How many bytes of a qcow2 file its checks read: the version 3 header up to its incompatible features. */
    public static final int HEADER_BYTES = 104;

    /**
     * The sizes of an image of which only the first bytes are known (a URL's, as a node fetched them) and its whole
     * length.
     */
    public static Sizes inspect(byte[] start, long length, ImageSpec.Format format) throws UnusableImage {
        if (format == ImageSpec.Format.RAW) {
            if (length <= 0) {
                throw new UnusableImage("is empty");
            }
            return new Sizes(length, length);
        }
        return qcow2(ByteBuffer.wrap(start, 0, Math.min(start.length, HEADER_BYTES)).slice(), length);
    }

    private static Sizes qcow2(ByteBuffer header, long length) throws UnusableImage {
        if (header.remaining() < 32 || header.getInt(0) != QCOW2_MAGIC) {
            throw new UnusableImage("is not a qcow2 image (no QFI\\xfb magic); say 'format: raw' for a raw one");
        }
        int version = header.getInt(4);
        if (header.getLong(8) != 0) {
            throw new UnusableImage("is a qcow2 image with a backing file; give a self-contained image"
                    + " (qemu-img convert -O qcow2 IN OUT)");
        }
        if (version >= 3 && header.remaining() >= 80 && (header.getLong(72) & EXTERNAL_DATA_FILE) != 0) {
            throw new UnusableImage("is a qcow2 image with an external data file; give a self-contained image");
        }
        long virtual = header.getLong(24);
        if (virtual <= 0) {
            throw new UnusableImage("is a qcow2 image with no virtual size");
        }
        return new Sizes(virtual, length);
    }

    public static Sizes inspect(Path file, ImageSpec.Format format) throws UnusableImage {
        if (!Files.isRegularFile(file)) {
            throw new UnusableImage(Files.exists(file) ? "is not a regular file" : "does not exist");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = channel.size();
            if (format == ImageSpec.Format.RAW) {
                if (length == 0) {
                    throw new UnusableImage("is empty");
                }
                return new Sizes(length, length);
            }
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            while (header.hasRemaining() && channel.read(header) > 0) {
                // read the header
            }
            header.flip();
            return qcow2(header, length);
        } catch (IOException e) {
            throw new UnusableImage("cannot be read: " + e.getMessage());
        }
    }

    /**
     * The SHA-256 of a file, remembered between runs in the user's cache ({@code $XDG_CACHE_HOME/mcvirt} or
     * {@code ~/.cache/mcvirt}, files 0600) under the file's device, inode, size, modification and change times: a file
     * written since, even with its modification time put back, has a new change time and is read again. (The JVM of
     * the mcvirt script compiles with C1 only, which hashes a 150 MiB image in about 1.2 s; the node checks every
     * upload against the manifest's SHA-256 in any case.) A cache that cannot be read or written is ignored.
     */
    public static String sha256Remembered(Path file) throws IOException {
        Path cache = cacheDirectory().resolve("sha256");
        String key;
        try {
            Map<String, Object> attributes = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
            key = HexFormat.of().formatHex(sha256Bytes((file.toAbsolutePath().normalize() + "|" + attributes.get("dev")
                    + "|" + attributes.get("ino") + "|" + attributes.get("size") + "|"
                    + ((FileTime) attributes.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS) + "|"
                    + ((FileTime) attributes.get("ctime")).to(TimeUnit.NANOSECONDS)).getBytes(StandardCharsets.UTF_8)));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return sha256(file);
        }
        Path remembered = cache.resolve(key);
        try {
            String hex = Files.readString(remembered, StandardCharsets.US_ASCII).strip();
            if (hex.matches("[0-9a-f]{64}")) {
                return hex;
            }
        } catch (IOException e) {
            // not remembered
        }
        String hex = sha256(file);
        try {
            Files.createDirectories(cache, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
            Path temporary = Files.createTempFile(cache, ".sha256", ".tmp");
            Files.writeString(temporary, hex + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, remembered, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            // an unwritable cache costs the hash next time, nothing else
        }
        return hex;
    }

    private static Path cacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("mcvirt");
    }

    private static byte[] sha256Bytes(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SHA-256 of a file's bytes, in lower-case hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
