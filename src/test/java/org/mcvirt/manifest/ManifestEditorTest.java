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
}
