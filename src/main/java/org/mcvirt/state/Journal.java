package org.mcvirt.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The apply journal ({@code STATE/journal.jsonl} on each node, one JSON object a line) read back: which apply ran
 * last and whether it ended. An apply writes {@code apply-started} (its step count and command) on every node of its
 * plan, {@code started} and {@code done}/{@code failed} around each step on the step's node, and
 * {@code apply-finished} on every node at the end; a killed or crashed apply has no {@code apply-finished}.
 */
public final class Journal {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How much of its end is read with the node's state: the last apply's lines, even for large plans. */
    public static final int TAIL_BYTES = 262144;

    private Journal() {
    }

    /** One line of the journal. step and kind are null on the apply-level lines; steps and command only on those. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String time, String apply, Integer step, String kind, String subject, String event,
                        String message, Integer steps, String command) {
    }

    /**
     * An apply that did not finish: its id (the lock token it held), when and how it was started, its step count (null
     * for journals written before apply-level lines), how many steps were done, and its last step event.
     */
    public record Interrupted(String apply, String startedAt, String command, Integer steps, int done, String lastNode,
                              Entry last) {
        /** One line for plan and info. */
        public String describe() {
            StringBuilder text = new StringBuilder("an apply stopped part-way: apply ").append(apply, 0,
                    Math.min(8, apply.length()));
            if (command != null) {
                text.append(" ('").append(command).append("'");
                text.append(startedAt == null ? ")" : ", started " + startedAt + ")");
            }
            text.append(": ").append(done).append(steps == null ? "" : " of " + steps).append(" steps done");
            if (last != null) {
                text.append("; the last was step ").append(last.step()).append(' ').append(last.kind()).append(" on ")
                        .append(lastNode).append(", ").append(last.event()).append(" at ").append(last.time());
                if ("started".equals(last.event())) {
                    text.append(" and never finished");
                }
            }
            return text.append(". Every step is idempotent: apply again to complete it").toString();
        }
    }

    /** The lines of one node's journal text; lines that are not JSON (a truncated first line) are skipped. */
    public static List<Entry> parse(String text) {
        List<Entry> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                entries.add(JSON.readValue(line, Entry.class));
            } catch (JsonProcessingException e) {
                // the tail of a long journal starts mid-line
            }
        }
        return entries;
    }

    /**
     * The last apply (by the time of its first line on any node) when it did not finish, or empty. An apply that holds
     * the lock right now (activeApply) is running, not interrupted.
     */
    public static Optional<Interrupted> lastInterrupted(Map<String, List<Entry>> byNode, String activeApply) {
        Map<String, String> firstSeen = new TreeMap<>();
        byNode.values().forEach(entries -> entries.forEach(e -> {
            if (e.apply() != null && e.time() != null) {
                firstSeen.merge(e.apply(), e.time(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }));
        Optional<String> last = firstSeen.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
        if (last.isEmpty() || last.get().equals(activeApply)) {
            return Optional.empty();
        }
        String apply = last.get();
        boolean finished = false;
        boolean levels = false;
        Entry started = null;
        Map<Integer, String> stepEnd = new LinkedHashMap<>();
        Entry lastStep = null;
        String lastNode = null;
        for (Map.Entry<String, List<Entry>> node : new TreeMap<>(byNode).entrySet()) {
            for (Entry e : node.getValue()) {
                if (!apply.equals(e.apply())) {
                    continue;
                }
                switch (String.valueOf(e.event())) {
                    case "apply-started" -> {
                        levels = true;
                        started = started == null ? e : started;
                    }
                    case "apply-finished" -> finished = true;
                    default -> {
                        if (e.step() != null) {
                            if (!"started".equals(e.event()) || !stepEnd.containsKey(e.step())) {
                                stepEnd.put(e.step(), e.event());
                            }
                            if (lastStep == null || Comparator.<String>naturalOrder().compare(e.time(), lastStep.time()) >= 0) {
                                lastStep = e;
                                lastNode = node.getKey();
                            }
                        }
                    }
                }
            }
        }
        if (finished) {
            return Optional.empty();
        }
        boolean unfinishedStep = stepEnd.containsValue("started");
        if (!levels && !unfinishedStep) {
            return Optional.empty(); // an old journal without apply-level lines: only a step left open shows a kill
        }
        int done = (int) stepEnd.values().stream().filter("done"::equals).count();
        return Optional.of(new Interrupted(apply, started == null ? null : started.time(),
                started == null ? null : started.command(), started == null ? null : started.steps(), done, lastNode,
                lastStep));
    }
}
