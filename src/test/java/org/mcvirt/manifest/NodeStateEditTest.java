package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;

/** failover --update-manifest: a node's state set in place, comments and everything else kept byte for byte. */
class NodeStateEditTest {
    private static final String HEAD = """
            apiVersion: mcvirt/v1
            cluster: {name: c}
            nodes:
              # the first node
              - name: node1
                address: 192.0.2.1
            """;

    @Test
    void aMissingStateIsInsertedAfterTheNameAndTheManifestStillLoads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.yaml");
        String text = HEAD + "  - name: node2   # the second\n    address: 192.0.2.2\nvms: []\n";
        Files.writeString(file, text);
        assertThat(ManifestEditor.setNodeState(List.of(file), "node2", "offline"))
                .contains(file + ":8 (was online)");
        assertThat(Files.readString(file)).isEqualTo(HEAD + "  - name: node2   # the second\n    state: offline\n"
                + "    address: 192.0.2.2\nvms: []\n");
        DesiredState loaded = ManifestLoader.load(List.of(file));
        assertThat(loaded.node("node2").orElseThrow().state()).isEqualTo(NodeSpec.State.OFFLINE);
        assertThat(loaded.node("node1").orElseThrow().state()).isEqualTo(NodeSpec.State.ONLINE);
    }

    @Test
    void anExistingStateIsReplacedInPlace(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, HEAD.replace("    address: 192.0.2.1\n", "    address: 192.0.2.1\n    state: maintenance"
                + "  # kernel update\n") + "vms: []\n");
        assertThat(ManifestEditor.setNodeState(List.of(file), "node1", "online")).contains(file + ":7 (was maintenance)");
        assertThat(Files.readString(file)).contains("    state: online  # kernel update\n");
    }

    @Test
    void aFlowStyleNodeOrAnUnknownOneIsLeftAlone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.yaml");
        String text = HEAD + "  - {name: node2, address: 192.0.2.2}\nvms: []\n";
        Files.writeString(file, text);
        assertThat(ManifestEditor.setNodeState(List.of(file), "node2", "offline")).isEmpty();
        assertThat(ManifestEditor.setNodeState(List.of(file), "node9", "offline")).isEmpty();
        assertThat(Files.readString(file)).isEqualTo(text);
    }

    @Test
    void aStateThatIsNotAWordOfTheManifestIsALocatedError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, HEAD.replace("    address: 192.0.2.1\n", "    address: 192.0.2.1\n    state: asleep\n")
                + "vms: []\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ManifestLoader.load(List.of(file)))
                .hasMessageContaining(file + ":7:12: error: 'state' must be one of maintenance, offline, online,"
                        + " found 'asleep'");
    }
}
