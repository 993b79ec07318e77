package org.mcvirt.app;

import java.util.ArrayList;
import java.util.List;

/** What was found about one object while the report is built. */
final class DriftFindings {
    private final DriftReport.Kind kind;
    private final String name;
    private final List<String> types = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();
    private final List<String> details = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    DriftFindings(DriftReport.Kind kind, String name) {
        this.kind = kind;
        this.name = name;
    }

    void add(String type, String message) {
        add(type, message, List.of());
    }

    void add(String type, String message, List<String> lines) {
        String line = oneLine(message);
        types.add(type);
        messages.add(line);
        details.add(line);
        details.addAll(lines);
    }

    void note(String note) {
        notes.add(oneLine(note));
    }

    DriftReport.Item item() {
        boolean drifted = !messages.isEmpty();
        String message = !drifted ? null : messages.size() == 1 ? messages.get(0)
                : messages.get(0) + " (and " + (messages.size() - 1) + " more)";
        return new DriftReport.Item(kind, name, drifted, drifted ? types.get(0) : null, message, details, notes);
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
