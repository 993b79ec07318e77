package org.mcvirt.node.ssh;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks shared by the transports for the path and mode arguments of file operations. */
final class FileModes {
    private static final Pattern OCTAL_MODE = Pattern.compile("0?[0-7]{3}");
    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };

    private FileModes() {
    }

    /** Accepts permission bits only, in octal: {@code 640} or {@code 0640} (no setuid, setgid or sticky bit). */
    static String requireOctal(String mode) {
        if (mode == null || !OCTAL_MODE.matcher(mode).matches()) {
            throw new IllegalArgumentException("file mode must be octal permission bits such as 0640, not " + mode);
        }
        return mode;
    }

    static Set<PosixFilePermission> permissions(String mode) {
        int bits = Integer.parseInt(requireOctal(mode), 8);
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < BITS.length; bit++) {
            if ((bits & (1 << bit)) != 0) {
                permissions.add(BITS[bit]);
            }
        }
        return permissions;
    }

    static String requireAbsolute(String path) {
        if (path == null || !path.startsWith("/") || path.endsWith("/") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("expected an absolute file path, not " + path);
        }
        return path;
    }
}
