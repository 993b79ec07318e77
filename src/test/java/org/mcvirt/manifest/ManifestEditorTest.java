package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestEditorTest {
    private static final String TEXT = """
            apiVersion: mcvirt/v1
            cluster: {name: c}
            nodes:
              # the first node
              - name: a
                local: true
              - {name: b, address: 192.0.2.2}   # flow style
            # vms follow
            vms: []
            """;

    @Test
    void appendsANodeAfterTheLastItemWithTheListsIndentation(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, TEXT);
        assertThat(ManifestEditor.appendNode(List.of(dir), List.of("- name: c", "  address: 192.0.2.3"))).contains(file);
        assertThat(Files.readString(file)).isEqualTo(TEXT.replace("# flow style\n",
                "# flow style\n  - name: c\n    address: 192.0.2.3\n"));
        assertThat(ManifestLoader.load(List.of(file)).nodes()).extracting(n -> n.name()).containsExactly("a", "b", "c");
    }

    @Test
    void removesExactlyTheNodesLinesAndKeepsComments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, TEXT);
        ManifestEditor.removeNode(ManifestEditor.findNode(List.of(file), "a").orElseThrow());
        assertThat(Files.readString(file)).isEqualTo(TEXT.replace("  - name: a\n    local: true\n", ""));
        ManifestEditor.removeNode(ManifestEditor.findNode(List.of(file), "b").orElseThrow());
        assertThat(Files.readString(file)).isEqualTo("""
                apiVersion: mcvirt/v1
                cluster: {name: c}
                nodes:
                  # the first node
                # vms follow
                vms: []
                """);
        assertThat(ManifestEditor.findNode(List.of(file), "zz")).isEmpty();
    }

    @Test
    void aVmsNodeIsChangedInPlacePlainQuotedOrInAFlowMappingAndNothingElse(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vms.yaml");
        String text = """
                apiVersion: mcvirt/v1
                vms:
                  - name: web1
                    # moved by hand in 2025
                    node: node1   # a comment after
                  - name: db1
                    node: "node1"
                  - {name: app1, node: 'node1', memory: 64MiB}
                """;
        Files.writeString(file, text);
        for (String vm : List.of("web1", "db1", "app1")) {
            ManifestEditor.ScalarAt at = ManifestEditor.findVmField(List.of(dir), vm, "node").orElseThrow();
            assertThat(at.text()).isEqualTo("node1");
            ManifestEditor.replaceScalar(at, "node2");
        }
        assertThat(Files.readString(file)).isEqualTo(text.replace("node: node1", "node: node2")
                .replace("node: \"node1\"", "node: \"node2\"").replace("node: 'node1'", "node: 'node2'"));
        ManifestEditor.ScalarAt stale = new ManifestEditor.ScalarAt(file, 5, 11, "node1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ManifestEditor.replaceScalar(stale, "node3"))
                .hasMessageContaining(":5:11: the manifest changed: 'node1' is no longer there");
    }
}
