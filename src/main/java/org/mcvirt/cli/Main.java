package org.mcvirt.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.mcvirt.app.Cluster;
import picocli.CommandLine;

/** Entry point. {@link #run} is what tests call; main only exits with its result. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        Terminal terminal = System.console() == null ? Terminal.none()
                : Terminal.of(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                        System.getenv("NO_COLOR") == null && !"dumb".equals(System.getenv("TERM")));
        int code = run(out, err, terminal, args);
        Cluster.beforeProcessExit();
        System.exit(code);
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, Terminal.none(), args);
    }

    public static int run(PrintWriter out, PrintWriter err, Terminal terminal, String... args) {
        McvirtCommand root = new McvirtCommand(terminal);
        CommandLine commandLine = new CommandLine(root);
        commandLine.setOut(out);
        commandLine.setErr(err);
        setUsageExitCode(commandLine);
        commandLine.setExecutionExceptionHandler(new ErrorHandler());
        int code = commandLine.execute(args);
        out.flush();
        if (root.timingsWanted) {
            root.timings().report(Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime()))
                    .forEach(err::println);
        }
        err.flush();
        return code;
    }

    /** picocli's default of 2 for usage errors would collide with "changes present". */
    private static void setUsageExitCode(CommandLine commandLine) {
        commandLine.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
        commandLine.getSubcommands().values().forEach(Main::setUsageExitCode);
    }
}
