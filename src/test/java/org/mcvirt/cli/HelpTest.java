package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's --help explains itself with at least one example of its use. */
class HelpTest {
    private static void collect(CommandLine command, List<CommandLine> into) {
        into.add(command);
        command.getSubcommands().values().stream().distinct().filter(c -> !c.getCommandName().equals("help"))
                .forEach(c -> collect(c, into));
    }

    @Test
    void everyCommandsHelpShowsAnExample() {
        List<CommandLine> all = new ArrayList<>();
        collect(new CommandLine(new McvirtCommand(Terminal.none())), all);
        assertThat(all).hasSizeGreaterThan(15);
        for (CommandLine command : all) {
            String usage = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertThat(usage).as("mcvirt %s --help", command.getCommandSpec().qualifiedName())
                    .containsPattern("(?m)^Examples?:\\n  mcvirt ");
        }
    }
}
