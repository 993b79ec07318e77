package org.mcvirt.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mcvirt.node.LibvirtNode;

/** Domain definitions that NodeOutputFuzzTest (seed 1700005) found StateReader.domain failing on. */
class DomainXmlFuzzRegressionTest {
    private static ObservedDomain read(String inactive, String live) {
        return StateReader.domain(new LibvirtNode.DomainRecord("vm1", "uuid", live != null, "running", true, false,
                inactive, live));
    }

    @Test
    void aVcpuCountThatIsNotANumberIsRefusedNamingTheDomain() {
        assertThatThrownBy(() -> read("<domain><name>vm1</name><vcpu placement='static'>&lt;</vcpu></domain>", null))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("domain vm1: <vcpu> is not a whole number: '<'");
        assertThatThrownBy(() -> read("<domain><vcpu>1</vcpu></domain>",
                "<domain><vcpu current='99999999999'>2</vcpu></domain>"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("domain vm1: <vcpu> (running) is not a whole number: '99999999999'");
    }

    @Test
    void aMemorySizeThatIsNotANumberIsRefusedNamingTheDomain() {
        assertThatThrownBy(() -> read("<domain><vcpu>1</vcpu><memory unit='KiB'>-1x</memory></domain>", null))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("domain vm1: <memory> is not a whole number: '-1x'");
        assertThatThrownBy(() -> read("<domain><vcpu>1</vcpu><memory unit='KiB'>1</memory></domain>",
                "<domain><vcpu>1</vcpu><currentMemory unit='GiB'>99999999999999999999</currentMemory></domain>"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("domain vm1: <currentMemory> is not a whole number: '99999999999999999999'");
    }

    /** A VNC port too large for an int is no port (as a port that is not a number is). */
    @Test
    void aVncPortTooLargeIsNoPort() {
        assertThat(read("<domain><vcpu>1</vcpu></domain>", "<domain><vcpu>1</vcpu><devices><graphics type='vnc'"
                + " port='99999999999'/></devices></domain>").vncPort()).isNull();
    }
}
