package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.render.Xml;
import org.mcvirt.state.StateReader;

/**
 * The image a mark's disk records it was made from is checked like the mark's other values: a manifest name and the
 * first 12 lowercase hex digits of a SHA-256; anything else makes the mark untrusted.
 */
class DomainMarksTest {
    private static final DesiredState DESIRED = DifferFixture.desired(List.of(), List.of());

    private static List<String> problems(VmMetadata.Image image) {
        return DomainMarks.problems(DESIRED, "web", new VmMetadata("c", "web", false, List.of(
                new VmMetadata.Disk("root", "images", "vda", "/img/web-root.qcow2").withImage(image))));
    }

    @Test
    void aDiskWithoutAnImageOrWithAWellFormedOneIsTrusted() {
        assertThat(problems(null)).isEmpty();
        assertThat(problems(new VmMetadata.Image("debian12", "0123456789ab"))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(value = {"'',image ''", "../x,image '../x'", "Debian 12,image 'Debian 12'", "a.b,image 'a.b'"})
    void anImageNameThatIsNoManifestNameIsRefused(String name, String said) {
        assertThat(problems(new VmMetadata.Image(name, "0123456789ab"))).singleElement()
                .isEqualTo("disk 'root' has " + said + ", not a manifest name");
    }

    @ParameterizedTest
    @CsvSource(value = {"''", "0123456789AB", "0123456789a", "0123456789abc", "g123456789ab", "' 0123456789ab'",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
    void aDigestThatIsNotTwelveLowercaseHexDigitsIsRefused(String digest) {
        assertThat(problems(new VmMetadata.Image("debian12", digest))).singleElement()
                .isEqualTo("disk 'root' has image-sha256 '" + digest + "', not 12 lowercase hex digits");
    }

    /** A mark's entry as a node has it, read back by the state reader. */
    private static List<String> read(String attributes) {
        String xml = "<domain><name>web</name><metadata><mcvirt:vm xmlns:mcvirt='https://mcvirt.org/xmlns/domain/1'>"
                + "<mcvirt:cluster>c</mcvirt:cluster><mcvirt:name>web</mcvirt:name><mcvirt:protect>false"
                + "</mcvirt:protect><mcvirt:disk name='root' storage='images' target='vda'"
                + " source='/img/web-root.qcow2'" + attributes + "/></mcvirt:vm></metadata></domain>";
        return DomainMarks.problems(DESIRED, "web", StateReader.metadata(Xml.parse(xml)).orElseThrow());
    }

    @Test
    void aMarkReadBackWithBothAttributesIsTrustedWithOneOfThemNot() {
        assertThat(read("")).isEmpty();
        assertThat(read(" image='debian12' image-sha256='0123456789ab'")).isEmpty();
        assertThat(read(" image='debian12'")).singleElement().asString().contains("image-sha256 ''");
        assertThat(read(" image-sha256='0123456789ab'")).singleElement().asString().contains("image ''");
    }
}
