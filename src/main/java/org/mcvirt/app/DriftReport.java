package org.mcvirt.app;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@code mcvirt drift} found: one entry per object (node, network, pool, vm, replicated disk; a cluster entry
 * only for plan problems that name none of them), each in sync or drifted with why. checkedAt is when the cluster was
 * read (an ISO-8601 instant), controller the host that read it, durationMillis how long it took. Objects are sorted
 * by kind, then name, so the same cluster gives the same report.
 */
@JsonPropertyOrder(alphabetic = true)
public record DriftReport(String cluster, String checkedAt, String controller, long durationMillis,
                          List<Item> objects) {
    public DriftReport {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(checkedAt, "checkedAt");
        objects = objects.stream().sorted(Comparator.comparing(Item::kind).thenComparing(Item::name)).toList();
    }

    /** The kinds of object, in report order. */
    public enum Kind {
        NODE, NETWORK, POOL, VM, DISK, CLUSTER;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One object. A drifted one has a one-line message (its first finding, and how many more) and details: each
     * finding's line, a planned change followed by its attribute lines as the plan text shows them. type names the
     * first finding's kind (change, problem, not-checked, disk-health, verify-age, drbd-not-read, stale-lock,
     * lock-not-read, interrupted-apply). notes say what is worth knowing about an object in sync (a resync running,
     * an active lock, the last verify).
     */
    @JsonPropertyOrder(alphabetic = true)
    public record Item(Kind kind, String name, boolean drifted, String type, String message, List<String> details,
                       List<String> notes) {
        public Item {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            details = List.copyOf(details);
            notes = List.copyOf(notes);
            if (drifted && (type == null || message == null)) {
                throw new IllegalArgumentException("a drifted object needs a type and a message: " + name);
            }
        }
    }

    /** How many objects drifted. */
    public long drifted() {
        return objects.stream().filter(Item::drifted).count();
    }

    public boolean hasDrift() {
        return drifted() > 0;
    }
}
