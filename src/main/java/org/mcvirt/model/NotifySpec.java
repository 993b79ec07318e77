package org.mcvirt.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code cluster.notify}: command, a program (an absolute path) with optional words after it, run on a node with the
 * DRBD resource's name as its last argument when DRBD reports a split brain or a verify finds blocks out of sync
 * there (DRBD's split-brain and out-of-sync handlers; both are logged to the node's journal with or without it). It
 * becomes part of a DRBD resource file, inside a quoted string that a shell runs, so it is held to characters that
 * mean nothing to either: letters, digits, space and {@code / . _ - + = , : @ %}.
 */
public record NotifySpec(String command) {
    /** What a command may hold: an absolute path, then words of the safe characters. */
    public static final Pattern COMMAND = Pattern.compile("/[A-Za-z0-9/._+=,:@%-]*( [A-Za-z0-9/._+=,:@%-]+)*");
    /** The longest command accepted. */
    public static final int MAX_LENGTH = 200;

    public NotifySpec {
        Objects.requireNonNull(command, "command");
        if (!valid(command)) {
            throw new IllegalArgumentException("not a notify command mcvirt accepts: " + command);
        }
    }

    public static boolean valid(String command) {
        return command.length() <= MAX_LENGTH && COMMAND.matcher(command).matches();
    }
}
