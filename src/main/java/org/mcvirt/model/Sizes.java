package org.mcvirt.model;

/** Formats byte counts the way manifests write them: the largest binary unit that divides evenly. */
public final class Sizes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private Sizes() {
    }

    public static String format(long bytes) {
        int unit = 0;
        long value = bytes;
        while (unit < UNITS.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + UNITS[unit];
    }

    public static String formatKib(long kib) {
        return format(kib * 1024);
    }
}
