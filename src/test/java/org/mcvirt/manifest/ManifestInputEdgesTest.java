package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.NodeSpec;

/** Issue 17 item 7: the edges of manifest input (names, URIs, aliases, encodings, files that are not files). */
class ManifestInputEdgesTest {
    private static final String HEAD = "apiVersion: mcvirt/v1\ncluster: {name: c}\n";

    private static Path write(Path dir, String text) throws IOException {
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, HEAD + text);
        return file;
    }

    @Test
    void aVolumeGroupNameThatLvmWouldReadAsAnOptionOrAPathIsRefusedWhereItIsWritten(@TempDir Path dir)
            throws Exception {
        for (String vg : List.of("-vg0", ".", "..", "vg/0", "")) {
            Path file = write(dir, "nodes:\n  - name: n\n    local: true\n    storage:\n"
                    + "      - {name: s, type: lvm, volumeGroup: \"" + vg + "\"}\n");
            assertThatThrownBy(() -> ManifestLoader.load(List.of(file))).as(vg)
                    .hasMessageStartingWith(file + ":7:")
                    .hasMessageContaining("'" + vg + "' is not a valid volume group name");
        }
        Path fine = write(dir, "nodes:\n  - name: n\n    local: true\n    storage:\n"
                + "      - {name: s, type: lvm, volumeGroup: vg_0.data-1+x}\n");
        assertThat(ManifestLoader.load(List.of(fine)).node("n").orElseThrow().storage("s").orElseThrow().volumeGroup())
                .isEqualTo("vg_0.data-1+x");
    }

    @Test
    void keyAndKnownHostsPathsArePercentEncodedInTheDerivedUri(@TempDir Path dir) throws Exception {
        Path file = write(dir, "nodes:\n  - name: n\n    address: 192.0.2.1\n"
                + "    ssh: {identityFile: \"/keys/my key&known_hosts=/dev/null\", knownHosts: \"/k h/known_hosts#x?y%\"}\n");
        NodeSpec node = ManifestLoader.load(List.of(file)).node("n").orElseThrow();
        assertThat(node.libvirtUri()).isEqualTo("qemu+libssh://root@192.0.2.1:22/system?sshauth=privkey"
                + "&keyfile=/keys/my%20key%26known_hosts%3D/dev/null&known_hosts=/k%20h/known_hosts%23x%3Fy%25"
                + "&known_hosts_verify=normal");
        Path control = write(dir, "nodes:\n  - name: n\n    address: 192.0.2.1\n"
                + "    ssh: {identityFile: \"/keys/a\\nb\"}\n");
        assertThatThrownBy(() -> ManifestLoader.load(List.of(control)))
                .hasMessageStartingWith(control + ":6:")
                .hasMessageContaining("'identityFile' must be a path without control characters");
    }

    @Test
    void aLibvirtUriIsOneOfTheTransportsMcvirtBuildsItself(@TempDir Path dir) throws Exception {
        List<String> refused = List.of(
                "qemu+ext:///system?command=/tmp/evil",
                "qemu+libssh://root@h/system?sshauth=privkey&command=/tmp/evil",
                "qemu+ssh://root@h/system?netcat=/tmp/evil",
                "qemu+ssh://root@h/system?no_verify=1",
                "qemu+libssh://root@h/system?known_hosts_verify=ignore",
                "qemu+libssh://root@h/system?socket=/tmp/s",
                "qemu+libssh://root@h/session",
                "qemu+tcp://h/system",
                "qemu+unix:///system?socket=/tmp/s",
                "qemu:///session",
                "qemu:///system?socket=/tmp/s",
                "lxc:///",
                "qemu+libssh://root@h/system?keyfile=/a&keyfile=/b",
                "qemu+libssh://root@-oProxyCommand=x/system",
                "test:///default?x=1");
        for (String uri : refused) {
            Path file = write(dir, "nodes:\n  - name: n\n    address: h\n    libvirt: {uri: \"" + uri + "\"}\n");
            assertThatThrownBy(() -> ManifestLoader.load(List.of(file))).as(uri)
                    .hasMessageStartingWith(file + ":6:")
                    .hasMessageContaining("'uri' must be a libvirt URI of a transport mcvirt builds itself");
        }
        for (String uri : List.of("qemu:///system", "test:///default",
                "qemu+libssh://root@h:2222/system?sshauth=privkey&keyfile=/k%20x&known_hosts=/kh&known_hosts_verify=normal",
                "qemu+ssh://admin@node1.example/system?keyfile=/k")) {
            Path file = write(dir, "nodes:\n  - name: n\n    address: h\n    libvirt: {uri: \"" + uri + "\"}\n");
            assertThat(ManifestLoader.load(List.of(file)).node("n").orElseThrow().libvirtUri()).isEqualTo(uri);
        }
    }

    @Test
    void anAliasIsRefusedWithItsPlaceInsteadOfBeingReadAsItsName(@TempDir Path dir) throws IOException {
        Path file = write(dir, "nodes:\n  - name: &n node-a\n    local: true\n"
                + "vms:\n  - {name: v, node: *n, memory: 64MiB}\n");
        assertThatThrownBy(() -> ManifestLoader.load(List.of(file)))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.diagnostics())
                        .extracting(Diagnostic::toString)
                        .contains(file + ":4:11: error: YAML anchors and aliases are not supported ('&n'); write the"
                                + " value out", file + ":7:21: error: YAML anchors and aliases are not supported"
                                + " ('*n'); write the value out"));
    }

    @Test
    void textThatIsNotUtf8NamesTheFileAndTheByte(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("latin1.yaml");
        byte[] head = (HEAD + "nodes:\n  - {name: n, local: true}\n# caf").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + 2];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xE9;
        bytes[head.length + 1] = '\n';
        Files.write(file, bytes);
        assertThatThrownBy(() -> ManifestLoader.load(List.of(file)))
                .hasMessage(file + ":5:6: error: not valid UTF-8 at byte " + head.length
                        + " (save the manifest as UTF-8)");
    }

    @Test
    void aFifoIsRefusedBeforeItIsOpenedInsteadOfBlocking(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("pipe.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
        // before the fix the load blocked in open(); a writer lets that version fail instead of hanging
        AtomicBoolean opened = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                opened.set(true);
                out.write(HEAD.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the reader side went away
            }
        });
        writer.setDaemon(true);
        writer.start();
        try {
            assertThatThrownBy(() -> ManifestLoader.load(List.of(fifo)))
                    .hasMessage(fifo + ":1:1: error: not a regular file (a manifest is a file or a directory of"
                            + " files)");
        } finally {
            if (!opened.get()) { // the writer waits in open() for a reader: be that reader so it ends
                try (InputStream release = Files.newInputStream(fifo)) {
                    release.readAllBytes();
                }
            }
        }
        assertThatThrownBy(() -> ManifestLoader.load(List.of(Path.of("/dev/null"))))
                .hasMessage("/dev/null:1:1: error: not a regular file (a manifest is a file or a directory of files)");
    }
}
