package org.mcvirt.testhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The test switches are honoured in a test build only: the shipped jar, without the marker, reads them as unset. */
class TestHooksTest {
    private static final Map<String, String> ALL_ON = Map.of(TestHooks.KILL, "after-steps=3", TestHooks.PAUSE,
            "after-connect=/tmp/wait", TestHooks.SKIP_MIGRATION_NETWORK_CHECK, "1");

    @Test
    void aTestBuildHonoursTheSwitches() {
        TestHooks.Switches switches = TestHooks.read(ALL_ON, true);
        assertThat(switches.killAfterSteps()).isEqualTo(3);
        assertThat(switches.pauseFile("after-connect")).contains(Path.of("/tmp/wait"));
        assertThat(switches.pauseFile("after-read")).isEmpty();
        assertThat(switches.skipMigrationNetworkCheck()).isTrue();
    }

    @Test
    void withoutTheMarkerEverySwitchIsOff() {
        TestHooks.Switches switches = TestHooks.read(ALL_ON, false);
        assertThat(switches).isEqualTo(TestHooks.Switches.OFF);
        assertThat(switches.killAfterSteps()).isEqualTo(-1);
        assertThat(switches.pauseFile("after-connect")).isEmpty();
        assertThat(switches.skipMigrationNetworkCheck()).isFalse();
    }

    @Test
    void malformedSwitchesAreOff() {
        TestHooks.Switches switches = TestHooks.read(Map.of(TestHooks.KILL, "after-steps=0", TestHooks.PAUSE,
                "after-connect=", TestHooks.SKIP_MIGRATION_NETWORK_CHECK, "yes"), true);
        assertThat(switches).isEqualTo(new TestHooks.Switches(-1, "after-connect=", false));
        assertThat(switches.pauseFile("after-connect")).isEmpty();
        assertThat(TestHooks.read(Map.of(TestHooks.KILL, "after-steps=x"), true).killAfterSteps()).isEqualTo(-1);
    }

    @Test
    void theMarkerIsOnTheTestClassPathOnlyNeverInTheMainClasses() {
        assertThat(TestHooks.enabled()).as("this JVM runs with the test class path").isTrue();
        assertThat(Path.of("src/test/resources", TestHooks.MARKER)).isRegularFile();
        assertThat(Path.of("target/classes", TestHooks.MARKER)).doesNotExist();
        try (Stream<Path> main = Stream.of(Path.of("src/main/resources"), Path.of("templates"))) {
            assertThat(main.map(root -> root.resolve(TestHooks.MARKER))).noneMatch(Files::exists);
        }
    }

    /** TestHooks loaded from the main classes alone, as from target/mcvirt.jar: every switch off, whatever is set. */
    @Test
    void theMainClassesAloneReadEverySwitchAsUnset() throws Exception {
        URL main = Path.of("target/classes").toUri().toURL();
        try (URLClassLoader jarLike = new URLClassLoader(new URL[] {main}, ClassLoader.getPlatformClassLoader())) {
            Class<?> hooks = jarLike.loadClass(TestHooks.class.getName());
            assertThat(hooks.getClassLoader()).isSameAs(jarLike);
            assertThat(invoke(hooks, "enabled")).isEqualTo(false);
            Method read = hooks.getDeclaredMethod("testBuild", ClassLoader.class);
            read.setAccessible(true);
            assertThat(read.invoke(null, jarLike)).isEqualTo(false);
            // and the honoured values, whatever this process's environment says
            assertThat(invoke(hooks, "killAfterSteps")).isEqualTo(-1);
            assertThat(invoke(hooks, "skipMigrationNetworkCheck")).isEqualTo(false);
            assertThat(hooks.getMethod("pauseFile", String.class).invoke(null, "after-connect"))
                    .isEqualTo(Optional.empty());
        }
    }

    private static Object invoke(Class<?> type, String name) throws Exception {
        return type.getMethod(name).invoke(null);
    }

    /**
     * No main class but TestHooks spells a MCVIRT_TEST_ variable in a string (what getenv needs): the planner gets its
     * switch through Planner.Options, set by app from TestHooks.
     */
    @Test
    void noMainClassButTheSeamReadsATestSwitch() throws Exception {
        Path seam = Path.of("src/main/java/org/mcvirt/testhooks/TestHooks.java");
        List<Path> readers;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            readers = files.filter(f -> f.toString().endsWith(".java")).filter(f -> !f.equals(seam))
                    .filter(f -> read(f).contains("\"MCVIRT_TEST_")).toList();
        }
        assertThat(readers).as("main classes with a \"MCVIRT_TEST_ string (only TestHooks may read the switches)")
                .isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
