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

    /**
     * A byte count for people where it need not be exact (a host's memory): one decimal in the largest binary unit
     * it reaches, such as "2.5 GiB", "512.0 MiB", "-1.3 GiB"; below 1 KiB in bytes ("100 B").
     */
    public static String approximate(long bytes) {
        double value = Math.abs((double) bytes);
        int unit = 0;
        while (unit < UNITS.length - 1 && value >= 1024) {
            value /= 1024;
            unit++;
        }
        String sign = bytes < 0 ? "-" : "";
        return unit == 0 ? sign + (long) value + " B"
                : sign + String.format(java.util.Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
