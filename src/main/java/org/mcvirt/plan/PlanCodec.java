package org.mcvirt.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The versioned JSON form of a plan: what --json prints and what --out saves. See docs/plan-format.md. */
public final class PlanCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private PlanCodec() {
    }

    public static String toJson(Plan plan) {
        try {
            return MAPPER.writeValueAsString(plan) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a saved plan; a plan of another format version or a damaged file is refused. */
    public static Plan fromJson(String json) throws InvalidPlanException {
        Plan plan;
        try {
            plan = MAPPER.readValue(json, Plan.class);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof StepGraph.InvalidStepGraphException graph) {
                throw new InvalidPlanException(graph.getMessage()); // names the steps; a file position would not help
            }
            String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": ";
            throw new InvalidPlanException(where + e.getOriginalMessage());
        }
        if (plan.formatVersion() != Plan.FORMAT_VERSION) {
            throw new InvalidPlanException("plan format version " + plan.formatVersion() + " is not supported (this mcvirt"
                    + " reads version " + Plan.FORMAT_VERSION + ")");
        }
        if (plan.fingerprint() == null || plan.steps() == null || plan.changes() == null) {
            throw new InvalidPlanException("the plan is incomplete");
        }
        return plan;
    }

    /** A saved plan that cannot be used. */
    public static final class InvalidPlanException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidPlanException(String message) {
            super(message);
        }
    }
}
