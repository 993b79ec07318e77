package org.mcvirt.app;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.VerifyRecord;

/**
 * A replicated disk's last verify in a drift check: older than {@code cluster.drbd.verifyMaxAge}, or never verified
 * while that is set, drifts; otherwise it is a note. Pure.
 */
final class VerifyAge {
    private VerifyAge() {
    }

    /** The last verify of a resource against cluster.drbd.verifyMaxAge, when that is set. */
    static void assess(Drift.Inputs in, DriftFindings findings, String vm, String resource, List<String> pair,
                       Optional<Duration> maxAge) {
        VerifyRecord latest = null;
        for (String node : pair) {
            Optional<VerifyRecord> record = in.observed().node(node).filter(NodeObservation::reachable)
                    .flatMap(n -> n.drbd().verification(resource));
            if (record.isPresent() && (latest == null || String.valueOf(record.get().startedAt())
                    .compareTo(String.valueOf(latest.startedAt())) > 0)) {
                latest = record.get();
            }
        }
        String fix = "; fix: 'mcvirt verify " + vm + "'";
        if (latest == null) {
            if (maxAge.isPresent()) {
                findings.add("verify-age", "never verified, and cluster.drbd.verifyMaxAge is " + age(maxAge.get())
                        + fix);
            }
            return;
        }
        String finished = latest.finishedAt() != null ? latest.finishedAt() : latest.startedAt();
        String last = "last verify " + latest.result().label() + (finished == null ? "" : " at " + finished);
        if (maxAge.isEmpty() || latest.result() == VerifyRecord.Result.FAILED || finished == null) {
            findings.note(last); // a failed verify is a DiskHealth finding already
            return;
        }
        Duration age;
        try {
            age = Duration.between(Instant.parse(finished), in.at());
        } catch (DateTimeParseException e) {
            findings.add("verify-age", "the time of its last verify cannot be read: " + finished + fix);
            return;
        }
        if (age.compareTo(maxAge.get()) > 0) {
            findings.add("verify-age", last + ", " + age(age) + " ago: older than cluster.drbd.verifyMaxAge "
                    + age(maxAge.get()) + fix);
        } else {
            findings.note(last + ", " + age(age) + " ago");
        }
    }

    /** An age as the manifest writes it, 7d, 12h, 30m, with the next unit when it is not whole: 8d 3h. */
    static String age(Duration duration) {
        long days = duration.toDays();
        int hours = duration.toHoursPart();
        if (days > 0) {
            return days + "d" + (hours > 0 ? " " + hours + "h" : "");
        }
        int minutes = duration.toMinutesPart();
        if (hours > 0) {
            return hours + "h" + (minutes > 0 ? " " + minutes + "m" : "");
        }
        return Math.max(0, duration.toMinutes()) + "m";
    }
}
