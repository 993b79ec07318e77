package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Macs;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.VmSpec;

class ManifestLoaderTest {
    private static final Path DATA = Path.of("src/test/resources/testdata/manifest");

    @Test
    void bindsAValidManifest() throws Exception {
        DesiredState state = ManifestLoader.load(List.of(DATA.resolve("valid.yaml")));
        assertThat(state.cluster().name()).isEqualTo("test");
        NodeSpec here = state.node("here").orElseThrow();
        assertThat(here.local()).isTrue();
        assertThat(here.domainType()).isEqualTo(NodeSpec.DomainType.QEMU);
        VmSpec web1 = state.vm("web1").orElseThrow();
        assertThat(web1.cpus()).isEqualTo(2);
        assertThat(web1.memoryBytes()).isEqualTo(64L << 20);
        assertThat(web1.state()).isEqualTo(VmSpec.PowerState.STOPPED);
        assertThat(web1.autostart()).isTrue();
        assertThat(web1.disks()).singleElement().satisfies(d -> assertThat(d.sizeBytes()).isEqualTo(16L << 20));
        assertThat(web1.nics()).extracting(VmSpec.NicSpec::mac)
                .containsExactly("52:54:00:12:34:56", ManifestBinder.derivedMac("web1", 1));
        assertThat(state.networks()).extracting(n -> n.name()).containsExactly("lab", "prod");
    }

    @Test
    void reportsEveryProblemWithFileLineAndColumn() {
        String file = DATA.resolve("broken.yaml").toString();
        assertThatThrownBy(() -> ManifestLoader.load(List.of(DATA.resolve("broken.yaml"))))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.diagnostics())
                        .extracting(Diagnostic::toString)
                        .containsExactly(
                                file + ":13:11: error: vm 'web1' runs on node 'hera', which no manifest defines"
                                        + " (did you mean 'here'?)",
                                file + ":14:5: error: unknown key 'cpu' in vm (did you mean 'cpus'?)",
                                file + ":15:13: error: 'memory' must be a size with a unit (KiB, MiB, GiB or TiB),"
                                        + " for example 2GiB; found '64'",
                                file + ":19:19: error: network 'lan' is not defined (did you mean 'lab'?)",
                                file + ":20:11: error: 'Web_2' is not a valid name: use 1-63 lowercase letters, digits"
                                        + " and '-', starting and ending with a letter or digit",
                                file + ":23:12: error: 'state' must be one of running, stopped, found 'paused'"));
    }

    @Test
    void duplicateNamesAcrossFilesNameBothLocations(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.yaml"), """
                apiVersion: mcvirt/v1
                cluster: {name: c}
                nodes:
                  - {name: n1, local: true}
                networks:
                  - {name: net, bridge: br0}
                """);
        Files.writeString(dir.resolve("b.yaml"), """
                apiVersion: mcvirt/v1
                networks:
                  - {name: net, bridge: br1}
                """);
        assertThatThrownBy(() -> ManifestLoader.load(List.of(dir)))
                .hasMessage(dir.resolve("b.yaml") + ":3:12: error: duplicate network 'net' (also defined at "
                        + dir.resolve("a.yaml") + ":6:12)");
    }

    @Test
    void mergesFilesAndDirectories(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("nodes.yaml"), """
                apiVersion: mcvirt/v1
                nodes:
                  - name: n1
                    address: 192.0.2.1
                    ssh: {user: root, port: 2221, identityFile: /k, knownHosts: /kh}
                """);
        Files.writeString(dir.resolve("vms.yml"), """
                apiVersion: mcvirt/v1
                cluster: {name: c}
                vms:
                  - {name: v1, node: n1, memory: 64MiB}
                """);
        DesiredState state = ManifestLoader.load(List.of(dir));
        assertThat(state.vms()).extracting(VmSpec::name).containsExactly("v1");
        assertThat(state.node("n1").orElseThrow().libvirtUri())
                .isEqualTo("qemu+libssh://root@192.0.2.1:2221/system?sshauth=privkey&keyfile=/k&known_hosts=/kh"
                        + "&known_hosts_verify=normal");
    }

    @Test
    void syntaxErrorsAndDuplicateKeysAreLocated(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: mcvirt/v1\ncluster: {name: c}\ncluster: {name: d}\n");
        assertThatThrownBy(() -> ManifestLoader.load(List.of(bad)))
                .hasMessage(bad + ":3:1: error: duplicate key 'cluster' (first at " + bad + ":2:1)");
        Files.writeString(bad, "apiVersion: mcvirt/v1\nvms: [\n");
        assertThatThrownBy(() -> ManifestLoader.load(List.of(bad)))
                .hasMessageStartingWith(bad + ":3:1: error: invalid YAML: expected the node content, but found '<stream end>' while parsing a flow node");
    }

    @Test
    void refusesDuplicateMacsAndMulticast(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: c}
                nodes: [{name: n, local: true}]
                networks: [{name: x, bridge: br0}]
                vms:
                  - {name: a, node: n, memory: 64MiB, nics: [{network: x, mac: "01:54:00:00:00:01"}]}
                  - {name: b, node: n, memory: 64MiB, nics: [{network: x, mac: "52:54:00:00:00:01"}]}
                  - {name: c, node: n, memory: 64MiB, nics: [{network: x, mac: "52:54:00:00:00:01"}]}
                """);
        assertThatThrownBy(() -> ManifestLoader.load(List.of(file)))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.diagnostics())
                        .extracting(Diagnostic::message)
                        .containsExactly("'01:54:00:00:00:01' is a multicast address; a NIC needs a unicast MAC",
                                "MAC address 52:54:00:00:00:01 is already used by vm b nic 0"));
    }

    @Test
    void collidingDerivedMacsAreResolvedByNameOrder(@TempDir Path dir) throws Exception {
        List<String> pair = MacCollisions.collidingVmNames();
        String first = pair.get(0);
        String later = pair.get(1);
        String mac = MacCollisions.derivedMac(first, 0);
        assertThat(MacCollisions.derivedMac(later, 0)).isEqualTo(mac);
        // the later name is listed first: the name order decides, not the order in the file
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: c}
                nodes: [{name: n, local: true}]
                networks: [{name: x, bridge: br0}]
                vms:
                  - {name: %s, node: n, memory: 64MiB, nics: [{network: x}]}
                  - {name: %s, node: n, memory: 64MiB, nics: [{network: x}]}
                """.formatted(later, first));
        DesiredState state = ManifestLoader.load(List.of(file));
        String laterMac = state.vm(later).orElseThrow().nics().get(0).mac();
        assertThat(state.vm(first).orElseThrow().nics().get(0).mac()).isEqualTo(mac);
        assertThat(laterMac).isNotEqualTo(mac).matches("52:54:00(:[0-9a-f]{2}){3}");
        assertThat(ManifestLoader.load(List.of(file))).isEqualTo(state);
        // the later vm takes its next candidate
        assertThat(laterMac).isEqualTo(Macs.derived(later, 0, 1));
    }

    @Test
    void aDerivedMacSkipsACandidateThatAnExplicitMacHas(@TempDir Path dir) throws Exception {
        List<String> pair = MacCollisions.collidingVmNames();
        String next = Macs.derived(pair.get(1), 0, 1);
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: c}
                nodes: [{name: n, local: true}]
                networks: [{name: x, bridge: br0}]
                vms:
                  - {name: %s, node: n, memory: 64MiB, nics: [{network: x}]}
                  - {name: %s, node: n, memory: 64MiB, nics: [{network: x}]}
                  - {name: a-pinned, node: n, memory: 64MiB, nics: [{network: x, mac: "%s"}]}
                """.formatted(pair.get(0), pair.get(1), next));
        DesiredState state = ManifestLoader.load(List.of(file));
        assertThat(state.vms()).extracting(v -> v.nics().get(0).mac()).containsExactly(next,
                MacCollisions.derivedMac(pair.get(0), 0), Macs.derived(pair.get(1), 0, 2));
        assertThat(state.vms()).extracting(v -> v.nics().get(0).derived()).containsExactly(false, true, true);
    }

    @Test
    void anExplicitMacWinsOverADerivedOne(@TempDir Path dir) throws Exception {
        String mac = MacCollisions.derivedMac("web", 0);
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: c}
                nodes: [{name: n, local: true}]
                networks: [{name: x, bridge: br0}]
                vms:
                  - {name: web, node: n, memory: 64MiB, nics: [{network: x}]}
                  - {name: zz-pinned, node: n, memory: 64MiB, nics: [{network: x, mac: "%s"}]}
                """.formatted(mac));
        DesiredState state = ManifestLoader.load(List.of(file));
        assertThat(state.vm("zz-pinned").orElseThrow().nics().get(0).mac()).isEqualTo(mac);
        assertThat(state.vm("web").orElseThrow().nics().get(0).mac()).isNotEqualTo(mac);
    }

    @Test
    void eachCleanNodeIsGivenEarlyBeforeTheRestIsReadAndABrokenOneIsNot(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: early}
                nodes:
                  - {name: alpha, address: 192.0.2.1}
                  - {name: beta, address: "not a host!"}
                  - {name: gamma, local: true}
                vms:
                  - {name: web, node: alpha, memory: 64MiB, disks: [{name: root, size: 1GiB, storage: nowhere}]}
                """);
        List<String> early = new java.util.ArrayList<>();
        assertThatThrownBy(() -> ManifestLoader.load(List.of(file), n -> early.add(n.name())))
                .isInstanceOf(ManifestException.class).hasMessageContaining("'not a host!' is not a host name")
                .hasMessageContaining("nowhere");
        assertThat(early).as("given before the vms were checked").containsExactly("alpha", "gamma");
    }
}
