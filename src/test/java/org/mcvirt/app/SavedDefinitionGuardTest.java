package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;
import org.mcvirt.node.DefinitionPrimitives;
import org.mcvirt.node.NodeException;
import org.mcvirt.plan.Step;
import org.mcvirt.plan.StepPayload;

/**
 * register defines a saved definition (STATE/domains/VM.xml) only when it is what mcvirt writes (issue 17 item 3): a
 * copy tampered on the node (a host disk, another cluster's or vm's mark, a resource "all", a pair node or minor
 * mcvirt would not have written) is refused before the runner defines it. The cluster is the golden case
 * register-from-copy: cluster gold, nodes node1 and node2, minors 300-399, ports 7800-7849, vm files1 with disk root.
 */
class SavedDefinitionGuardTest {
    private static final String GOOD = "<domain type='kvm'><name>files1</name><uuid>d0000000-0000-0000-0000-000000000001"
            + "</uuid><metadata><mcvirt:vm xmlns:mcvirt='https://mcvirt.org/xmlns/domain/1'><mcvirt:cluster>gold"
            + "</mcvirt:cluster><mcvirt:name>files1</mcvirt:name><mcvirt:protect>false</mcvirt:protect>"
            + "<mcvirt:disk name='root' storage='vg0' target='vda' source='/dev/drbd300' resource='mcvirt_files1_root'"
            + " minor='300' port='7800'/><mcvirt:pair-node>node1</mcvirt:pair-node><mcvirt:pair-node>node2"
            + "</mcvirt:pair-node></mcvirt:vm></metadata><memory unit='KiB'>65536</memory><devices>"
            + "<disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/drbd300'/>"
            + "<target dev='vda' bus='virtio'/></disk><disk type='file' device='cdrom'><target dev='sda' bus='sata'/>"
            + "</disk></devices></domain>";

    private final List<String> ran = new ArrayList<>();

    private static DesiredState desired() throws Exception {
        return ManifestLoader.load(List.of(Path.of("src/test/resources/testdata/plan/register-from-copy/manifest.yaml")));
    }

    private String register(String saved, DesiredState desired) throws Exception {
        DefinitionPrimitives definitions = new DefinitionPrimitives() {
            @Override
            public void saveDefinition(String stateDirectory, String domain, String xml) {
                throw new AssertionError("not saved here");
            }

            @Override
            public Optional<String> readDefinition(String stateDirectory, String domain) {
                return stateDirectory.equals("/var/lib/mcvirt") && domain.equals("files1") ? Optional.of(saved)
                        : Optional.empty();
            }

            @Override
            public void forgetDefinition(String stateDirectory, String domain) {
                throw new AssertionError("not forgotten here");
            }

            @Override
            public void writeFailoverRecord(String stateDirectory, String vm, byte[] json) {
                throw new AssertionError("no failover here");
            }

            @Override
            public void forgetFailoverRecord(String stateDirectory, String vm) {
                throw new AssertionError("no failover here");
            }
        };
        SavedDefinitionGuard guard = new SavedDefinitionGuard(step -> {
            ran.add(step.kind() + " " + step.subject());
            return "";
        }, "gold", Set.of("node1", "node2"), desired, node -> definitions);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(saved.getBytes(StandardCharsets.UTF_8)));
        return guard.run(new Step(1, "node1", "domain:node1/files1", List.of(), "vm.files1", "define domain files1",
                new StepPayload.RegisterDomain("files1", "node1", "/var/lib/mcvirt", sha256,
                        Map.of("node1", "/var/lib/mcvirt", "node2", "/var/lib/mcvirt")), List.of(),
                List.of("node1", "node2")));
    }

    @Test
    void whatMcvirtWroteIsDefined() throws Exception {
        register(GOOD, desired());
        register(GOOD, null);
        assertThat(ran).containsExactly("REGISTER_DOMAIN domain:node1/files1", "REGISTER_DOMAIN domain:node1/files1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a host disk instead of the DRBD device|<source dev='/dev/drbd300'/>|<source dev='/dev/sda'/>|uses /dev/sda",
        "a file disk added|<disk type='file' device='cdrom'><target|<disk type='file' device='cdrom'><source file='/etc/shadow'/><target|uses /etc/shadow",
        "resource all|resource='mcvirt_files1_root'|resource='all'|resource 'all'",
        "a resource escaping the state directory|resource='mcvirt_files1_root'|resource='../../etc/x'|resource '../../etc/x'",
        "another cluster's mark|<mcvirt:cluster>gold|<mcvirt:cluster>other|cluster 'other'",
        "another vm's mark|<mcvirt:name>files1|<mcvirt:name>web|names vm 'web'",
        "another domain|<name>files1</name>|<name>web</name>|not the definition of domain files1",
        "a pair node outside the manifest|<mcvirt:pair-node>node2|<mcvirt:pair-node>attacker|pair node 'attacker'",
        "a minor outside the range|minor='300'|minor='5'|minor 5",
        "a port outside the range|port='7800'|port='22'|port 22",
        "no mark|xmlns:mcvirt='https://mcvirt.org/xmlns/domain/1'|xmlns:mcvirt='https://example.org/x'|no mcvirt mark",
    })
    void aTamperedCopyIsNotDefined(String what, String from, String to, String message) throws Exception {
        String tampered = GOOD.replace(from, to);
        assertThat(tampered).as(what).isNotEqualTo(GOOD);
        assertThatThrownBy(() -> register(tampered, desired())).as(what).isInstanceOf(NodeException.class)
                .hasMessageContaining("the saved definition of domain files1 on node node1 is not what mcvirt writes")
                .hasMessageContaining(message).hasMessageContaining("so it is not defined");
        assertThat(ran).as("the runner never saw the step").isEmpty();
    }

    @Test
    void withoutTheManifestsTheDeviceMustStillBeTheMarksOwn() {
        assertThatThrownBy(() -> register(GOOD.replace("<source dev='/dev/drbd300'/>", "<source dev='/dev/sda'/>"),
                null)).isInstanceOf(NodeException.class).hasMessageContaining("uses /dev/sda");
        assertThat(ran).isEmpty();
    }
}
