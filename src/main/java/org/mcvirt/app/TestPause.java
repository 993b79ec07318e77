package org.mcvirt.app;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test-only switch: {@code MCVIRT_TEST_PAUSE=POINT=FILE} makes mcvirt stop at a named point (after-connect: the
 * connections are open, nothing read yet), announce it on standard error, and wait while FILE exists (at most two
 * minutes), so a lab test can freeze a node at exactly that moment and then let mcvirt go on by removing the file.
 * Unset in normal use; it never changes what mcvirt does, only when.
 */
final class TestPause {
    private static final long LONGEST_MILLIS = 120_000;

    private TestPause() {
    }

    static void at(String point) {
        String setting = System.getenv("MCVIRT_TEST_PAUSE");
        if (setting == null || !setting.startsWith(point + "=")) {
            return;
        }
        Path file = Path.of(setting.substring(point.length() + 1));
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
