package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;
import org.mcvirt.render.Renderer;
import org.mcvirt.state.ObservedState;
import org.mcvirt.testing.Goldens;
import org.mcvirt.testing.XmlValidator;

/**
 * Golden folders: testdata/plan/CASE/{manifest.yaml, observed.json} in, {plan.txt, plan.json, plan.md (the merge
 * request form), graph.dot (the step graph)} out. The observed
 * states were read from a real libvirtd with 'mcvirt observe' and then varied by hand. After a deliberate change
 * of the output, regenerate with -Dgolden.update=true and review the diff (refused where the environment has CI).
 */
class PlanGoldenTest {
    private static final Path ROOT = Path.of("src/test/resources/testdata/plan");
    /** -Dgolden.update=true, refused where CI is set (testing.Goldens). */
    private static boolean update;

    @BeforeAll
    static void noGoldenUpdateInCi() {
        update = Goldens.update();
    }

    static Stream<String> cases() throws IOException {
        try (Stream<Path> list = Files.list(ROOT)) {
            // (a folder without a manifest, such as tampered/, holds other test data)
            return list.filter(p -> Files.isRegularFile(p.resolve("manifest.yaml"))).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    static Plan plan(Path folder) throws Exception {
        return plan(folder, Planner.Options.all());
    }

    static Plan plan(Path folder, Planner.Options options) throws Exception {
        DesiredState desired = ManifestLoader.load(List.of(folder.resolve("manifest.yaml")));
        ObservedState observed = new ObjectMapper().readValue(folder.resolve("observed.json").toFile(), ObservedState.class);
        return new Planner(new Renderer(Optional.empty())).plan(desired, observed, options);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void planMatchesGolden(String name) throws Exception {
        Path folder = ROOT.resolve(name);
        Plan plan = plan(folder);
        check(folder.resolve("plan.txt"), PlanText.render(plan, false));
        check(folder.resolve("plan.json"), PlanCodec.toJson(plan));
        check(folder.resolve("plan.md"), PlanMarkdown.render(plan));
        check(folder.resolve("graph.dot"), PlanGraph.dot(plan));
        // the JSON form reads back to the same steps and changes (what apply PLANFILE relies on) and to the same JSON;
        // problems and warnings read back as their messages only (PlanFinding.saved), so compare those as text
        Plan read = PlanCodec.fromJson(PlanCodec.toJson(plan));
        assertThat(read.steps()).isEqualTo(plan.steps());
        assertThat(read.changes()).isEqualTo(plan.changes());
        assertThat(read.problemMessages()).isEqualTo(plan.problemMessages());
        assertThat(PlanCodec.toJson(read)).isEqualTo(PlanCodec.toJson(plan));
        // planning twice gives the same bytes
        assertThat(PlanCodec.toJson(plan(folder))).isEqualTo(PlanCodec.toJson(plan));
    }

    /** Every XML a step of a golden plan carries passes libvirt's schema check (virt-xml-validate, tag "tools"). */
    @ParameterizedTest
    @MethodSource("cases")
    @Tag("tools")
    void everyXmlOfAPlanIsValid(String name) throws Exception {
        Plan plan = plan(ROOT.resolve(name));
        for (Step step : plan.steps()) {
            String schema = switch (step.kind()) {
                case DEFINE_DOMAIN -> "domain";
                case CREATE_NETWORK -> "network";
                case CREATE_POOL -> "storagepool";
                case CREATE_VOLUME -> "storagevol";
                default -> null;
            };
            if (schema != null) {
                XmlValidator.assertValid(step.arguments().get("xml"), schema);
            }
        }
    }

    private static void check(Path golden, String actual) throws IOException {
        if (update) {
            Files.writeString(golden, actual);
        }
        assertThat(golden).as("golden file %s (run with -Dgolden.update=true to create it)", golden).exists();
        assertThat(actual).isEqualTo(Files.readString(golden));
    }
}
