package org.mcvirt.node.ssh;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Turns an argument list into one POSIX {@code sh} command line that runs exactly those arguments. Every argument
 * is put in single quotes, inside which the shell interprets nothing; an embedded single quote becomes
 * {@code '\''} (close, escaped quote, reopen). No manifest value can therefore expand, substitute or split.
 * NUL bytes cannot be passed to a program at all, so they are refused.
 */
public final class ShellQuoting {

    private ShellQuoting() {
    }

    /** One argument in single quotes. */
    public static String quote(String argument) {
        Objects.requireNonNull(argument, "argument");
        if (argument.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an argument contains a NUL byte, which no command can receive");
        }
        return "'" + argument.replace("'", "'\\''") + "'";
    }

    /** The arguments quoted and joined by spaces; the first is the program. */
    public static String commandLine(List<String> command) {
        Objects.requireNonNull(command, "command");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least the program name");
        }
        return command.stream().map(ShellQuoting::quote).collect(Collectors.joining(" "));
    }
}
