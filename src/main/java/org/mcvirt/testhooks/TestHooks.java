package org.mcvirt.testhooks;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The one place that reads the test-only switches from the environment ({@code MCVIRT_TEST_*}), and honours them
 * only in a test build: when the marker resource {@value #MARKER} is on the class path. The marker lives in
 * src/test/resources, so it is on the test class path (unit tests, and the lab tests' mcvirt processes started with
 * that class path) and never in the shipped jar (target/mcvirt.jar), where every switch reads as unset.
 *
 * <ul>
 *   <li>{@code MCVIRT_TEST_KILL=after-steps=K}: end the process like {@code kill -9} once K steps are done
 *   ({@link #killAfterSteps()}).</li>
 *   <li>{@code MCVIRT_TEST_PAUSE=POINT=FILE}: wait at a named point while FILE exists ({@link #pauseFile}).</li>
 *   <li>{@code MCVIRT_TEST_SKIP_MIGRATION_NETWORK_CHECK=1}: plan a migration without checking the target's networks
 *   ({@link #skipMigrationNetworkCheck()}).</li>
 * </ul>
 *
 * <p>This package depends on nothing of mcvirt's, so every package may call it.
 */
public final class TestHooks {
    /** The test-build marker: a class-path resource that only src/test/resources has. */
    public static final String MARKER = "org/mcvirt/testhooks/test-build";
    static final String KILL = "MCVIRT_TEST_KILL";
    static final String PAUSE = "MCVIRT_TEST_PAUSE";
    static final String SKIP_MIGRATION_NETWORK_CHECK = "MCVIRT_TEST_SKIP_MIGRATION_NETWORK_CHECK";

    private static final Switches CURRENT = read(System.getenv(), testBuild(TestHooks.class.getClassLoader()));

    private TestHooks() {
    }

    /** The switches as given: all off unless this is a test build. */
    record Switches(int killAfterSteps, String pause, boolean skipMigrationNetworkCheck) {
        static final Switches OFF = new Switches(-1, null, false);

        Optional<Path> pauseFile(String point) {
            if (pause == null || !pause.startsWith(point + "=") || pause.length() == point.length() + 1) {
                return Optional.empty();
            }
            return Optional.of(Path.of(pause.substring(point.length() + 1)));
        }
    }

    /** Whether loader sees the test-build marker. */
    static boolean testBuild(ClassLoader loader) {
        return loader != null && loader.getResource(MARKER) != null;
    }

    /** The switches an environment gives: none outside a test build. */
    static Switches read(Map<String, String> environment, boolean testBuild) {
        if (!testBuild) {
            return Switches.OFF;
        }
        String kill = environment.get(KILL);
        int after = kill != null && kill.matches("after-steps=[1-9][0-9]{0,8}")
                ? Integer.parseInt(kill.substring("after-steps=".length())) : -1;
        return new Switches(after, environment.get(PAUSE), "1".equals(environment.get(SKIP_MIGRATION_NETWORK_CHECK)));
    }

    /** Whether the switches are honoured in this process (a test build). */
    public static boolean enabled() {
        return testBuild(TestHooks.class.getClassLoader());
    }

    /** MCVIRT_TEST_KILL: after how many done steps to end the process abruptly; -1 for never. */
    public static int killAfterSteps() {
        return CURRENT.killAfterSteps();
    }

    /** MCVIRT_TEST_PAUSE: the file to wait on at the named point, when the switch names that point. */
    public static Optional<Path> pauseFile(String point) {
        return CURRENT.pauseFile(point);
    }

    /** MCVIRT_TEST_SKIP_MIGRATION_NETWORK_CHECK=1: plan a migration without checking the target's networks. */
    public static boolean skipMigrationNetworkCheck() {
        return CURRENT.skipMigrationNetworkCheck();
    }
}
