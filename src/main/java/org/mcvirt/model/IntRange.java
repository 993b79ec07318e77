package org.mcvirt.model;

/** An inclusive range of integers, such as a port or minor range. */
public record IntRange(int first, int last) {
    public IntRange {
        if (first > last) {
            throw new IllegalArgumentException("range " + first + "-" + last + " is empty");
        }
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
