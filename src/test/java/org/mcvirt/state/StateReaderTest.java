package org.mcvirt.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import java.util.Optional;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.node.LibvirtNode;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;

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

    @Test
    void aRenderedNatNetworkReadsBackAsItsView() {
        Views.NetworkView view = Views.network(new ClusterSpec("c", null),
                new NetworkSpec("lab", null, true, "192.168.150.0/25"));
        String xml = new Renderer(Optional.empty()).network(view);
        ObservedNetwork network = StateReader.network(new LibvirtNode.NetworkRecord(view.name(), true, true, true, xml));
        assertThat(network.forwardMode()).isEqualTo("nat");
        assertThat(network.bridge()).isEqualTo(view.bridgeName());
        assertThat(network.address()).isEqualTo(view.gateway()).isEqualTo("192.168.150.1");
        assertThat(network.netmask()).isEqualTo(view.netmask()).isEqualTo("255.255.255.128");
        assertThat(network.dhcpStart()).isEqualTo(view.dhcpStart()).isEqualTo("192.168.150.2");
        assertThat(network.dhcpEnd()).isEqualTo(view.dhcpEnd()).isEqualTo("192.168.150.126");
    }

    @Test
    void aNetworkDefinedFromTheTemplateReadsBackFromLibvirtAsItsView() throws Exception {
        // through libvirt's own XML (the test driver): what mcvirt creates must not look changed on the next plan
        Views.NetworkView view = Views.network(new ClusterSpec("readback", null),
                new NetworkSpec("lab", null, true, "192.168.157.0/25"));
        try (LibvirtNode node = LibvirtNode.open("t", "test:///default")) {
            node.createNetwork(view.name(), new Renderer(Optional.empty()).network(view));
            try {
                LibvirtNode.NetworkRecord record = node.networks().stream().filter(n -> n.name().equals(view.name()))
                        .findFirst().orElseThrow();
                ObservedNetwork network = StateReader.network(record);
                assertThat(network.address()).isEqualTo(view.gateway());
                assertThat(network.netmask()).isEqualTo(view.netmask());
                assertThat(network.dhcpStart()).isEqualTo(view.dhcpStart());
                assertThat(network.dhcpEnd()).isEqualTo(view.dhcpEnd());
            } finally {
                node.deleteNetwork(view.name());
            }
        }
    }
}
