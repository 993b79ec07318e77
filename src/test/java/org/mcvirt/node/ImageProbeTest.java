package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.mcvirt.node.ssh.CommandResult;

/** What image-probe.sh prints, read back: the length from the last response after redirects, or why not. */
class ImageProbeTest {
    private static final String URL = "http://10.0.0.1/i.qcow2";

    private static CommandResult printed(int curl, String headers, byte[] start) {
        Base64.Encoder b = Base64.getEncoder();
        return new CommandResult(0, "curl " + curl + "\nheaders " + b.encodeToString(headers.getBytes(
                StandardCharsets.ISO_8859_1)) + "\nstart " + b.encodeToString(start) + "\n", "");
    }

    @Test
    void aRangeAnswerGivesTheWholeLengthAfterARedirect() {
        byte[] start = new byte[104];
        start[0] = 'Q';
        ImagePrimitives.Probe probe = ImageNode.parseProbe(URL, printed(0, "HTTP/1.1 302 Found\r\nLocation: /x\r\n"
                + "Content-Length: 0\r\n\r\nHTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-103/98765\r\n"
                + "Content-Length: 104\r\n\r\n", start));
        assertThat(probe.ok()).isTrue();
        assertThat(probe.length()).isEqualTo(98765);
        assertThat(probe.start()).hasSize(104).startsWith((byte) 'Q');
    }

    @Test
    void aServerThatIgnoresTheRangeGivesContentLengthAndCurlsWriteErrorIsNoError() {
        ImagePrimitives.Probe probe = ImageNode.parseProbe(URL, printed(23, "HTTP/1.0 200 OK\r\nContent-Length:"
                + " 5000\r\n\r\n", new byte[104]));
        assertThat(probe.ok()).as(String.valueOf(probe.error())).isTrue();
        assertThat(probe.length()).isEqualTo(5000);
    }

    @Test
    void aMissingFileOrAnUnreachableHostIsAnErrorSayingWhy() {
        ImagePrimitives.Probe missing = ImageNode.parseProbe(URL, printed(0, "HTTP/1.1 404 Not Found\r\n\r\n",
                new byte[0]));
        assertThat(missing.ok()).isFalse();
        assertThat(missing.error()).isEqualTo("the server answered 'HTTP/1.1 404 Not Found'");
        ImagePrimitives.Probe refused = ImageNode.parseProbe(URL, new CommandResult(0, "curl 7\nheaders \nstart \n",
                "curl: (7) Failed to connect to 10.0.0.1 port 80: Connection refused\n"));
        assertThat(refused.error()).isEqualTo("curl: (7) Failed to connect to 10.0.0.1 port 80: Connection refused");
        ImagePrimitives.Probe noCurl = ImageNode.parseProbe(URL, new CommandResult(3, "", "curl is not installed on"
                + " this node\n"));
        assertThat(noCurl.error()).startsWith("curl is not installed");
    }

    /** Python's http.server says "Server: SimpleHTTP/0.6 Python/3.11.2": the status is still its status line's. */
    @Test
    void aHeaderThatHoldsHttpSlashIsNotTakenForTheStatusLine() {
        ImagePrimitives.Probe probe = ImageNode.parseProbe(URL, printed(23, "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6"
                + " Python/3.11.2\r\nDate: Sat, 05 Dec 2026 10:00:00 GMT\r\nContent-type: application/octet-stream\r\n"
                + "Content-Length: 7777\r\nVia: HTTP/1.1 proxy\r\n\r\n", new byte[104]));
        assertThat(probe.error()).isNull();
        assertThat(probe.length()).isEqualTo(7777);
    }

    /** What a server says reaches a plan without terminal escapes. */
    @Test
    void aStatusLineWithEscapesIsShownWithoutThem() {
        ImagePrimitives.Probe probe = ImageNode.parseProbe(URL, printed(0, "HTTP/1.1 500 \u001b[2Jgone\r\n\r\n",
                new byte[0]));
        assertThat(probe.error()).isEqualTo("the server answered 'HTTP/1.1 500 ?[2Jgone'");
    }
}
