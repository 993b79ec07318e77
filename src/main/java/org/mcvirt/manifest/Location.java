package org.mcvirt.manifest;

import java.util.Comparator;

/** A place in a manifest file: 1-based line and column. */
public record Location(String file, int line, int column) implements Comparable<Location> {
    private static final Comparator<Location> ORDER =
            Comparator.comparing(Location::file).thenComparingInt(Location::line).thenComparingInt(Location::column);

    @Override
    public int compareTo(Location other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
