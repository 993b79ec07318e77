package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The completion script and man pages generated from the picocli model, as bash and man would use them. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ShellDocsTest {
    private static String bash(Path script, String line) throws Exception {
        String words = line.endsWith(" ") ? line + "''" : line;
        Process process = new ProcessBuilder("bash", "-c", "source '" + script + "' 2>/dev/null; COMP_WORDS=(" + words
                + "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE};"
                + " _complete_mcvirt 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"").start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void bashCompletesCommandsAndOptionsAndEveryCommandHasAManPage(@TempDir Path dir) throws Exception {
        String said = ShellDocs.generate(dir);
        Path script = dir.resolve("mcvirt.bash");
        assertThat(new ProcessBuilder("bash", "-n", script.toString()).start().waitFor()).isZero();
        assertThat(bash(script, "mcvirt ver")).isEqualTo("verify\n");
        assertThat(bash(script, "mcvirt res")).isEqualTo("resync\n");
        assertThat(bash(script, "mcvirt plan --det")).isEqualTo("--detailed-exitcode\n");
        assertThat(bash(script, "mcvirt lock ")).contains("status\n", "break\n");
        assertThat(dir.resolve("adoc/mcvirt-verify.adoc")).content().contains("--verify-timeout");
        if (said.contains("man pages in")) { // asciidoctor is installed (.ci/run installs it)
            assertThat(dir.resolve("man/man1/mcvirt.1")).exists();
            assertThat(Files.readString(dir.resolve("man/man1/mcvirt-resync.1"))).contains(".TH \"MCVIRT\\-RESYNC\"",
                    "source\\-node");
        }
    }
}
