package org.mcvirt.manifest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file's content all at once: written to a new temporary file in the same directory (a random name,
 * created exclusively, so nothing prepared there in advance is followed or overwritten), given the mode, synced, then
 * renamed over the target. A target that is a symbolic link or not a regular file is refused before anything is
 * written: mcvirt writes only where it was pointed, never through a link. The rename replaces the directory entry,
 * so even a link put there meanwhile is replaced, not followed. Used for manifest edits and saved plans.
 */
public final class AtomicWrite {
    /** The mode of a new file: what a file created under the usual umask 022 gets. */
    public static final Set<PosixFilePermission> NEW_FILE = PosixFilePermissions.fromString("rw-r--r--");

    private AtomicWrite() {
    }

    /** Writes text to target; an existing target keeps its permissions, a new one gets newMode. */
    public static void replace(Path target, String text, Set<PosixFilePermission> newMode) throws IOException {
        if (Files.isSymbolicLink(target)) {
            throw new IOException(target + " is a symbolic link; mcvirt does not write through links (name the file"
                    + " it points to instead)");
        }
        boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        if (exists && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(target + " is not a regular file");
        }
        Set<PosixFilePermission> mode = exists ? Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS)
                : newMode;
        Path directory = target.toAbsolutePath().getParent();
        Path temporary = Files.createTempFile(directory, "." + target.getFileName() + ".", ".mcvirt-tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.setPosixFilePermissions(temporary, mode);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
