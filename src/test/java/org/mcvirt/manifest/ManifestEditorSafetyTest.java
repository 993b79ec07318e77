package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17 item 7: the manifest editor's write keeps the mode, follows no link and uses no predictable name. */
class ManifestEditorSafetyTest {
    private static final String TEXT = """
            apiVersion: mcvirt/v1
            cluster: {name: c}
            nodes:
              - {name: a, local: true}
            """;
    private static final List<String> ITEM = List.of("- {name: b, address: 192.0.2.2}");

    @Test
    void anEditKeepsTheManifestsMode(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, TEXT);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        ManifestEditor.appendNode(List.of(file), ITEM);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        assertThat(Files.readString(file)).isEqualTo(TEXT + "  - {name: b, address: 192.0.2.2}\n");
    }

    @Test
    void aLinkWaitingAtTheOldTemporaryNameIsNotFollowed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, TEXT);
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "precious\n");
        Files.createSymbolicLink(dir.resolve(".m.yaml.mcvirt-tmp"), victim);
        ManifestEditor.appendNode(List.of(file), ITEM);
        assertThat(Files.readString(victim)).isEqualTo("precious\n");
        assertThat(Files.readString(file)).contains("name: b");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()).sorted())
                    .as("no temporary file is left behind").containsExactly(".m.yaml.mcvirt-tmp", "m.yaml", "victim");
        }
    }

    @Test
    void aManifestThatIsASymbolicLinkIsRefusedAndLeftAsItIs(@TempDir Path dir) throws Exception {
        Path real = dir.resolve("real.yaml.txt");
        Files.writeString(real, TEXT);
        Path link = Files.createSymbolicLink(dir.resolve("m.yaml"), real);
        assertThatThrownBy(() -> ManifestEditor.appendNode(List.of(link), ITEM)).isInstanceOf(IOException.class)
                .hasMessage(link + " is a symbolic link; mcvirt does not write through links (name the file it points"
                        + " to instead)");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo(TEXT);
    }
}
