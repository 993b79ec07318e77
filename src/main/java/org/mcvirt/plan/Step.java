package org.mcvirt.plan;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One executable step. subject is the object it acts on ({@code domain:node1/web1}); uses are the objects it
 * needs or releases; its payload carries everything the executor needs (rendered XML, names, sizes), so apply runs
 * the plan exactly as shown, and its kind is the payload's. node is where it runs; peers are the other nodes it
 * touches (a migration's target, the peer that keeps a copy of a definition): the executor reserves them too, and the
 * journal gets a line on each. In JSON the payload is the step's {@code arguments} ({@link PayloadCodec}).
 */
@JsonPropertyOrder({"id", "kind", "node", "subject", "uses", "change", "description", "arguments", "dependsOn", "peers"})
public record Step(int id, String node, String subject, List<String> uses, String change, String description,
                   @JsonIgnore StepPayload payload, List<Integer> dependsOn,
                   @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> peers) {
    public Step {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(subject, "subject");
        uses = List.copyOf(uses);
        dependsOn = List.copyOf(dependsOn);
        peers = peers == null ? List.of() : peers.stream().filter(p -> !p.equals(node)).distinct().sorted().toList();
    }

    /** A step on one node. */
    public Step(int id, String node, String subject, List<String> uses, String change, String description,
                StepPayload payload, List<Integer> dependsOn) {
        this(id, node, subject, uses, change, description, payload, dependsOn, List.of());
    }

    /** A saved step: its arguments read into its kind's payload; arguments that do not fit it are refused. */
    @JsonCreator
    static Step fromJson(@JsonProperty("id") int id, @JsonProperty("kind") StepKind kind,
                         @JsonProperty("node") String node, @JsonProperty("subject") String subject,
                         @JsonProperty("uses") List<String> uses, @JsonProperty("change") String change,
                         @JsonProperty("description") String description,
                         @JsonProperty("arguments") Map<String, String> arguments,
                         @JsonProperty("dependsOn") List<Integer> dependsOn, @JsonProperty("peers") List<String> peers) {
        Objects.requireNonNull(kind, "kind");
        StepPayload payload;
        try {
            payload = PayloadCodec.fromArguments(kind, arguments);
        } catch (PayloadCodec.InvalidArgumentsException e) {
            throw new InvalidStepException("step " + id + " (" + kind + "): " + e.getMessage());
        }
        return new Step(id, node, subject, uses, change, description, payload, dependsOn, peers);
    }

    /** A saved step whose arguments do not fit its kind. */
    static final class InvalidStepException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidStepException(String message) {
            super(message);
        }
    }

    @JsonProperty("kind")
    public StepKind kind() {
        return payload.kind();
    }

    /** The payload's JSON form, keys in name order. */
    @JsonProperty("arguments")
    public Map<String, String> arguments() {
        return PayloadCodec.toArguments(payload);
    }

    /**
     * The payload as its kind's record: for a caller that has switched over {@link #kind()}, so the cast cannot
     * fail unless the switch names the wrong record.
     */
    public <T extends StepPayload> T payload(Class<T> type) {
        return type.cast(payload);
    }

    /** Every node the step touches: its own first, then its peers in name order. */
    public List<String> nodes() {
        List<String> all = new ArrayList<>();
        all.add(node);
        all.addAll(peers);
        return all;
    }
}
