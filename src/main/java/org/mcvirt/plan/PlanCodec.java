package org.mcvirt.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
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

    /**
     * Reads a saved plan; a plan of another format version (checked first, before anything else of it is read), a
     * step whose arguments do not fit its kind, or a damaged file is refused.
     */
    public static Plan fromJson(String json) throws InvalidPlanException {
        checkVersion(json);
        Plan plan;
        try {
            plan = MAPPER.readValue(json, Plan.class);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof StepGraph.InvalidStepGraphException graph) {
                throw new InvalidPlanException(graph.getMessage()); // names the steps; a file position would not help
            }
            if (e.getCause() instanceof Step.InvalidStepException step) {
                throw new InvalidPlanException(step.getMessage() + "; make the plan again with this mcvirt");
            }
            String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": ";
            if (e.getCause() instanceof NullPointerException) { // a record's required value or list is absent or null
                throw new InvalidPlanException("the plan is incomplete: " + where + "a value it needs is null or missing");
            }
            throw new InvalidPlanException(where + e.getOriginalMessage());
        }
        if (plan.fingerprint() == null || plan.steps() == null || plan.changes() == null) {
            throw new InvalidPlanException("the plan is incomplete");
        }
        return plan;
    }

    /** Refuses a plan of a format version this mcvirt does not read, whatever else it holds. */
    private static void checkVersion(String json) throws InvalidPlanException {
        JsonNode version;
        try {
            version = MAPPER.readTree(json).path("formatVersion");
        } catch (JsonProcessingException e) {
            return; // a damaged file: reading it as a plan says where
        }
        if (!version.isInt()) {
            throw new InvalidPlanException("the plan has no format version; make the plan again with this mcvirt"
                    + " ('mcvirt plan --out FILE')");
        }
        if (version.intValue() != Plan.FORMAT_VERSION) {
            throw new InvalidPlanException("plan format version " + version.intValue() + " is not supported: this"
                    + " mcvirt reads version " + Plan.FORMAT_VERSION + " only; make the plan again with this mcvirt"
                    + " ('mcvirt plan --out FILE')");
        }
    }

    /** A saved plan that cannot be used. */
    public static final class InvalidPlanException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidPlanException(String message) {
            super(message);
        }
    }
}
