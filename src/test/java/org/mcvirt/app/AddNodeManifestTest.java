package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.manifest.ManifestEditor;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;

/** Issue 17 item 7: what add-node writes into the manifest is quoted YAML, and odd input is refused up front. */
class AddNodeManifestTest {
    private static final String MANIFEST = """
            apiVersion: mcvirt/v1
            cluster: {name: c}
            nodes:
              - {name: a, local: true}
            """;

    @Test
    void pathsThatLookLikeYamlAreWrittenAsTheirTextAndReadBackTheSame(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, MANIFEST);
        String identity = "/keys/k, knownHosts: /dev/null} # \"quoted\" \\ 'x'";
        String knownHosts = "/kh/*alias &anchor: [x]";
        NodeEnrolmentRequest request = new NodeEnrolmentRequest("b", "192.0.2.2", "admin", 2222, Path.of(identity),
                Path.of(knownHosts), null);
        ManifestEditor.appendNode(List.of(file), AddNode.manifestItem(request));
        DesiredState state = ManifestLoader.load(List.of(file));
        NodeSpec node = state.node("b").orElseThrow();
        assertThat(node.address()).isEqualTo("192.0.2.2");
        assertThat(node.ssh()).isEqualTo(new NodeSpec.SshSpec("admin", 2222, identity, knownHosts));
    }

    @Test
    void anAddressOrUserThatIsNotOneIsRefusedBeforeAnythingIsContacted(@TempDir Path dir) throws Exception {
        DesiredState desired = ManifestLoader.load(List.of(Files.writeString(dir.resolve("m.yaml"), MANIFEST)));
        for (String[] bad : new String[][] {{"192.0.2.2\n  local: true", "root"}, {"-oProxyCommand=x", "root"},
                {"192.0.2.2", "root}\n  evil: x"}}) {
            NodeEnrolmentRequest request = new NodeEnrolmentRequest("b", bad[0], bad[1], 22, dir.resolve("none"),
                    dir.resolve("kh"), null);
            assertThatThrownBy(() -> new AddNode(List.of(dir), desired, request).run(null, null))
                    .isInstanceOf(McvirtException.class)
                    .hasMessageContaining(bad[0].equals("192.0.2.2") ? "is not a valid user name"
                            : "is not a host name or IP address");
        }
    }
}
