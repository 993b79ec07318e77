package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;
import org.mcvirt.state.ObservedState;

/**
 * verify and resync run drbdadm on the resource, minor and nodes a domain's mark names, and write STATE/verify/RES.json:
 * a mark whose values are not what mcvirt would have written is refused before anything runs (issue 17 item 3).
 * The observed state is the golden case migrate-undone-both-secondary (files1 of cluster gold on node1, pair
 * node1/node2, minors 300-399, ports 7800-7849), tampered.
 */
class ReplicationTamperedMarkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CASE = Path.of("src/test/resources/testdata/plan/migrate-undone-both-secondary");

    private static List<Replication.ReplicatedDisk> disks(Consumer<ObjectNode> tamper, List<String> vms)
            throws Exception {
        DesiredState desired = ManifestLoader.load(List.of(CASE.resolve("manifest.yaml")));
        ObjectNode observed = (ObjectNode) JSON.readTree(CASE.resolve("observed.json").toFile());
        for (var node : observed.get("nodes")) {
            for (var domain : node.get("domains")) {
                if (domain.get("name").asText().equals("files1")) {
                    tamper.accept((ObjectNode) domain.get("metadata"));
                }
            }
        }
        return Replication.disks(desired, JSON.treeToValue(observed, ObservedState.class), vms);
    }

    @Test
    void infoSaysTheMarkCannotBeUsedInsteadOfFixesThatNameItsResource() throws Exception {
        DesiredState desired = ManifestLoader.load(List.of(CASE.resolve("manifest.yaml")));
        ObjectNode observed = (ObjectNode) JSON.readTree(CASE.resolve("observed.json").toFile());
        for (var node : observed.get("nodes")) {
            for (var domain : node.get("domains")) {
                disk((ObjectNode) domain.get("metadata")).put("resource", "all");
            }
        }
        VmInfo info = Inspector.vm(desired, JSON.treeToValue(observed, ObservedState.class), "files1").orElseThrow();
        assertThat(info.health()).singleElement().asString().contains("domain files1 on node node1",
                "resource 'all', not mcvirt_files1_root");
        assertThat(info.health()).noneMatch(h -> h.contains("drbdadm"));
    }

    private static ObjectNode disk(ObjectNode mark) {
        return (ObjectNode) mark.get("disks").get(0);
    }

    @Test
    void anUntamperedMarkGivesTheDisk() throws Exception {
        assertThat(disks(m -> { }, List.of("files1"))).containsExactly(new Replication.ReplicatedDisk("files1", "root",
                "mcvirt_files1_root", 300, "node1", List.of("node1", "node2")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"all", "../../../etc/cron.d/x", "mcvirt_other_root"})
    void resyncAndVerifyRefuseAResourceThatIsNotTheDerivedName(String resource) {
        for (List<String> vms : List.of(List.of("files1"), List.<String>of())) {
            assertThatThrownBy(() -> disks(m -> disk(m).put("resource", resource), vms))
                    .isInstanceOf(McvirtException.class)
                    .hasMessageContaining("vm files1")
                    .hasMessageContaining("domain files1 on node node1")
                    .hasMessageContaining("resource '" + resource + "'")
                    .hasMessageContaining("nothing was run");
        }
    }

    @Test
    void resyncRefusesAPairNodeOutsideTheManifest() {
        assertThatThrownBy(() -> disks(m -> ((ArrayNode) m.get("pair")).set(1, "attacker"), List.of("files1")))
                .isInstanceOf(McvirtException.class).hasMessageContaining("attacker");
    }

    @Test
    void resyncRefusesAMinorOutsideTheRange() {
        assertThatThrownBy(() -> disks(m -> disk(m).put("minor", 0).put("source", "/dev/drbd0"), List.of("files1")))
                .isInstanceOf(McvirtException.class).hasMessageContaining("minor 0").hasMessageContaining("300-399");
    }
}
