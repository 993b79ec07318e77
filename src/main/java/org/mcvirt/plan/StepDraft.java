package org.mcvirt.plan;

import java.util.List;
import java.util.Objects;

/** A step before ordering: the differ emits these, {@link StepOrder} numbers and links them. */
record StepDraft(String node, String subject, List<String> uses, String change, String description,
                 StepPayload payload, List<String> peers) {
    StepDraft {
        Objects.requireNonNull(payload, "payload");
        uses = List.copyOf(uses);
        peers = peers == null ? List.of() : List.copyOf(peers);
    }

    StepDraft(String node, String subject, List<String> uses, String change, String description, StepPayload payload) {
        this(node, subject, uses, change, description, payload, List.of());
    }

    StepKind kind() {
        return payload.kind();
    }
}
