package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Saved plans whose step graph cannot be walked are refused when read, naming the steps. */
class PlanCodecTest {
    /** Steps 1..8; 2, 3, 4 depend on 1; 6 on 2, 3, 5; 7 on 4, 5; 8 on 5, 7. */
    private static final Path PLAN = Path.of("src/test/resources/testdata/plan/create-from-empty/plan.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String edited(Consumer<ArrayNode> edit) throws Exception {
        ObjectNode plan = (ObjectNode) JSON.readTree(Files.readString(PLAN));
        edit.accept((ArrayNode) plan.get("steps"));
        return JSON.writeValueAsString(plan);
    }

    private static ObjectNode step(ArrayNode steps, int id) {
        for (var step : steps) {
            if (step.get("id").asInt() == id) {
                return (ObjectNode) step;
            }
        }
        throw new AssertionError("no step " + id);
    }

    private static void dependsOn(ArrayNode steps, int id, int... dependencies) {
        ArrayNode list = step(steps, id).putArray("dependsOn");
        for (int dependency : dependencies) {
            list.add(dependency);
        }
    }

    @Test
    void theUneditedPlanIsRead() throws Exception {
        assertThat(PlanCodec.fromJson(edited(steps -> { })).steps()).hasSize(8);
    }

    @Test
    void aDependencyOnAMissingStepIsRefused() throws Exception {
        String json = edited(steps -> dependsOn(steps, 3, 1, 9));
        assertThatThrownBy(() -> PlanCodec.fromJson(json)).isInstanceOf(PlanCodec.InvalidPlanException.class)
                .hasMessage("step 3 depends on step 9, which is not in the plan");
    }

    @Test
    void aDuplicateIdIsRefused() throws Exception {
        String json = edited(steps -> step(steps, 4).put("id", 3));
        assertThatThrownBy(() -> PlanCodec.fromJson(json)).isInstanceOf(PlanCodec.InvalidPlanException.class)
                .hasMessage("two steps have the id 3");
    }

    @Test
    void aCycleIsRefused() throws Exception {
        String json = edited(steps -> dependsOn(steps, 1, 8));
        assertThatThrownBy(() -> PlanCodec.fromJson(json)).isInstanceOf(PlanCodec.InvalidPlanException.class)
                .hasMessage("step 1 depends on step 8, which depends on step 7, which depends on step 4, which depends"
                        + " on step 1: the steps form a cycle");
    }

    @Test
    void aStepThatDependsOnItselfIsRefused() throws Exception {
        String json = edited(steps -> dependsOn(steps, 2, 1, 2));
        assertThatThrownBy(() -> PlanCodec.fromJson(json)).isInstanceOf(PlanCodec.InvalidPlanException.class)
                .hasMessage("step 2 depends on itself");
    }

    @Test
    void aPlanBuiltInCodeIsCheckedToo() {
        Step lonely = new Step(1, "n", "domain:n/vm", List.of(), "vm.vm", "start vm",
                new StepPayload.StartDomain("vm"), List.of(2));
        assertThatThrownBy(() -> new Plan(Plan.FORMAT_VERSION, "c", "f", List.of(), List.of(lonely), List.of(),
                new Plan.Summary(0, 0, 0, 0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("step 1 depends on step 2, which is not in the plan");
    }
}
