package org.mcvirt.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One executable step. subject is the object it acts on ({@code domain:node1/web1}); uses are the objects it
 * needs or releases; arguments carry everything the executor needs (rendered XML, names), so apply runs the
 * plan exactly as shown. node is where it runs; peers are the other nodes it touches (a migration's target, the
 * peer that keeps a copy of a definition): the executor reserves them too, and the journal gets a line on each.
 */
public record Step(int id, StepKind kind, String node, String subject, List<String> uses, String change,
                   String description, Map<String, String> arguments, List<Integer> dependsOn,
                   @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> peers) {
    @com.fasterxml.jackson.annotation.JsonCreator
    public Step {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(subject, "subject");
        uses = List.copyOf(uses);
        arguments = new TreeMap<>(arguments);
        dependsOn = List.copyOf(dependsOn);
        peers = peers == null ? List.of() : peers.stream().filter(p -> !p.equals(node)).distinct().sorted().toList();
    }

    /** A step on one node. */
    public Step(int id, StepKind kind, String node, String subject, List<String> uses, String change,
                String description, Map<String, String> arguments, List<Integer> dependsOn) {
        this(id, kind, node, subject, uses, change, description, arguments, dependsOn, List.of());
    }

    /** Every node the step touches: its own first, then its peers in name order. */
    public List<String> nodes() {
        List<String> all = new java.util.ArrayList<>();
        all.add(node);
        all.addAll(peers);
        return all;
    }

    public String argument(String name) {
        String value = arguments.get(name);
        if (value == null) {
            throw new IllegalStateException("step " + id + " (" + kind + ") has no argument " + name);
        }
        return value;
    }
}
