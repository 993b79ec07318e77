package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.ImageSpec;

/**
 * ImageFiles: a qcow2's virtual size read from its header (hand-built headers, and real files from qemu-img when it is
 * installed), self-contained images only (no backing file, no external data file), raw files by their length, and
 * the SHA-256 of a file.
 */
class ImageFilesTest {
    private static final int HEADER = 104;

    /** A qcow2 version 2 or 3 header alone (QEMU's docs/interop/qcow2.txt), big-endian as the format says. */
    private static Path qcow2(Path dir, String name, int version, long backingOffset, long virtualBytes,
                              long incompatibleFeatures) throws Exception {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.putInt(0, 0x514649fb);
        header.putInt(4, version);
        header.putLong(8, backingOffset);
        header.putInt(16, backingOffset == 0 ? 0 : 9); // backing_file_size
        header.putInt(20, 16); // cluster_bits: 64 KiB clusters
        header.putLong(24, virtualBytes);
        header.putLong(72, incompatibleFeatures);
        header.putInt(96, 4); // refcount_order
        header.putInt(100, HEADER); // header_length
        Path file = dir.resolve(name);
        Files.write(file, header.array());
        return file;
    }

    private static String refusal(Path file, ImageSpec.Format format) {
        ImageFiles.UnusableImage e = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> ImageFiles.inspect(file, format), ImageFiles.UnusableImage.class);
        assertThat(e).as("inspect accepted " + file).isNotNull();
        return e.getMessage();
    }

    @Test
    void aQcow2sVirtualSizeIsReadFromItsHeaderAndItsFileSizeIsItsLength(@TempDir Path dir) throws Exception {
        long virtual = (5L << 30) + (3L << 20); // 5 GiB 3 MiB: both halves of the u64 matter
        Path v3 = qcow2(dir, "v3.qcow2", 3, 0, virtual, 0);
        assertThat(ImageFiles.inspect(v3, ImageSpec.Format.QCOW2)).isEqualTo(new ImageFiles.Sizes(virtual, HEADER));
        Path v2 = qcow2(dir, "v2.qcow2", 2, 0, 1L << 20, 0);
        Files.write(v2, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
        assertThat(ImageFiles.inspect(v2, ImageSpec.Format.QCOW2))
                .isEqualTo(new ImageFiles.Sizes(1L << 20, HEADER + 4096));
        // the default format of the manifest is qcow2: a qcow2 read as raw is just bytes of its length
        assertThat(ImageFiles.inspect(v3, ImageSpec.Format.RAW)).isEqualTo(new ImageFiles.Sizes(HEADER, HEADER));
    }

    @Test
    void aQcow2WithABackingFileIsRefused(@TempDir Path dir) throws Exception {
        Path overlay = qcow2(dir, "overlay.qcow2", 3, HEADER, 1L << 20, 0);
        assertThat(refusal(overlay, ImageSpec.Format.QCOW2)).isEqualTo("is a qcow2 image with a backing file; give a"
                + " self-contained image (qemu-img convert -O qcow2 IN OUT)");
        Path v2 = qcow2(dir, "overlay2.qcow2", 2, 0x10000, 1L << 20, 0);
        assertThat(refusal(v2, ImageSpec.Format.QCOW2)).startsWith("is a qcow2 image with a backing file");
    }

    @Test
    void aVersion3Qcow2WithAnExternalDataFileIsRefusedButOtherFeatureBitsAreNot(@TempDir Path dir) throws Exception {
        Path external = qcow2(dir, "external.qcow2", 3, 0, 1L << 20, 1L << 2);
        assertThat(refusal(external, ImageSpec.Format.QCOW2))
                .isEqualTo("is a qcow2 image with an external data file; give a self-contained image");
        Path alsoDirty = qcow2(dir, "dirty-external.qcow2", 3, 0, 1L << 20, (1L << 2) | 1L);
        assertThat(refusal(alsoDirty, ImageSpec.Format.QCOW2)).contains("external data file");
        // dirty (bit 0) and compression type (bit 3) are not an external data file
        Path dirty = qcow2(dir, "dirty.qcow2", 3, 0, 2L << 20, 1L | (1L << 3));
        assertThat(ImageFiles.inspect(dirty, ImageSpec.Format.QCOW2).virtualBytes()).isEqualTo(2L << 20);
        // a version 2 header has no incompatible_features field: byte 72 on is not read as one
        Path v2 = qcow2(dir, "v2.qcow2", 2, 0, 2L << 20, 1L << 2);
        assertThat(ImageFiles.inspect(v2, ImageSpec.Format.QCOW2).virtualBytes()).isEqualTo(2L << 20);
    }

    @Test
    void aQcow2WithNoVirtualSizeOrATruncatedHeaderIsRefused(@TempDir Path dir) throws Exception {
        assertThat(refusal(qcow2(dir, "zero.qcow2", 3, 0, 0, 0), ImageSpec.Format.QCOW2))
                .isEqualTo("is a qcow2 image with no virtual size");
        Path truncated = dir.resolve("truncated.qcow2");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(qcow2(dir, "whole.qcow2", 3, 0, 1L << 20, 0)), 20));
        assertThat(refusal(truncated, ImageSpec.Format.QCOW2)).startsWith("is not a qcow2 image");
    }

    @Test
    void aRawImagesVirtualSizeIsItsLength(@TempDir Path dir) throws Exception {
        Path raw = dir.resolve("disk.raw");
        Files.write(raw, new byte[12345]);
        assertThat(ImageFiles.inspect(raw, ImageSpec.Format.RAW)).isEqualTo(new ImageFiles.Sizes(12345, 12345));
    }

    @Test
    void anEmptyRawFileAMissingFileADirectoryAndANonQcow2FileAreRefusedWithAClearMessage(@TempDir Path dir)
            throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.raw"));
        assertThat(refusal(empty, ImageSpec.Format.RAW)).isEqualTo("is empty");
        assertThat(refusal(dir.resolve("absent.qcow2"), ImageSpec.Format.QCOW2)).isEqualTo("does not exist");
        assertThat(refusal(dir.resolve("absent.raw"), ImageSpec.Format.RAW)).isEqualTo("does not exist");
        assertThat(refusal(dir, ImageSpec.Format.QCOW2)).isEqualTo("is not a regular file");
        Path text = dir.resolve("disk.img");
        Files.writeString(text, "this is no qcow2 image, but it is long enough to hold a header of one; ".repeat(3));
        assertThat(refusal(text, ImageSpec.Format.QCOW2))
                .isEqualTo("is not a qcow2 image (no QFI\\xfb magic); say 'format: raw' for a raw one");
        assertThat(refusal(empty, ImageSpec.Format.QCOW2)).startsWith("is not a qcow2 image");
    }

    @Test
    void sha256IsTheLowerCaseHexOfTheFilesBytes(@TempDir Path dir) throws Exception {
        Path abc = dir.resolve("abc");
        Files.writeString(abc, "abc", StandardCharsets.US_ASCII);
        assertThat(ImageFiles.sha256(abc)).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        Path empty = Files.createFile(dir.resolve("empty"));
        assertThat(ImageFiles.sha256(empty)).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        // more than the 1 MiB read buffer: 3 MiB of 'a' (sha256sum's answer)
        byte[] many = new byte[3 << 20];
        Arrays.fill(many, (byte) 'a');
        Path large = dir.resolve("large");
        Files.write(large, many);
        assertThat(ImageFiles.sha256(large)).isEqualTo("6f850bc94ae6f7de14297c01616c36d712d22864497b28a63b81d776b035e656");
    }

    /** Tagged tools: it runs qemu-img (package qemu-utils, which .ci/install installs). */
    @Test
    @org.junit.jupiter.api.Tag("tools")
    void realQcow2FilesFromQemuImgAgree(@TempDir Path dir) throws Exception {
        org.mcvirt.testing.Programs.require("qemu-img", "qemu-utils");
        Path base = dir.resolve("base.qcow2");
        qemuImg(dir, "create", "-f", "qcow2", base.toString(), "3M");
        ImageFiles.Sizes sizes = ImageFiles.inspect(base, ImageSpec.Format.QCOW2);
        assertThat(sizes.virtualBytes()).isEqualTo(3L << 20);
        assertThat(sizes.fileBytes()).isEqualTo(Files.size(base));

        Path overlay = dir.resolve("overlay.qcow2");
        qemuImg(dir, "create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", overlay.toString());
        assertThat(refusal(overlay, ImageSpec.Format.QCOW2)).startsWith("is a qcow2 image with a backing file");

        Path external = dir.resolve("external.qcow2");
        qemuImg(dir, "create", "-f", "qcow2", "-o", "data_file=" + dir.resolve("external.raw"), external.toString(),
                "3M");
        assertThat(refusal(external, ImageSpec.Format.QCOW2)).startsWith("is a qcow2 image with an external data file");

        Path raw = dir.resolve("disk.raw");
        qemuImg(dir, "create", "-f", "raw", raw.toString(), "2M");
        assertThat(ImageFiles.inspect(raw, ImageSpec.Format.RAW)).isEqualTo(new ImageFiles.Sizes(2L << 20, 2L << 20));
        assertThat(refusal(raw, ImageSpec.Format.QCOW2)).startsWith("is not a qcow2 image");
    }

    private static void qemuImg(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("qemu-img"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("qemu-img finished").isTrue();
        assertThat(process.exitValue()).as("qemu-img " + String.join(" ", args) + ": " + output).isZero();
    }

    /** The remembered SHA-256: the same answer, and a file rewritten with its old modification time is read again. */
    @Test
    void aRememberedSha256IsReadAgainWhenTheFileChangesEvenWithItsOldModificationTime(@TempDir Path dir)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("XDG_CACHE_HOME") == null, "XDG_CACHE_HOME is set");
        String home = System.getProperty("user.home");
        System.setProperty("user.home", dir.resolve("home").toString());
        try {
            Path file = dir.resolve("f");
            Files.writeString(file, "abc");
            java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(file);
            String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
            assertThat(ImageFiles.sha256Remembered(file)).isEqualTo(abc);
            assertThat(ImageFiles.sha256Remembered(file)).isEqualTo(abc);
            Path cache = dir.resolve("home/.cache/mcvirt/sha256");
            try (var remembered = Files.list(cache)) {
                assertThat(remembered.toList()).singleElement().satisfies(f -> assertThat(Files.readString(f))
                        .isEqualTo(abc + "\n"));
            }
            Thread.sleep(20); // a change time the file system can tell apart
            Files.writeString(file, "abd");
            Files.setLastModifiedTime(file, modified);
            assertThat(ImageFiles.sha256Remembered(file)).isEqualTo(ImageFiles.sha256(file)).isNotEqualTo(abc);
        } finally {
            System.setProperty("user.home", home);
        }
    }
}
