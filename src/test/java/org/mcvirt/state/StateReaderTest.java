package org.mcvirt.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mcvirt.node.LibvirtNode;

/** Reads libvirt's in-process test driver (test:///default) through the real libvirt-java and native library. */
class StateReaderTest {
    @Test
    void readsDomainsNetworksAndPoolsOfTheTestDriver() throws Exception {
        try (LibvirtNode node = LibvirtNode.open("t", "test:///default")) {
            NodeObservation observation = StateReader.read(node);
            assertThat(observation.reachable()).isTrue();
            assertThat(observation.libvirtVersion()).matches("\\d+\\.\\d+\\.\\d+");
            ObservedDomain test = observation.domain("test").orElseThrow();
            assertThat(test.managed()).as("a domain without mcvirt's metadata is unmanaged").isFalse();
            assertThat(test.active()).isTrue();
            assertThat(test.runState()).isEqualTo("running");
            assertThat(test.vcpus()).isPositive();
            assertThat(test.memoryKib()).isEqualTo(8L * 1024 * 1024);
            assertThat(test.nics()).isNotEmpty();
            assertThat(observation.network("default")).isPresent();
            assertThat(observation.pool("default-pool")).hasValueSatisfying(p -> assertThat(p.active()).isTrue());
        }
    }

    @Test
    void anUnreachableUriNamesTheNode() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> LibvirtNode.open("far", "qemu+tcp://127.0.0.1:1/system"))
                .hasMessageStartingWith("node far: cannot connect to libvirt at qemu+tcp://127.0.0.1:1/system: ");
    }

    @Test
    void aNetworkMaskWrittenAsAPrefixReadsAsANetmask() {
        ObservedNetwork network = StateReader.network(new LibvirtNode.NetworkRecord("n", true, true, true, """
                <network>
                  <name>n</name>
                  <forward mode='nat'/>
                  <bridge name='virbr9'/>
                  <ip address='192.168.150.1' prefix='25'/>
                </network>
                """));
        assertThat(network.address()).isEqualTo("192.168.150.1");
        assertThat(network.netmask()).isEqualTo("255.255.255.128");
    }
}
