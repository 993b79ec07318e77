package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.testing.Programs;
import picocli.AutoComplete;
import picocli.CommandLine;

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

    /** The completion script as ShellDocs writes it (without the man pages, so no asciidoctor runs). */
    @Test
    void bashCompletesCommandsAndOptions(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("mcvirt.bash");
        Files.writeString(script, AutoComplete.bash("mcvirt", new CommandLine(new McvirtCommand(Terminal.none()))));
        assertThat(new ProcessBuilder("bash", "-n", script.toString()).start().waitFor()).isZero();
        assertThat(bash(script, "mcvirt ver")).isEqualTo("verify\n");
        assertThat(bash(script, "mcvirt res")).isEqualTo("resync\n");
        assertThat(bash(script, "mcvirt plan --det")).isEqualTo("--detailed-exitcode\n");
        assertThat(bash(script, "mcvirt lock ")).contains("status\n", "break\n");
    }

    /** What Maven runs at package: the completion script, and every command's man page through asciidoctor. */
    @Test
    @Tag("tools")
    void everyCommandHasAManPage(@TempDir Path dir) throws Exception {
        Programs.require("asciidoctor", "asciidoctor");
        String said = ShellDocs.generate(dir);
        assertThat(said).as("what ShellDocs did").contains("man pages in");
        assertThat(dir.resolve("mcvirt.bash")).isRegularFile();
        assertThat(dir.resolve("adoc/mcvirt-verify.adoc")).content().contains("--verify-timeout");
        assertThat(dir.resolve("man/man1/mcvirt.1")).exists();
        assertThat(Files.readString(dir.resolve("man/man1/mcvirt-resync.1"))).contains(".TH \"MCVIRT\\-RESYNC\"",
                "source\\-node");
    }
}
