package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.IntRange;
import org.mcvirt.render.Renderer;
import org.mcvirt.state.ObservedState;

/**
 * Values read back from the nodes are checked before use (issue 17 item 3): a domain's mcvirt mark whose resource,
 * pair, name, minor or port is not what mcvirt would have written is a plan problem about the vm, naming the domain
 * and the node, and none of its values reaches a step. Starts from golden cases (a vm files1 of cluster gold on node1,
 * pair node1/node2, DRBD minors 300-399, ports 7800-7849) with the mark tampered in the observed state.
 */
class TamperedMarkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("src/test/resources/testdata/plan");
    /** files1 defined on node1 with its disk Secondary on both nodes: the plan promotes it on node1 and starts it. */
    private static final String PRESENT = "migrate-undone-both-secondary";

    private static Plan plan(String folder, boolean withoutVms, Consumer<ObjectNode> tamper) throws Exception {
        DesiredState desired = ManifestLoader.load(List.of(ROOT.resolve(folder).resolve("manifest.yaml")));
        if (withoutVms) {
            desired = new DesiredState(desired.cluster(), desired.nodes(), desired.networks(), List.of());
        }
        ObjectNode observed = (ObjectNode) JSON.readTree(ROOT.resolve(folder).resolve("observed.json").toFile());
        tamper.accept(observed);
        return new Planner(new Renderer(Optional.empty())).plan(desired, JSON.treeToValue(observed,
                ObservedState.class), Planner.Options.all());
    }

    /** The mark of files1 on node1. */
    private static ObjectNode mark(ObjectNode observed) {
        for (var node : observed.get("nodes")) {
            for (var domain : node.get("domains")) {
                if (domain.get("name").asText().equals("files1") && node.get("node").asText().equals("node1")) {
                    return (ObjectNode) domain.get("metadata");
                }
            }
        }
        throw new AssertionError("no files1 on node1");
    }

    private static ObjectNode disk(ObjectNode observed) {
        return (ObjectNode) mark(observed).get("disks").get(0);
    }

    private static void assertRefusedWithout(Plan plan, String tampered) {
        assertThat(plan.problems()).as(plan.problemMessages().toString())
                .anySatisfy(p -> {
                    assertThat(p.code()).isEqualTo(PlanFinding.Code.MARK_UNTRUSTED);
                    assertThat(p.subject()).isEqualTo(PlanFinding.Subject.vm("files1", "node1"));
                    assertThat(p.message()).contains("domain files1", "node node1");
                });
        assertThat(plan.steps()).as("no step of the vm is planned").noneMatch(s -> s.change().startsWith("vm.files1"));
        assertThat(plan.steps()).as("no step carries the tampered value")
                .noneMatch(s -> s.arguments().values().stream().anyMatch(v -> v != null && v.contains(tampered)));
    }

    @Test
    void theUntamperedCasePlansAPromoteAndAStart() throws Exception {
        Plan plan = plan(PRESENT, false, o -> { });
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.DRBD_PROMOTE, StepKind.START_DOMAIN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"all", "../x", "mcvirt_other_root", "mcvirt_files1_data"})
    void aResourceThatIsNotTheDerivedNameIsRefused(String resource) throws Exception {
        Plan plan = plan(PRESENT, false, o -> disk(o).put("resource", resource));
        assertRefusedWithout(plan, resource);
        assertThat(plan.problemMessages()).anyMatch(m -> m.contains("mcvirt_files1_root"));
        assertThat(plan.warnings()).as("no disk-health fix names the tampered resource")
                .noneMatch(w -> w.message().contains(" " + resource + "'"));
    }

    @Test
    void aWellFormedImageInTheMarkIsUsedLikeAnyOtherMark() throws Exception {
        Plan plan = plan(PRESENT, false, o -> disk(o).putObject("image").put("name", "debian12")
                .put("sha256", "0123456789ab"));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.DRBD_PROMOTE, StepKind.START_DOMAIN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x,0123456789ab", "debian12,../../etc/x", "debian12,0123456789AB"})
    void anImageThatIsNotWhatMcvirtWritesIsRefused(String image) throws Exception {
        String[] parts = image.split(",");
        Plan plan = plan(PRESENT, false, o -> disk(o).putObject("image").put("name", parts[0]).put("sha256", parts[1]));
        assertRefusedWithout(plan, parts[0].startsWith("..") ? parts[0] : parts[1]);
    }

    @Test
    void aPairNodeOutsideTheManifestIsRefused() throws Exception {
        Plan plan = plan(PRESENT, false, o -> ((ArrayNode) mark(o).get("pair")).set(1, "evil.example.com"));
        assertRefusedWithout(plan, "evil.example.com");
        assertThat(plan.problemMessages()).anyMatch(m -> m.contains("evil.example.com"));
    }

    @Test
    void aMinorOutsideTheClustersRangeIsRefused() throws Exception {
        assertRefusedWithout(plan(PRESENT, false, o -> disk(o).put("minor", 5).put("source", "/dev/drbd5")),
                "/dev/drbd5");
        assertRefusedWithout(plan(PRESENT, false, o -> disk(o).put("minor", 400).put("source", "/dev/drbd400")),
                "/dev/drbd400");
    }

    @Test
    void aPortOutsideTheClustersRangeIsRefused() throws Exception {
        Plan plan = plan(PRESENT, false, o -> disk(o).put("port", 22));
        assertRefusedWithout(plan, "mcvirt_files1_root");
        assertThat(plan.problemMessages()).anyMatch(m -> m.contains("port 22") && m.contains("7800-7849"));
    }

    @Test
    void aMarkNamingAnotherVmIsRefused() throws Exception {
        assertRefusedWithout(plan(PRESENT, false, o -> mark(o).put("name", "web")), "web");
    }

    @Test
    void aReplicatedDiskWhoseSourceIsNotItsDrbdDeviceIsRefused() throws Exception {
        assertRefusedWithout(plan(PRESENT, false, o -> disk(o).put("source", "/dev/sda")), "/dev/sda");
    }

    @ParameterizedTest
    @ValueSource(strings = {"all", "../../etc/x"})
    void aRemovedVmWithATamperedMarkIsNotTakenDown(String resource) throws Exception {
        Plan untampered = plan(PRESENT, true, o -> { });
        assertThat(untampered.steps()).extracting(Step::kind).contains(StepKind.DELETE_DRBD, StepKind.DELETE_LV);
        Plan plan = plan(PRESENT, true, o -> disk(o).put("resource", resource));
        assertRefusedWithout(plan, resource);
        assertThat(plan.steps()).extracting(Step::kind).doesNotContain(StepKind.DELETE_DRBD, StepKind.DELETE_LV,
                StepKind.UNDEFINE_DOMAIN);
    }

    @Test
    void aRemovedVmWithATamperedStorageIsNotTakenDown() throws Exception {
        Plan plan = plan(PRESENT, true, o -> disk(o).put("storage", "../vg0"));
        assertRefusedWithout(plan, "../vg0");
        assertThat(plan.steps()).extracting(Step::kind).doesNotContain(StepKind.DELETE_DRBD, StepKind.DELETE_LV);
    }

    @Test
    void aRemovedVmsFileDiskIsDeletedOnlyByItsOwnVolumeName() throws Exception {
        // vm-removed: demo-web (one file disk, root) is not in the manifest; its mark points at demo-db's volume
        Plan untampered = plan("vm-removed", false, o -> { });
        assertThat(untampered.steps()).anyMatch(s -> s.kind() == StepKind.DELETE_VOLUME
                && s.arguments().containsValue("demo-web-root.qcow2"));
        Plan plan = plan("vm-removed", false, o -> {
            for (var domain : o.get("nodes").get(0).get("domains")) {
                if (domain.get("name").asText().equals("demo-web")) {
                    ((ObjectNode) domain.get("metadata").get("disks").get(0))
                            .put("source", "/var/lib/mcvirt/images/demo-db-data.qcow2");
                }
            }
        });
        assertThat(plan.problems()).anySatisfy(p -> {
            assertThat(p.code()).isEqualTo(PlanFinding.Code.MARK_UNTRUSTED);
            assertThat(p.subject()).isEqualTo(PlanFinding.Subject.vm("demo-web", "here"));
            assertThat(p.message()).contains("domain demo-web on node here", "demo-web-root.qcow2");
        });
        assertThat(plan.steps()).noneMatch(s -> s.kind() == StepKind.DELETE_VOLUME);
        assertThat(plan.steps()).noneMatch(s -> s.change().equals("vm.demo-web"));
    }

    @Test
    void adoptingADiskWhoseKeptMinorIsOutsideTheRangesIsRefusedWithTheRange() throws Exception {
        // files1 without its mark (a domain to adopt), its resource up with minor 300, port 7800
        DesiredState loaded = ManifestLoader.load(List.of(ROOT.resolve(PRESENT).resolve("manifest.yaml")));
        ObjectNode observed = (ObjectNode) JSON.readTree(ROOT.resolve(PRESENT).resolve("observed.json").toFile());
        mark(observed);
        for (var node : observed.get("nodes")) {
            for (var domain : node.get("domains")) {
                if (domain.get("name").asText().equals("files1")) {
                    ((ObjectNode) domain).putNull("metadata");
                    ((ObjectNode) domain).put("definition", domain.get("definition").asText()
                            .replaceAll("(?s)<metadata>.*</metadata>", ""));
                }
            }
        }
        ObservedState unmarked = JSON.treeToValue(observed, ObservedState.class);
        Planner.Options adopt = new Planner.Options(Set.of("files1"), false, Set.of("files1"));
        Planner planner = new Planner(new Renderer(Optional.empty()));
        assertThat(planner.plan(loaded, unmarked, adopt).problems()).as("within the ranges it is adopted").isEmpty();
        DrbdSpec drbd = loaded.cluster().drbd();
        DesiredState narrow = new DesiredState(new ClusterSpec(loaded.cluster().name(), new DrbdSpec(drbd.enabled(),
                drbd.protocol(), drbd.syncRate(), drbd.verifyAlg(), drbd.ports(), new IntRange(400, 499),
                drbd.secret())), loaded.nodes(), loaded.networks(), loaded.vms());
        Plan plan = planner.plan(narrow, unmarked, adopt);
        assertThat(plan.problems()).extracting(PlanFinding::code).doesNotContain(PlanFinding.Code.MARK_UNTRUSTED);
        assertThat(plan.problems()).anySatisfy(p -> {
            assertThat(p.code()).isEqualTo(PlanFinding.Code.ADOPTION_REFUSED);
            assertThat(p.message()).contains("vm files1 cannot be adopted", "minor 300", "400-499",
                    "widen cluster.drbd's ranges");
        });
        assertThat(plan.steps()).isEmpty();
    }

    @Test
    void aTamperedMarkOfAnotherNodesCopyIsRefusedToo() throws Exception {
        // a move: files1 is on node1 and the manifest puts it on node2; its mark on node1 names resource "all"
        Plan plan = plan("migrate-offline", false, o -> {
            for (var node : o.get("nodes")) {
                for (var domain : node.get("domains")) {
                    if (domain.get("name").asText().equals("files1") && domain.hasNonNull("metadata")) {
                        ((ObjectNode) domain.get("metadata").get("disks").get(0)).put("resource", "all");
                    }
                }
            }
        });
        assertThat(plan.problems()).anySatisfy(p -> assertThat(p.code()).isEqualTo(PlanFinding.Code.MARK_UNTRUSTED));
        assertThat(plan.steps()).noneMatch(s -> s.arguments().values().stream().anyMatch("all"::equals));
        assertThat(plan.steps()).noneMatch(s -> s.change().startsWith("vm.files1"));
    }
}
