package org.mcvirt.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.mcvirt.testhooks.TestHooks;

/**
 * A test-only switch: {@code MCVIRT_TEST_PAUSE=POINT=FILE} makes mcvirt stop at a named point (after-connect: the
 * connections are open, nothing read yet), announce it on standard error, and wait while FILE exists (at most two
 * minutes), so a lab test can freeze a node at exactly that moment and then let mcvirt go on by removing the file.
 * Unset in normal use; it never changes what mcvirt does, only when. Read through {@link TestHooks}, so only a test
 * build honours it.
 */
final class TestPause {
    private static final long LONGEST_MILLIS = 120_000;

    private TestPause() {
    }

    static void at(String point) {
        Optional<Path> pause = TestHooks.pauseFile(point);
        if (pause.isEmpty()) {
            return;
        }
        Path file = pause.get();
        System.err.println("mcvirt: test pause at " + point + " while " + file + " exists");
        System.err.flush();
        long deadline = System.currentTimeMillis() + LONGEST_MILLIS;
        try {
            while (Files.exists(file) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
