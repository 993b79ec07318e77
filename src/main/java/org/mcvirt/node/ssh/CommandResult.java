package org.mcvirt.node.ssh;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a finished command left behind. Output is decoded as UTF-8 (malformed bytes replaced).
 *
 * @param exitStatus the command's exit status; 127 when the program could not be found; -1 when the remote side
 *                   reported none (for example the process was killed by a signal)
 * @param stdout     everything the command wrote to standard output
 * @param stderr     everything the command wrote to standard error
 */
public record CommandResult(int exitStatus, String stdout, String stderr) {

    public CommandResult {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    private static final int LONGEST_QUOTED_STDERR = 4000;

    /** True when the command exited with status 0. */
    public boolean succeeded() {
        return exitStatus == 0;
    }

    static CommandResult decode(int exitStatus, byte[] stdout, byte[] stderr) {
        return new CommandResult(exitStatus, new String(stdout, StandardCharsets.UTF_8),
                new String(stderr, StandardCharsets.UTF_8));
    }

    /** "WHAT exited with status N: STDERR", the stderr trimmed and shortened, for COMMAND_FAILED messages. */
    String failureDetail(String what) {
        String error = stderr.strip();
        if (error.length() > LONGEST_QUOTED_STDERR) {
            error = error.substring(0, LONGEST_QUOTED_STDERR) + "...";
        }
        return what + " exited with status " + exitStatus + (error.isEmpty() ? " and no error output" : ": " + error);
    }
}
