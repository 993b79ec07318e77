package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A one-node manifest with one mapping under {@code cluster:} (capacity, migration, notify, ...), for the tests of
 * that mapping's keys, and the diagnostics of one that is refused.
 */
final class ClusterSectionFixture {
    private ClusterSectionFixture() {
    }

    /** dir/cluster.yaml with {@code cluster.KEY:} holding body (lines indented four spaces), or without it when null. */
    static Path write(Path dir, String key, String body) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, "apiVersion: mcvirt/v1\ncluster:\n  name: prod\n"
                + (body == null ? "" : "  " + key + ":\n" + body)
                + "nodes:\n  - name: here\n    local: true\n");
        return file;
    }

    /** The diagnostics of a manifest that must be refused, as file:line:column: error: message. */
    static List<String> problems(Path file) {
        ManifestException e = catchThrowableOfType(() -> ManifestLoader.load(List.of(file)), ManifestException.class);
        assertThat(e).as("the manifest was accepted").isNotNull();
        return e.diagnostics().stream().map(Diagnostic::toString).toList();
    }
}
