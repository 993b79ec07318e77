package org.mcvirt.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one place the DRBD secret is kept out of node results: every spelling drbd-utils uses, and the bare value. */
class RedactingTransportTest {
    private static final String SECRET = "Unique-Secret-4711";

    @Test
    void everySpellingOfDrbdUtilsHasItsValueReplacedAndRemembered() {
        Redactor redactor = new Redactor();
        assertThat(redactor.redact("Command 'drbdsetup-84 connect r0 ipv4:10.99.0.1:7900 ipv4:10.99.0.2:7900"
                + " --protocol=C --shared-secret=" + SECRET + " --verify-alg=sha1' terminated with exit code 10"))
                .isEqualTo("Command 'drbdsetup-84 connect r0 ipv4:10.99.0.1:7900 ipv4:10.99.0.2:7900"
                        + " --protocol=C --shared-secret=(secret) --verify-alg=sha1' terminated with exit code 10");
        assertThat(redactor.redact("the peer said " + SECRET)).as("remembered").isEqualTo("the peer said (secret)");
        assertThat(new Redactor().redact("    shared-secret    \"s3cret-ref0\";\n    cram-hmac-alg sha1;"))
                .isEqualTo("    shared-secret    \"(secret)\";\n    cram-hmac-alg sha1;");
        assertThat(new Redactor().redact("net { shared-secret s3cret; }")).isEqualTo("net { shared-secret (secret); }");
        assertThat(new Redactor().redact("drbdsetup connect --shared-secret \"a b\" x"))
                .isEqualTo("drbdsetup connect --shared-secret \"(secret)\" x");
        Redactor told = new Redactor();
        told.learn(SECRET);
        assertThat(told.redact("x" + SECRET + "y")).isEqualTo("x(secret)y");
        assertThat(told.redact("no secret here")).isEqualTo("no secret here");

        Redactor json = new Redactor();
        assertThat(json.redact("{\"message\":\"net { shared-secret \\\"" + SECRET + "\\\"; } \\\\ end\"}"))
                .as("quoted inside a journal line").isEqualTo("{\"message\":\"net { shared-secret \\\"(secret)\\\"; }"
                        + " \\\\ end\"}");
        assertThat(json.redact("a \\ b " + SECRET)).as("the value learnt, never a backslash")
                .isEqualTo("a \\ b (secret)");
        Redactor weak = new Redactor();
        assertThat(weak.redact("--shared-secret=ab1 sha256 ab1f00")).as("a short secret only where it is spelt")
                .isEqualTo("--shared-secret=(secret) sha256 ab1f00");
    }

    @Test
    void aFileWrittenOrReadPassesWholeAndItsSecretIsRedactedFromEveryLaterResult(@TempDir Path directory)
            throws Exception {
        LocalTransport local = new LocalTransport("here", Duration.ofSeconds(30));
        RedactingTransport transport = RedactingTransport.over(local);
        assertThat(RedactingTransport.over(transport, new Redactor())).as("never wrapped twice").isSameAs(transport);
        Path file = directory.resolve("r0.res");
        String text = "resource r0 {\n  net {\n    shared-secret \"" + SECRET + "\";\n  }\n}\n";
        transport.writeFileAtomically(file.toString(), text.getBytes(StandardCharsets.UTF_8), "0600");
        assertThat(Files.readString(file)).as("the file keeps its secret").isEqualTo(text);
        assertThat(new String(transport.readFile(file.toString()).orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo(text);

        CommandResult said = transport.run(List.of("sh", "-c", "echo out " + SECRET + "; echo err " + SECRET + " >&2"));
        assertThat(said.stdout()).isEqualTo("out (secret)\n");
        assertThat(said.stderr()).isEqualTo("err (secret)\n");
        assertThatThrownBy(() -> transport.runChecked(List.of("sh", "-c", "echo failed " + SECRET + " >&2; exit 10")))
                .isInstanceOf(SshException.class).hasMessageContaining("failed (secret)")
                .hasMessageNotContaining(SECRET);

        RedactingTransport reader = RedactingTransport.over(local);
        reader.readFile(file.toString());
        assertThat(reader.run(List.of("echo", SECRET)).stdout()).as("learnt from a file read")
                .isEqualTo("(secret)\n");
    }
}
