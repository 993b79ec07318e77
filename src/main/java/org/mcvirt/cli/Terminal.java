package org.mcvirt.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The interactive side of a run: whether a person can be asked, and whether colour is wanted. */
public final class Terminal {
    private final BufferedReader input;
    private final BufferedReader standardInput;
    private final boolean colour;

    private Terminal(BufferedReader input, BufferedReader standardInput, boolean colour) {
        this.input = input;
        this.standardInput = standardInput;
        this.colour = colour;
    }

    /** No terminal: nothing can be asked, no colour; standard input (for --password-stdin) is the process's. */
    public static Terminal none() {
        return new Terminal(null, null, false);
    }

    /** No terminal, and this text as standard input (for --password-stdin). */
    public static Terminal withStandardInput(BufferedReader standardInput) {
        return new Terminal(null, standardInput, false);
    }

    /** A person at a terminal: answers come from input. */
    public static Terminal of(BufferedReader input, boolean colour) {
        return new Terminal(input, input, colour);
    }

    /** One line of standard input, for --password-stdin. */
    Optional<String> readStandardInputLine() {
        try {
            BufferedReader reader = standardInput != null ? standardInput
                    : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            return Optional.ofNullable(reader.readLine());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A secret typed at the terminal, without echo when the process has a console. */
    Optional<char[]> readSecret(String prompt, PrintWriter out) {
        Console console = System.console();
        if (console != null && input != null) {
            return Optional.ofNullable(console.readPassword("%s", prompt));
        }
        out.print(prompt);
        out.flush();
        return readLine().map(String::toCharArray);
    }

    /** Asks a question that only the answer "yes" accepts. */
    boolean confirm(PrintWriter out, String question) {
        out.print(question + " Only 'yes' will be accepted: ");
        out.flush();
        return readLine().map(String::strip).filter("yes"::equals).isPresent();
    }

    boolean interactive() {
        return input != null;
    }

    boolean colour() {
        return colour;
    }

    Optional<String> readLine() {
        try {
            return input == null ? Optional.empty() : Optional.ofNullable(input.readLine());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
