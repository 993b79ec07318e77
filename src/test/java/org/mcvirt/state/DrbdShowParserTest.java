package org.mcvirt.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** drbdsetup show's configuration syntax; the shared secret never survives parsing. */
class DrbdShowParserTest {
    /** The resource-file form (lab notes, section 1), with a secret holding a space, a '#' and a quote. */
    private static final String RESOURCE_FILE = """
            resource ref0 {
              protocol C;
              net {
                cram-hmac-alg sha1;
                shared-secret "s3cret #ref0; \\"x\\" }";
                verify-alg sha1;
              }
              disk {
                resync-rate 100M;
                c-plan-ahead 0;
              }
              on node1 {
                device /dev/drbd100 minor 100;
                disk /dev/vg0/ref0;
                address 10.99.0.1:7900;
                meta-disk internal;
              }
              on node2 {
                device /dev/drbd100;
                disk /dev/vg0/ref0;
                address ipv4 10.99.0.2:7900;
                meta-disk internal;
              }
            }
            """;

    @Test
    void readsTwoResourcesAsDrbdsetupShowPrintedThemOnTheLab() throws Exception {
        String text = java.nio.file.Files.readString(
                java.nio.file.Path.of("src/test/resources/testdata/drbd/drbdsetup-show-two.txt"));
        assertThat(text).as("the captured output holds the secrets").contains("capture-secret-mcvcap0");
        List<DrbdShowParser.ShowResource> resources = DrbdShowParser.parse(text);
        assertThat(resources).extracting(DrbdShowParser.ShowResource::name).containsExactly("mcvcap0", "mcvcap1");
        for (int i = 0; i < 2; i++) {
            DrbdShowParser.ShowResource resource = resources.get(i);
            assertThat(resource.netOptions()).isEqualTo(Map.of("cram-hmac-alg", "sha1", "verify-alg", "sha1"));
            assertThat(resource.host("_remote_host").orElseThrow())
                    .isEqualTo(new DrbdShowParser.Host("_remote_host", "10.99.0.2:796" + i, List.of()));
            assertThat(resource.host("_this_host").orElseThrow()).isEqualTo(new DrbdShowParser.Host("_this_host",
                    "10.99.0.1:796" + i, List.of(new DrbdShowParser.Volume(0, 160 + i, "/dev/vg0/mcvcap" + i, "internal"))));
        }
        assertThat(resources.toString()).doesNotContain("capture-secret", "shared-secret");
    }

    @Test
    void readsOnBlocksAndNetOptionsWithoutTheSecret() throws Exception {
        List<DrbdShowParser.ShowResource> resources = DrbdShowParser.parse(RESOURCE_FILE);
        assertThat(resources).hasSize(1);
        DrbdShowParser.ShowResource ref0 = resources.get(0);
        assertThat(ref0.name()).isEqualTo("ref0");
        assertThat(ref0.netOptions()).isEqualTo(Map.of("protocol", "C", "cram-hmac-alg", "sha1", "verify-alg", "sha1"));
        assertThat(ref0.host("node1").orElseThrow()).isEqualTo(new DrbdShowParser.Host("node1", "10.99.0.1:7900",
                List.of(new DrbdShowParser.Volume(0, 100, "/dev/vg0/ref0", "internal"))));
        assertThat(ref0.host("node2").orElseThrow()).isEqualTo(new DrbdShowParser.Host("node2", "10.99.0.2:7900",
                List.of(new DrbdShowParser.Volume(0, 100, "/dev/vg0/ref0", "internal"))));
        assertThat(resources.toString()).doesNotContain("s3cret", "ref0; ");
    }

    @Test
    void anUnquotedSecretIsDroppedUpToItsSemicolon() throws Exception {
        List<DrbdShowParser.ShowResource> resources = DrbdShowParser.parse(
                "resource r { net { shared-secret plain-s3cret; verify-alg crc32c; } }");
        assertThat(resources.get(0).netOptions()).isEqualTo(Map.of("verify-alg", "crc32c"));
        assertThat(resources.toString()).doesNotContain("plain-s3cret");
    }

    @Test
    void aParseErrorNamesTheLineNotTheText() {
        assertThatThrownBy(() -> DrbdShowParser.parse("resource r {\n  net {\n    shared-secret \"top-s3cret\n"))
                .isInstanceOf(DrbdShowParser.ParseException.class)
                .hasMessage("unterminated quoted string starting on line 3");
        assertThatThrownBy(() -> DrbdShowParser.parse("resource r {\n  net {\n    shared-secret \"top-s3cret\";\n"))
                .hasMessage("the input ends inside a block");
        assertThatThrownBy(() -> DrbdShowParser.parse("resource r { }\n}\n"))
                .hasMessage("line 2: '}' without a matching '{'");
    }

    @Test
    void theResourceRecordDropsSecretOptionsHoweverItIsMade() {
        ObservedDrbd.Resource resource = new ObservedDrbd.Resource("r", 0, 1, null, null, null, null, "C",
                Map.of("shared-secret", "s3cret", "Shared-Secret", "s3cret", "verify-alg", "sha1"), null, null, null,
                null, null, 0, null, null);
        assertThat(resource.netOptions()).isEqualTo(Map.of("verify-alg", "sha1"));
    }
}
