package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.manifest.MacCollisions;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.render.Renderer;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedNetwork;
import org.mcvirt.state.ObservedState;

/** Derived MACs against the live cluster: a live vm keeps the MAC it has, and a new vm never takes one in use. */
class MacCollisionPlanTest {
    private static DesiredState manifest(Path dir, String... vms) throws Exception {
        StringBuilder text = new StringBuilder("""
                apiVersion: mcvirt/v1
                cluster: {name: c}
                nodes: [{name: n, local: true}]
                networks: [{name: x, bridge: br0}]
                vms:
                """);
        for (String vm : vms) {
            text.append("  - {name: ").append(vm).append(", node: n, memory: 64MiB, state: stopped, nics: [{network: x}]}\n");
        }
        Path file = dir.resolve("m.yaml");
        Files.writeString(file, text);
        return ManifestLoader.load(List.of(file));
    }

    private static ObservedDomain domain(String name, String mac, boolean managed) {
        return new ObservedDomain(name, "00000000-0000-0000-0000-00000000000" + name.length(), false, "shut-off", true,
                false, 1, 65536, 1, 65536, List.of(),
                List.of(new ObservedDomain.ObservedNic(mac, "network", "mcvirt.c.x")), null,
                managed ? new VmMetadata("c", name, false, List.of()) : null,
                "<domain type='qemu'><name>" + name + "</name></domain>");
    }

    private static Plan plan(DesiredState desired, ObservedDomain... domains) {
        ObservedState observed = new ObservedState(List.of(new NodeObservation("n", true, null, "9.0.0", "QEMU 7.2.0",
                List.of(domains), List.of(new ObservedNetwork("mcvirt.c.x", true, true, false, "bridge", "br0", null, null, null, null)),
                List.of(), List.of())));
        return new Planner(new Renderer(Optional.empty())).plan(desired, observed, Planner.Options.all());
    }

    private static String plannedMac(Plan plan, String vm) {
        ResourceChange change = plan.changes().stream().filter(c -> c.address().equals("vm." + vm)).findFirst().orElseThrow();
        return change.attributes().stream().map(AttributeChange::name).filter(n -> n.startsWith("nic."))
                .map(n -> n.substring(4)).findFirst().orElseThrow();
    }

    @Test
    void aLiveVmKeepsItsMacAndTheNewVmMoves(@TempDir Path dir) throws Exception {
        List<String> pair = MacCollisions.collidingVmNames();
        String first = pair.get(0);
        String later = pair.get(1);
        String mac = MacCollisions.derivedMac(first, 0);
        DesiredState desired = manifest(dir, first, later);
        // offline, the name order decides: the first name keeps the derived MAC
        assertThat(desired.vm(first).orElseThrow().nics().get(0).mac()).isEqualTo(mac);

        // the later vm already runs with that MAC: it keeps it, and the new vm gets another one
        Plan plan = plan(desired, domain(later, mac, true));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.changes()).extracting(ResourceChange::address).containsExactly("vm." + first);
        assertThat(plan.changes().get(0).action()).isEqualTo(Action.CREATE);
        String moved = plannedMac(plan, first);
        assertThat(moved).isNotEqualTo(mac).matches("52:54:00(:[0-9a-f]{2}){3}");
        Step define = plan.steps().stream().filter(s -> s.kind() == StepKind.DEFINE_DOMAIN).findFirst().orElseThrow();
        assertThat(define.payload(StepPayload.DefineDomain.class).xml()).contains(moved).doesNotContain(mac);

        // and once the first vm exists with its moved MAC, nothing changes for either
        Plan after = plan(desired, domain(first, moved, true), domain(later, mac, true));
        assertThat(after.problems()).isEmpty();
        assertThat(after.changes()).isEmpty();
    }

    @Test
    void theFirstNameKeepsItsMacWhenItIsTheLiveOne(@TempDir Path dir) throws Exception {
        List<String> pair = MacCollisions.collidingVmNames();
        String mac = MacCollisions.derivedMac(pair.get(0), 0);
        DesiredState desired = manifest(dir, pair.get(0), pair.get(1));
        Plan plan = plan(desired, domain(pair.get(0), mac, true));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.changes()).extracting(ResourceChange::address).containsExactly("vm." + pair.get(1));
        assertThat(plannedMac(plan, pair.get(1))).isNotEqualTo(mac)
                .isEqualTo(desired.vm(pair.get(1)).orElseThrow().nics().get(0).mac());
    }

    @Test
    void aNewVmNeverTakesAMacThatAnyLiveDomainUses(@TempDir Path dir) throws Exception {
        String mac = MacCollisions.derivedMac("db", 0);
        DesiredState desired = manifest(dir, "db", "web");
        assertThat(desired.vm("db").orElseThrow().nics().get(0).mac()).isEqualTo(mac);
        // an unmanaged domain mcvirt never touches already has db's derived MAC
        Plan plan = plan(desired, domain("handmade", mac, false));
        assertThat(plan.problems()).isEmpty();
        assertThat(plannedMac(plan, "db")).isNotEqualTo(mac);
        assertThat(plannedMac(plan, "web")).isEqualTo(MacCollisions.derivedMac("web", 0));
    }
}
