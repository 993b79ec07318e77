package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.PlanCodec;
import org.mcvirt.plan.Planner;
import org.mcvirt.plan.SavedPlanCheck;
import org.mcvirt.render.Renderer;
import org.mcvirt.state.ObservedState;

/**
 * The tampered saved plans (testdata/plan/tampered, each the golden replicated-create/plan.json with one edit, see its
 * README) through the checks apply runs on a saved plan ({@link SavedPlans}), with the golden case's manifest and
 * recorded observed state standing in for the cluster: every one is refused, naming its edit, and the golden plan
 * itself passes.
 */
class SavedPlanTamperTest {
    private static final Path CASE = Path.of("src/test/resources/testdata/plan/replicated-create");
    private static final Path TAMPERED = Path.of("src/test/resources/testdata/plan/tampered");

    /** Each tampered file and what its refusal must say. */
    private static final Map<String, List<String>> REFUSALS = Map.ofEntries(
            Map.entry("host-disk", List.of("step 12 (DEFINE_DOMAIN on beta), argument xml: ", "/dev/sda")),
            Map.entry("drbd-handlers", List.of("step 5 (WRITE_DRBD_CONFIG on alpha), argument text: ",
                    "id > /tmp/owned")),
            Map.entry("libvirt-uri-ext", List.of("node alpha, libvirtUri: ", "transport qemu+ext")),
            Map.entry("libvirt-uri-tcp", List.of("node beta, libvirtUri: ", "transport qemu+tcp")),
            Map.entry("libvirt-uri-no-host-key", List.of("node alpha, libvirtUri: ", "known_hosts_verify=ignore")),
            Map.entry("state-directory", List.of("node alpha, stateDirectory: \"/etc\" in the plan file")),
            Map.entry("address", List.of("node beta, address: \"203.0.113.66\" in the plan file")),
            Map.entry("known-hosts", List.of("node alpha, knownHosts: \"/dev/null\" in the plan file")),
            Map.entry("config-directory", List.of("step 6 (WRITE_DRBD_CONFIG on beta), argument configDirectory: ",
                    "/etc/cron.d")),
            Map.entry("secret-file", List.of("step 5 (WRITE_DRBD_CONFIG on alpha), argument secretFile: ",
                    "/root/.ssh/id_ed25519")),
            Map.entry("kind-swapped", List.of("step 9 (CREATE_DRBD_METADATA on alpha), kind: ", "DRBD_UP")),
            Map.entry("extra-step", List.of("step 14 (DELETE_LV on alpha) is in the plan file")),
            Map.entry("step-removed", List.of("step 13 (START_DOMAIN on beta)", "the plan file has no such step")),
            Map.entry("description", List.of("step 11 (DRBD_INITIAL_SYNC on beta), description: ")),
            Map.entry("depends-on", List.of("step 12 (DEFINE_DOMAIN on beta), dependsOn: [10] in the plan file")),
            Map.entry("lv-size", List.of("step 3 (CREATE_LV on alpha), argument bytes: \"1099511627776\" in the plan"
                    + " file, mcvirt plans \"67108864\"")),
            Map.entry("change-hidden", List.of("change vm.web1, ")),
            Map.entry("manifest-digest", List.of("the manifests do not match the saved plan")),
            Map.entry("cluster", List.of("the manifests do not match the saved plan")),
            Map.entry("made-with", List.of("step 1 (CREATE_POOL on alpha), ")));

    static Stream<Arguments> tampered() {
        return REFUSALS.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    private static DesiredState desired() throws Exception {
        return ManifestLoader.load(List.of(CASE.resolve("manifest.yaml")));
    }

    private static ObservedState observed() throws IOException {
        return new ObjectMapper().readValue(CASE.resolve("observed.json").toFile(), ObservedState.class);
    }

    /** What apply does with a saved plan before it would show it: the checks before connecting, then after reading. */
    private static Plan check(Plan saved) throws Exception {
        DesiredState desired = desired();
        ObservedState observed = observed();
        SavedPlans.beforeConnecting(saved, desired);
        return SavedPlans.afterReading(saved, observed,
                options -> new Planner(new Renderer(Optional.empty())).plan(desired, observed, options));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tampered")
    void everyTamperedPlanIsRefusedNamingItsEdit(String name, List<String> says) throws Exception {
        // the file reads as a valid plan: it is the comparison with a fresh plan that refuses it, not the format
        Plan saved = PlanCodec.fromJson(Files.readString(TAMPERED.resolve(name + ".json")));
        assertThatThrownBy(() -> check(saved)).as(name).isInstanceOf(McvirtException.class)
                .hasMessageContainingAll(says.toArray(String[]::new))
                .hasMessageContaining("nothing was changed");
    }

    @Test
    void theGoldenPlanItselfPassesAndRunsAsPlanned() throws Exception {
        String golden = Files.readString(CASE.resolve("plan.json"));
        Plan fresh = check(PlanCodec.fromJson(golden));
        assertThat(PlanCodec.toJson(fresh)).isEqualTo(golden);
    }

    @Test
    void aPlanMadeWithTargetsAndLiveIsPlannedAgainTheSameWay() throws Exception {
        Plan narrowed = new Planner(new Renderer(Optional.empty())).plan(desired(), observed(),
                new Planner.Options(Set.of("web1"), true));
        String json = PlanCodec.toJson(narrowed);
        assertThat(json).contains("\"madeWith\" : {");
        assertThat(PlanCodec.toJson(check(PlanCodec.fromJson(json)))).isEqualTo(json);
        // the same steps claimed as a plan of everything: planning everything gives more
        String claimed = json.replaceFirst("(?s),\\s*\"madeWith\" : \\{[^}]*}", "");
        assertThat(claimed).doesNotContain("madeWith");
        assertThatThrownBy(() -> check(PlanCodec.fromJson(claimed))).isInstanceOf(McvirtException.class)
                .hasMessageContaining("the saved plan is not what mcvirt plans");
    }

    @Test
    void onlyTheLibvirtTransportsMcvirtBuildsAreAccepted() {
        assertThat(SavedPlanCheck.transport("qemu:///system")).isEmpty();
        assertThat(SavedPlanCheck.transport("qemu:///session")).isEmpty();
        assertThat(SavedPlanCheck.transport("qemu+libssh://root@192.0.2.11:22/system?sshauth=privkey&keyfile=/k"
                + "&known_hosts=/h&known_hosts_verify=normal")).isEmpty();
        for (String uri : List.of("qemu+ext:///system?command=/bin/sh", "qemu+tcp://192.0.2.11/system",
                "qemu+ssh://root@192.0.2.11/system", "qemu+unix:///system?socket=/tmp/s", "qemu://192.0.2.11/system",
                "lxc:///", "test:///default", "qemu+libssh2://h/system", "not a uri")) {
            assertThat(SavedPlanCheck.transport(uri)).as(uri).isPresent();
        }
    }

    @Test
    void everyFileOfTheCorpusHasAReadmeLineAndAnExpectedRefusal() throws IOException {
        TreeSet<String> files = new TreeSet<>();
        try (Stream<Path> list = Files.list(TAMPERED)) {
            list.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".json"))
                    .forEach(f -> files.add(f.substring(0, f.length() - ".json".length())));
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(10).isEqualTo(new TreeSet<>(REFUSALS.keySet()));
        String readme = Files.readString(TAMPERED.resolve("README.md"));
        files.forEach(f -> assertThat(readme).contains("- `" + f + ".json`: "));
    }
}
