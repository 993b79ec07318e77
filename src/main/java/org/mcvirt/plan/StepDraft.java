package org.mcvirt.plan;

import java.util.List;
import java.util.Map;

/** A step before ordering: the differ emits these, {@link StepOrder} numbers and links them. */
record StepDraft(StepKind kind, String node, String subject, List<String> uses, String change, String description,
                 Map<String, String> arguments, List<String> peers) {
    StepDraft {
        uses = List.copyOf(uses);
        arguments = Map.copyOf(arguments);
        peers = peers == null ? List.of() : List.copyOf(peers);
    }

    StepDraft(StepKind kind, String node, String subject, List<String> uses, String change, String description,
              Map<String, String> arguments) {
        this(kind, node, subject, uses, change, description, arguments, List.of());
    }
}
