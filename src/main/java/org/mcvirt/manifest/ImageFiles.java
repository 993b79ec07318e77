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
import java.util.HexFormat;
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
            ByteBuffer header = ByteBuffer.allocate(104);
            while (header.hasRemaining() && channel.read(header) > 0) {
                // read the header
            }
            header.flip();
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
        } catch (IOException e) {
            throw new UnusableImage("cannot be read: " + e.getMessage());
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
