package org.mcvirt.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The programs that tagged tests start (tags "tools", "sshd", "drbd"; README, "Test tiers"). A tagged test needs its
 * program: where it is missing the test fails, naming it, instead of passing without checking (.ci/install installs
 * every one; the fast tier, ./run-tests --fast, leaves tagged tests out).
 */
public final class Programs {
    private Programs() {
    }

    /** Where program is on the PATH, or in /usr/sbin or /sbin; fails naming the package when it is nowhere. */
    public static Path require(String program, String debianPackage) {
        List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        directories.addAll(List.of("/usr/sbin", "/sbin"));
        for (String directory : directories) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, program))) {
                return Path.of(directory, program);
            }
        }
        return fail("%s is not installed (Debian package %s; .ci/install installs it). This test is tagged for the"
                + " programs it needs; ./run-tests --fast leaves it out.", program, debianPackage);
    }
}
