package org.mcvirt.testhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The jar that ships (target/mcvirt.jar, made by package before the integration tests run) has no test-build marker,
 * so TestHooks loaded from it honours no MCVIRT_TEST_* switch, whatever the environment says.
 */
class ShadedJarIT {
    private static final Path JAR = Path.of("target/mcvirt.jar");

    @Test
    void theShippedJarHasNoMarkerAndItsTestHooksAreOff() throws Exception {
        assertThat(JAR).as("made by mvn package").isRegularFile();
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            assertThat(jar.getEntry(TestHooks.MARKER)).as("the test-build marker in the jar").isNull();
            assertThat(jar.getEntry(TestHooks.class.getName().replace('.', '/') + ".class")).isNotNull();
        }
        try (URLClassLoader shipped = new URLClassLoader(new URL[] {JAR.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> hooks = shipped.loadClass(TestHooks.class.getName());
            assertThat(hooks.getClassLoader()).isSameAs(shipped);
            assertThat(hooks.getMethod("enabled").invoke(null)).isEqualTo(false);
            assertThat(hooks.getMethod("killAfterSteps").invoke(null)).isEqualTo(-1);
            assertThat(hooks.getMethod("skipMigrationNetworkCheck").invoke(null)).isEqualTo(false);
        }
    }

    /**
     * The lab tests start mcvirt in processes of their own with this JVM's java.class.path (Lab.mcvirtProcess,
     * CiSh.mcvirtCommand); under Failsafe that class path must still hold the marker, or their switches are off.
     */
    @Test
    void theClassPathGivenToMcvirtProcessesHasTheMarker() {
        List<String> entries = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        assertThat(entries).as("java.class.path").anyMatch(e -> Files.isRegularFile(Path.of(e).resolve(TestHooks.MARKER)));
    }
}
