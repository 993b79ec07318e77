package org.mcvirt.plan;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One executable step. subject is the object it acts on ({@code domain:node1/web1}); uses are the objects it
 * needs or releases; arguments carry everything the executor needs (rendered XML, names), so apply runs the
 * plan exactly as shown.
 */
public record Step(int id, StepKind kind, String node, String subject, List<String> uses, String change,
                   String description, Map<String, String> arguments, List<Integer> dependsOn) {
    public Step {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(subject, "subject");
        uses = List.copyOf(uses);
        arguments = new TreeMap<>(arguments);
        dependsOn = List.copyOf(dependsOn);
    }

    public String argument(String name) {
        String value = arguments.get(name);
        if (value == null) {
            throw new IllegalStateException("step " + id + " (" + kind + ") has no argument " + name);
        }
        return value;
    }
}
