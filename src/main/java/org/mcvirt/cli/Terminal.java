package org.mcvirt.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Optional;

/** The interactive side of a run: whether a person can be asked, and whether colour is wanted. */
public final class Terminal {
    private final BufferedReader input;
    private final boolean colour;

    private Terminal(BufferedReader input, boolean colour) {
        this.input = input;
        this.colour = colour;
    }

    /** No terminal: nothing can be asked, no colour. */
    public static Terminal none() {
        return new Terminal(null, false);
    }

    public static Terminal of(BufferedReader input, boolean colour) {
        return new Terminal(input, colour);
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
