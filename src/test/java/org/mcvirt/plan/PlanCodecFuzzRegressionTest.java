package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Saved plans that PlanCodecFuzzTest (seed 1700006) found PlanCodec.fromJson failing on. */
class PlanCodecFuzzRegressionTest {
    private static final Path GOLDEN = Path.of("src/test/resources/testdata/plan/hotplug-running-vm/plan.json");

    private static String without(String field) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode plan = (ObjectNode) mapper.readTree(Files.readString(GOLDEN));
        plan.remove(field);
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(plan);
    }

    /** Was: "Cannot construct instance of `org.mcvirt.plan.Plan`, problem: Cannot invoke ... because "coll" is null". */
    @Test
    void aPlanWithoutItsChangesOrStepsIsIncomplete() throws Exception {
        for (String field : new String[] {"changes", "steps", "problems", "fingerprint"}) {
            assertThatThrownBy(() -> PlanCodec.fromJson(without(field)))
                    .isInstanceOf(PlanCodec.InvalidPlanException.class)
                    .hasMessageStartingWith("the plan is incomplete: ")
                    .hasMessageNotContaining("Exception").hasMessageNotContaining("Cannot invoke");
        }
    }
}
