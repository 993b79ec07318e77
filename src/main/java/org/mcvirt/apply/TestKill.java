package org.mcvirt.apply;

import java.util.concurrent.atomic.AtomicInteger;
import org.mcvirt.testhooks.TestHooks;

/**
 * A test-only switch: {@code MCVIRT_TEST_KILL=after-steps=K} ends the process abruptly, like {@code kill -9}, as
 * soon as K steps of an apply are done and journaled (no lock release, no cleanup, exit status 137), so a lab test can
 * check that the next apply converges from every step boundary. Unset in normal use; it never changes what a step
 * does. Read through {@link TestHooks}, so only a test build honours it.
 */
final class TestKill {
    private static final AtomicInteger DONE = new AtomicInteger();
    private static final int AFTER = TestHooks.killAfterSteps();

    private TestKill() {
    }

    /** Called once a step is done and journaled. */
    static void stepDone() {
        if (AFTER > 0 && DONE.incrementAndGet() == AFTER) {
            System.err.println("mcvirt: test kill after " + AFTER + " steps");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
