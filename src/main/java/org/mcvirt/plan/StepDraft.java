package org.mcvirt.plan;

import java.util.List;
import java.util.Map;

/** A step before ordering: the differ emits these, {@link StepOrder} numbers and links them. */
record StepDraft(StepKind kind, String node, String subject, List<String> uses, String change, String description,
                 Map<String, String> arguments) {
    StepDraft {
        uses = List.copyOf(uses);
        arguments = Map.copyOf(arguments);
    }
}
