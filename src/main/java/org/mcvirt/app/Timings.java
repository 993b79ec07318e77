package org.mcvirt.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where one command's time went, phase by phase ({@code --timings}): reading the manifests, connecting to each node
 * (its SSH session, then its libvirt connection), reading each node (libvirt, then the one SSH read of LVM, DRBD and
 * mcvirt's records), planning. Phases of different nodes overlap (they run in parallel); each is measured from its own
 * start. A disabled recorder ({@link #OFF}) measures nothing.
 */
public final class Timings {
    /** Records nothing. */
    public static final Timings OFF = new Timings(false);

    /** One measured phase: its name and how long it took. */
    public record Phase(String name, Duration took) {
    }

    private final boolean enabled;
    private final ConcurrentLinkedQueue<Phase> phases = new ConcurrentLinkedQueue<>();

    private Timings(boolean enabled) {
        this.enabled = enabled;
    }

    /** A recorder that measures. */
    public static Timings on() {
        return new Timings(true);
    }

    public boolean enabled() {
        return enabled;
    }

    /** A phase that started at startNanos (System.nanoTime) and has just ended. */
    void since(String phase, long startNanos) {
        if (enabled) {
            phases.add(new Phase(phase, Duration.ofNanos(System.nanoTime() - startNanos)));
        }
    }

    /** The phases in the order they ended. */
    public List<Phase> phases() {
        return List.copyOf(phases);
    }

    /**
     * The phases as text, one a line (name, then seconds to the millisecond), and the time since the process started
     * (the JVM's start included), which is what the user waited.
     */
    public List<String> report(Duration sinceProcessStart) {
        List<Phase> all = phases();
        int width = Math.max("total since the process started".length(),
                all.stream().mapToInt(p -> p.name().length()).max().orElse(0));
        List<String> lines = new ArrayList<>();
        lines.add("Timings:");
        for (Phase phase : all) {
            lines.add(String.format(Locale.ROOT, "  %-" + width + "s %8.3f s", phase.name(), seconds(phase.took())));
        }
        lines.add(String.format(Locale.ROOT, "  %-" + width + "s %8.3f s", "total since the process started",
                seconds(sinceProcessStart)));
        return lines;
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
