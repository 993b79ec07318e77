package org.mcvirt.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mcvirt.testing.Programs;

/**
 * shellcheck finds nothing in any node script, as it runs (PATH fix included). shellcheck is a program this test
 * needs (tag "tools"; .ci/install installs it): without it the test fails, saying so, rather than passing unchecked.
 */
@Tag("tools")
class NodeScriptShellcheckTest {
    @ParameterizedTest
    @EnumSource(NodeScript.class)
    void shellcheckFindsNothing(NodeScript script) throws Exception {
        Process process = new ProcessBuilder(Programs.require("shellcheck", "shellcheck").toString(), "--shell=sh",
                "--severity=style", "-").redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(script.text().getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("shellcheck ended").isTrue();
        assertThat(process.exitValue()).as(script.resource() + ":\n" + output).isZero();
    }
}
