package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every step kind has its payload record, and its JSON form is read back to the same record or refused. */
class PayloadCodecTest {
    private static final Path PLAN = Path.of("src/test/resources/testdata/plan/migrate-live/plan.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(StepKind.class)
    void everyKindHasAPayloadThatRoundTripsThroughItsArguments(StepKind kind) {
        StepPayload payload = SamplePayloads.of(kind);
        assertThat(payload.kind()).isEqualTo(kind);
        Map<String, String> arguments = PayloadCodec.toArguments(payload);
        assertThat(arguments).isNotEmpty().allSatisfy((key, value) -> assertThat(value).isNotNull());
        if (payload instanceof StepPayload.WriteSeed seed) {
            // the seed's files (the user data may hold secrets) are never written: only their digest
            assertThat(arguments.values()).noneMatch(v -> v.contains("UD") || v.contains("MD"));
            assertThat(PayloadCodec.fromArguments(kind, arguments)).isEqualTo(new StepPayload.WriteSeed(seed.pool(),
                    seed.directory(), seed.name(), seed.digest(), null, null, null));
            return;
        }
        assertThat(PayloadCodec.fromArguments(kind, arguments)).isEqualTo(payload);
    }

    @Test
    void thereIsOneRecordPerKind() {
        assertThat(StepPayload.class.getPermittedSubclasses()).hasSize(StepKind.values().length)
                .allSatisfy(type -> assertThat(type.isRecord()).as(type + " is a record").isTrue());
        assertThat(Arrays.stream(StepKind.values()).map(k -> SamplePayloads.of(k).getClass()).distinct())
                .as("each kind has a record of its own").hasSize(StepKind.values().length);
    }

    @Test
    void anAdoptionOnlyDefineIsTheSameDefineOnTheWire() {
        StepPayload.DefineDomain adopt = new StepPayload.DefineDomain("web", "<domain/>", Map.of("a", "/s"), true);
        assertThat(PayloadCodec.toArguments(adopt)).isEqualTo(PayloadCodec.toArguments(
                new StepPayload.DefineDomain("web", "<domain/>", Map.of("a", "/s"))));
        assertThat(((StepPayload.DefineDomain) PayloadCodec.fromArguments(StepKind.DEFINE_DOMAIN,
                PayloadCodec.toArguments(adopt))).adoptionOnly()).isFalse();
    }

    @Test
    void numbersFlagsAndPerNodeDataKeepTheirWireForm() {
        assertThat(PayloadCodec.toArguments(new StepPayload.DrbdDemote("R", 7, true)))
                .containsExactly(Map.entry("forbidTwoPrimaries", "true"), Map.entry("minor", "7"),
                        Map.entry("resource", "R"));
        assertThat(PayloadCodec.toArguments(new StepPayload.DrbdDemote("R", 7, false))).doesNotContainKey(
                "forbidTwoPrimaries");
        assertThat(PayloadCodec.toArguments(new StepPayload.MigrateLive("web", "b", "tcp://b", Map.of("r1", 3, "r2", 4),
                Map.of("b", "/s", "a", "/t"), 100, false))).containsExactly(Map.entry("autoConverge", "false"),
                Map.entry("copy.a", "/t"), Map.entry("copy.b", "/s"), Map.entry("maxDowntimeMs", "100"),
                Map.entry("migrationUri", "tcp://b"), Map.entry("name", "web"), Map.entry("resource.r1", "3"),
                Map.entry("resource.r2", "4"), Map.entry("target", "b"));
        assertThat(PayloadCodec.toArguments(new StepPayload.SetMemoryLive("web", 1L << 33)))
                .containsEntry("kib", "8589934592");
    }

    @Test
    void argumentsThatDoNotFitTheKindAreRefused() {
        Map<String, String> demote = new TreeMap<>(Map.of("resource", "R", "minor", "7"));
        assertThat(PayloadCodec.fromArguments(StepKind.DRBD_DEMOTE, demote))
                .isEqualTo(new StepPayload.DrbdDemote("R", 7, false));
        demote.put("minor", "seven");
        assertThatThrownBy(() -> PayloadCodec.fromArguments(StepKind.DRBD_DEMOTE, demote))
                .hasMessage("the arguments of a DRBD_DEMOTE step have 'minor' = 'seven', which is not a whole number");
        demote.put("minor", "7");
        demote.put("forbidTwoPrimaries", "yes");
        assertThatThrownBy(() -> PayloadCodec.fromArguments(StepKind.DRBD_DEMOTE, demote))
                .hasMessage("the arguments of a DRBD_DEMOTE step have 'forbidTwoPrimaries' = 'yes'; it is 'true' or"
                        + " absent");
        assertThatThrownBy(() -> PayloadCodec.fromArguments(StepKind.START_DOMAIN, Map.of()))
                .hasMessage("the arguments of a START_DOMAIN step have no 'name'");
        assertThatThrownBy(() -> PayloadCodec.fromArguments(StepKind.START_DOMAIN, Map.of("name", "a", "xml", "x")))
                .hasMessage("the arguments of a START_DOMAIN step have an argument it does not take: 'xml'");
        assertThatThrownBy(() -> PayloadCodec.fromArguments(StepKind.SET_AUTOSTART, Map.of("name", "a",
                "autostart", "1"))).hasMessage("the arguments of a SET_AUTOSTART step have 'autostart' = '1', which"
                + " is neither true nor false");
    }

    private static String edited(java.util.function.Consumer<ObjectNode> edit) throws Exception {
        ObjectNode plan = (ObjectNode) JSON.readTree(Files.readString(PLAN));
        edit.accept(plan);
        return JSON.writeValueAsString(plan);
    }

    @Test
    void aSavedPlanWithAMissingOrGarbageArgumentIsRefusedNamingTheStep() throws Exception {
        assertThat(PlanCodec.fromJson(edited(plan -> { })).steps()).isNotEmpty();
        String missing = edited(plan -> ((ObjectNode) plan.get("steps").get(0).get("arguments")).remove("target"));
        assertThatThrownBy(() -> PlanCodec.fromJson(missing)).isInstanceOf(PlanCodec.InvalidPlanException.class)
                .hasMessage("step 1 (MIGRATE_LIVE): the arguments of a MIGRATE_LIVE step have no 'target'; make the"
                        + " plan again with this mcvirt");
        String garbage = edited(plan -> ((ObjectNode) plan.get("steps").get(0).get("arguments"))
                .put("resource.mcvirt_files1_root", "three hundred"));
        assertThatThrownBy(() -> PlanCodec.fromJson(garbage)).isInstanceOf(PlanCodec.InvalidPlanException.class)
                .hasMessageStartingWith("step 1 (MIGRATE_LIVE): the arguments of a MIGRATE_LIVE step have"
                        + " 'resource.mcvirt_files1_root' = 'three hundred', which is not a whole number");
    }

    @Test
    void aVersion2PlanIsRefusedWithWhatToDo() throws Exception {
        String version2 = edited(plan -> plan.put("formatVersion", 2));
        assertThatThrownBy(() -> PlanCodec.fromJson(version2)).isInstanceOf(PlanCodec.InvalidPlanException.class)
                .hasMessage("plan format version 2 is not supported: this mcvirt reads version 3 only; make the plan"
                        + " again with this mcvirt ('mcvirt plan --out FILE')");
        // refused for its version even when its steps would not read as version 3 steps either
        String oldSteps = edited(plan -> {
            plan.put("formatVersion", 2);
            ((ObjectNode) plan.get("steps").get(0).get("arguments")).remove("target");
        });
        assertThatThrownBy(() -> PlanCodec.fromJson(oldSteps)).hasMessageStartingWith("plan format version 2 is not");
    }
}
