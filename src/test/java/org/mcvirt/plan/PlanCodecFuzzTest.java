package org.mcvirt.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mcvirt.testing.Mutations;

/**
 * Fuzzing of the saved plan's reader: the golden plan.json files (testdata/plan/CASE), mutated (see
 * {@link Mutations}), and token soup. {@link PlanCodec#fromJson} gives a plan or an {@link
 * PlanCodec.InvalidPlanException} with a message a person can read; nothing else escapes, and a plan it gives can be
 * written back. A fixed seed (README, "Tests").
 */
class PlanCodecFuzzTest {
    private static final Path PLANS = Path.of("src/test/resources/testdata/plan");

    static List<String> goldenPlans() {
        try (Stream<Path> files = Files.walk(PLANS)) {
            return files.filter(p -> p.getFileName().toString().equals("plan.json")).sorted().map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> tokens() {
        List<String> words = new java.util.ArrayList<>(List.of("{", "}", "[", "]", ",", ":", "\"", "null", "true",
                "false", "0", "-1", "2147483648", "99999999999999999999", "1.5", "\"\"", "{}", "[]",
                "\"formatVersion\"", "\"steps\"", "\"changes\"", "\"fingerprint\"", "\"kind\"", "\"arguments\"",
                "\"id\"", "\"node\"", "\"dependsOn\"", "\"description\"", "\"minor\"", "\"resource\"", "\"xml\"",
                "\"copy.\"", "\"resource.\"", "\"forget.\"", "\"forbidTwoPrimaries\"", "\"secretFile\"",
                "\"secretEnv\"", "\"action\"", "\"before\"", "\"after\""));
        Arrays.stream(StepKind.values()).map(k -> "\"" + k.name() + "\"").forEach(words::add);
        Arrays.stream(Action.values()).map(a -> "\"" + a.name() + "\"").forEach(words::add);
        return words;
    }

    @Provide
    Arbitrary<String> plans() {
        return Mutations.mixed(goldenPlans(), tokens(), Mutations.JSON_VALUES, Mutations::jsonEscaped);
    }

    @Property(tries = 1500, seed = "1700006", edgeCases = EdgeCasesMode.NONE)
    void aSavedPlanReadsOrIsRefusedClearly(@ForAll("plans") String json) {
        Plan plan;
        try {
            plan = PlanCodec.fromJson(json);
        } catch (PlanCodec.InvalidPlanException e) {
            Mutations.assertClearMessage("PlanCodec.fromJson", e);
            return;
        }
        PlanCodec.toJson(plan);
    }
}
