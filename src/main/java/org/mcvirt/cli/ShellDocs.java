package org.mcvirt.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Build-time generator (run by Maven at package, never by the CLI): from the picocli command model it writes
 * {@code DIR/mcvirt.bash}, the bash completion script (zsh loads it through bashcompinit), and with picocli's
 * ManPageGenerator one AsciiDoc man page per command in {@code DIR/adoc/}; when asciidoctor is installed it turns
 * them into troff man pages in {@code DIR/man/man1/}.
 */
public final class ShellDocs {
    private ShellDocs() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ShellDocs DIR");
        }
        System.out.println(generate(Path.of(args[0])));
    }

    /** Writes the completion script and the man pages into dir; returns what it did, one line. */
    static String generate(Path dir) throws IOException, InterruptedException {
        CommandLine mcvirt = new CommandLine(new McvirtCommand(Terminal.none()));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("mcvirt.bash"), AutoComplete.bash("mcvirt", mcvirt), StandardCharsets.UTF_8);
        Path adoc = dir.resolve("adoc");
        Files.createDirectories(adoc);
        List<CommandLine.Model.CommandSpec> specs = new ArrayList<>();
        collect(mcvirt, specs);
        int status = ManPageGenerator.generateManPage(adoc.toFile(), null, new boolean[0], true,
                specs.toArray(CommandLine.Model.CommandSpec[]::new));
        if (status != 0) {
            throw new IOException("picocli's ManPageGenerator failed with status " + status);
        }
        Path man = dir.resolve("man/man1");
        Files.createDirectories(man);
        List<String> command = new ArrayList<>(List.of("asciidoctor", "-b", "manpage", "-D", man.toString()));
        try (var files = Files.list(adoc)) {
            files.filter(f -> f.toString().endsWith(".adoc")).sorted().forEach(f -> command.add(f.toString()));
        }
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("asciidoctor failed: " + said.strip());
            }
            return "shell completion in " + dir.resolve("mcvirt.bash") + ", " + specs.size() + " man pages in " + man;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("asciidoctor failed")) {
                throw e;
            }
            return "shell completion in " + dir.resolve("mcvirt.bash") + ", man page sources in " + adoc
                    + " (install asciidoctor to get troff man pages)";
        }
    }

    private static void collect(CommandLine command, List<CommandLine.Model.CommandSpec> into) {
        if (command.getCommandName().equals("help")) {
            return;
        }
        into.add(command.getCommandSpec());
        command.getSubcommands().values().stream().distinct().forEach(c -> collect(c, into));
    }
}
