package org.mcvirt.app;

/**
 * A test-only switch: {@code MCVIRT_TEST_PAUSE=POINT=SECONDS} makes mcvirt stop for that long at a named point
 * (after-connect: the connections are open, nothing read yet), announcing it on standard error, so a lab test can
 * freeze a node at exactly that moment. Unset in normal use; it never changes what mcvirt does, only when.
 */
final class TestPause {
    private TestPause() {
    }

    static void at(String point) {
        String setting = System.getenv("MCVIRT_TEST_PAUSE");
        if (setting == null || !setting.startsWith(point + "=")) {
            return;
        }
        long seconds = Long.parseLong(setting.substring(point.length() + 1));
        System.err.println("mcvirt: test pause at " + point + " for " + seconds + "s");
        System.err.flush();
        try {
            Thread.sleep(seconds * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
