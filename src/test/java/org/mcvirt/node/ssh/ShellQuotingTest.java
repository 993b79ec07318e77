package org.mcvirt.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShellQuotingTest {

    @TempDir
    Path scratch;

    @Test
    void singleQuotesEveryArgumentAndEscapesEmbeddedQuotes() {
        assertThat(ShellQuoting.quote("plain")).isEqualTo("'plain'");
        assertThat(ShellQuoting.quote("")).isEqualTo("''");
        assertThat(ShellQuoting.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(ShellQuoting.commandLine(List.of("printf", "%s", "a b", "$(x)")))
                .isEqualTo("'printf' '%s' 'a b' '$(x)'");
    }

    @Test
    void refusesNulBytesAndEmptyCommands() {
        assertThatThrownBy(() -> ShellQuoting.quote("a\0b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> ShellQuoting.commandLine(List.of("echo", "x\0"))).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> ShellQuoting.commandLine(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRealShellGetsEveryHostileArgumentBackUnchanged() throws Exception {
        Path trap = Files.createDirectory(scratch.resolve("trap"));
        Path workingDirectory = Files.createDirectory(scratch.resolve("work"));
        Files.writeString(workingDirectory.resolve("glob-bait"), "an unquoted * would expand to this name");
        for (String hostile : HostileStrings.all(trap)) {
            String commandLine = ShellQuoting.commandLine(List.of("printf", "%s", hostile));
            Process shell = new ProcessBuilder("/bin/sh", "-c", commandLine).directory(workingDirectory.toFile())
                    .start();
            byte[] output = shell.getInputStream().readAllBytes();
            assertThat(shell.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(output, StandardCharsets.UTF_8)).as(commandLine).isEqualTo(hostile);
            assertThat(shell.exitValue()).isZero();
        }
        try (var created = Files.list(trap)) {
            assertThat(created).as("files a shell created").isEmpty();
        }
    }
}
