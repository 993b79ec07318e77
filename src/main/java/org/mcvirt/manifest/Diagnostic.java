package org.mcvirt.manifest;

import java.util.Comparator;
import java.util.Objects;

/** One problem found in a manifest, printed as {@code file:line:col: error: message}. */
public record Diagnostic(Location location, String message) implements Comparable<Diagnostic> {
    private static final Comparator<Diagnostic> ORDER =
            Comparator.comparing(Diagnostic::location).thenComparing(Diagnostic::message);

    public Diagnostic {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public int compareTo(Diagnostic other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return location + ": error: " + message;
    }
}
