package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.node.ssh.LocalTransport;

/**
 * image-probe.sh and image-fetch.sh run here as on a node, with real curl, sha256sum and qemu-img, against an HTTP
 * server in this JVM that ignores ranges (as a plain file server may): the probe reads the header and the length, a
 * download is checked and renamed into place, a wrong SHA-256 or a missing file leaves nothing behind.
 */
@Tag("tools")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ImageFetchScriptTest {
    @TempDir
    Path dir;
    private HttpServer server;
    private byte[] image;
    private String base;

    @BeforeEach
    void serve() throws Exception {
        ByteBuffer header = ByteBuffer.allocate(200_000);
        header.putInt(0, 0x514649fb);
        header.putInt(4, 2);
        header.putLong(24, 1L << 30);
        image = header.array();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            Path served = dir.resolve("served").resolve(path.substring(1));
            byte[] body = path.equals("/debian.qcow2") ? image : Files.isRegularFile(served)
                    ? Files.readAllBytes(served) : null;
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            // as python3 -m http.server says it: "HTTP/" in a header that is not the status line
            exchange.getResponseHeaders().add("Server", "SimpleHTTP/0.6 Python/3.11.2");
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            } catch (java.io.IOException e) {
                // the probe stops reading after the header
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ImageNode node() {
        return new ImageNode("here", new LocalTransport("here", Duration.ofSeconds(30)));
    }

    @Test
    void theProbeReadsTheHeaderAndTheLength() throws Exception {
        ImagePrimitives.Probe probe = node().probe(base + "/debian.qcow2");
        assertThat(probe.error()).isNull();
        assertThat(probe.length()).isEqualTo(image.length);
        assertThat(probe.start()).hasSize(104);
        assertThat(ByteBuffer.wrap(probe.start()).getLong(24)).isEqualTo(1L << 30);
        ImagePrimitives.Probe missing = node().probe(base + "/nothing.qcow2");
        assertThat(missing.error()).contains("404");
        ImagePrimitives.Probe refused = node().probe("http://127.0.0.1:1/x.qcow2");
        assertThat(refused.error()).contains("Failed to connect");
    }

    @Test
    void aDownloadIsCheckedAndRenamedIntoPlaceAndAWrongOneLeavesNothing() throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
        // a qcow2 header qemu-img accepts needs more than this; a raw download checks only its SHA-256
        node().fetch(base + "/debian.qcow2", dir.toString(), "image.d.raw", sha, "raw", Duration.ofSeconds(30));
        assertThat(Files.readAllBytes(dir.resolve("image.d.raw"))).isEqualTo(image);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("image.d.raw"))))
                .isEqualTo("rw-r--r--");
        assertThatThrownBy(() -> node().fetch(base + "/debian.qcow2", dir.toString(), "image.e.raw", "0".repeat(64),
                "raw", Duration.ofSeconds(30))).hasMessageContaining("has SHA-256 " + sha + ", not " + "0".repeat(64));
        assertThatThrownBy(() -> node().fetch(base + "/nothing.qcow2", dir.toString(), "image.f.raw", sha, "raw",
                Duration.ofSeconds(30))).hasMessageContaining("404");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("image.d.raw");
        }
    }

    /** A real qcow2 passes qemu-img's look; one with a backing file is deleted, though its SHA-256 is as given. */
    @Test
    void aQcow2ThatRefersToAnotherFileIsRefusedAfterTheDownload() throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        run("qemu-img", "create", "-q", "-f", "qcow2", served.resolve("base.qcow2").toString(), "1M");
        run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "/etc/passwd", "-F", "raw",
                served.resolve("evil.qcow2").toString(), "1M");
        Path images = Files.createDirectories(dir.resolve("images"));
        node().fetch(base + "/base.qcow2", images.toString(), "image.b.qcow2", sha(served.resolve("base.qcow2")),
                "qcow2", Duration.ofSeconds(30));
        assertThat(images.resolve("image.b.qcow2")).hasSameBinaryContentAs(served.resolve("base.qcow2"));
        assertThatThrownBy(() -> node().fetch(base + "/evil.qcow2", images.toString(), "image.e.qcow2",
                sha(served.resolve("evil.qcow2")), "qcow2", Duration.ofSeconds(30)))
                .hasMessageContaining("backing or external data file");
        try (var left = Files.list(images)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("image.b.qcow2");
        }
    }

    private static String sha(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(out).isZero();
    }
}
