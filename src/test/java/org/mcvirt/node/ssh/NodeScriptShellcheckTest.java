package org.mcvirt.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * shellcheck finds nothing in any node script, as it runs (PATH fix included). shellcheck is a program this test
 * needs (.ci/install installs it): without it the test fails, saying so, rather than passing unchecked.
 */
class NodeScriptShellcheckTest {
    private static Path shellcheck() {
        Optional<Path> found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(directory -> !directory.isEmpty()).map(directory -> Path.of(directory, "shellcheck"))
                .filter(Files::isExecutable).findFirst();
        if (found.isEmpty()) {
            fail("shellcheck is not installed (.ci/install installs it): the node scripts in src/main/resources/"
                    + "node-scripts cannot be checked");
        }
        return found.get();
    }

    @ParameterizedTest
    @EnumSource(NodeScript.class)
    void shellcheckFindsNothing(NodeScript script) throws Exception {
        Process process = new ProcessBuilder(shellcheck().toString(), "--shell=sh", "--severity=style", "-")
                .redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(script.text().getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("shellcheck ended").isTrue();
        assertThat(process.exitValue()).as(script.resource() + ":\n" + output).isZero();
    }
}
