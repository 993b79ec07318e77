package org.mcvirt.node.ssh;

import java.nio.file.Path;
import java.util.List;

/** Argument values that would run, expand or split something if they ever reached a shell unquoted. */
final class HostileStrings {

    private HostileStrings() {
    }

    /** Strings that would create files in {@code trap} if a shell interpreted them. */
    static List<String> all(Path trap) {
        return List.of(
                "$(touch " + trap.resolve("pwned-substitution") + ")",
                "`touch " + trap.resolve("pwned-backticks") + "`",
                "; touch " + trap.resolve("pwned-semicolon"),
                "; rm -rf x",
                "' ; touch " + trap.resolve("pwned-single-quote") + " ; '",
                "\" ; touch " + trap.resolve("pwned-double-quote") + " ; \"",
                "'\\'' ; touch " + trap.resolve("pwned-escaped-quote") + " ; '\\''",
                "| touch " + trap.resolve("pwned-pipe") + " &",
                "\n touch " + trap.resolve("pwned-newline") + "\n",
                "it's",
                "'",
                "''",
                "say \"hi\"",
                "line one\nline two\n",
                "*",
                "/*",
                "two  spaces and\ta tab ",
                "",
                "$HOME ${PATH} \\ backslash \\\\ \\n",
                "-n",
                "%s %d %%",
                "ü € 日本 \u00a0");
    }
}
