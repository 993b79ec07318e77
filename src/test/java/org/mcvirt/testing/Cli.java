package org.mcvirt.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.mcvirt.cli.Main;
import org.mcvirt.cli.Terminal;

/** Runs the real command line in-process and captures what it printed. */
public final class Cli {
    private Cli() {
    }

    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    public static Result run(String... args) {
        return run(Terminal.none(), args);
    }

    public static Result run(Terminal terminal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), terminal, args);
        return new Result(code, out.toString(), err.toString());
    }
}
