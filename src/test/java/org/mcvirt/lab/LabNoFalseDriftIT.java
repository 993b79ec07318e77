package org.mcvirt.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.mcvirt.testing.Cli;

/**
 * No false drift (issue 10): after an apply, none of what libvirt and people do to a vm without changing what the
 * manifest says may make the plan non-empty: a libvirtd restart, 'virsh dumpxml | virsh define' of the same domain,
 * the vm stopped and started by hand, a NIC MAC generated earlier, device addresses and controllers libvirt adds, and
 * the same sizes spelt in other units. Each is checked with 'plan --detailed-exitcode' (0 = no change) and with
 * 'drift' (where the read differs most: after the apply, the restart and the added controller). A real change (memory by virsh) is drift, so the check can fail.
 */
@Tag("lab")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabNoFalseDriftIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "nd" + ID;
    private static final String VM = "nd-" + ID;
    private static Path dir;
    private static Path nodes;
    private static Path manifest;

    @BeforeAll
    static void aRunningVmWithTwoDisksAndTwoNics() throws Exception {
        Lab.assertUp();
        dir = Files.createTempDirectory("mcvirt-lab-no-false-drift");
        nodes = Lab.nodesFor(dir, CLUSTER);
        manifest = dir.resolve("cluster.yaml");
        writeManifest("64MiB", "32MiB", "");
        Cli.Result created = mcvirt("apply", "--auto-approve");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        noChangeNorDrift("right after the apply");
    }

    /** The vm: nics without a mac (derived by mcvirt) unless macs says otherwise. */
    private static void writeManifest(String memory, String disk, String macs) throws Exception {
        Files.writeString(manifest, """
                apiVersion: mcvirt/v1
                cluster: {name: %s}
                networks:
                  - {name: ndnet, nat: true, cidr: 192.168.156.0/24}
                  - {name: ndback, nat: true, cidr: 192.168.157.0/24}
                vms:
                  - name: %s
                    node: node1
                    memory: %s
                    state: running
                    disks:
                      - {name: root, size: %s, storage: images}
                      - {name: data, size: 16MiB, storage: images}
                    nics:
                      - {network: ndnet%s}
                      - {network: ndback}
                """.formatted(CLUSTER, VM, memory, disk, macs));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir != null) {
            Lab.destroyCluster(nodes, dir, CLUSTER);
        }
    }

    private static Cli.Result mcvirt(String... args) {
        return Lab.mcvirt(nodes, manifest, args);
    }

    private static String virsh(String... args) {
        List<String> all = new ArrayList<>(List.of("virsh", "-c", "qemu:///system"));
        all.addAll(List.of(args));
        return Lab.ssh("node1", all.toArray(String[]::new));
    }

    private static void noChange(String after) {
        Cli.Result plan = mcvirt("plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as("plan after %s: %s", after, plan).isZero();
        assertThat(plan.out()).isEqualTo("No changes. The cluster matches the manifest.\n");
    }

    /** noChange, and drift (the same read and plan, then its own checks) agrees. */
    private static void noChangeNorDrift(String after) {
        noChange(after);
        Cli.Result drift = mcvirt("drift");
        assertThat(drift.exitCode()).as("drift after %s: %s", after, drift).isZero();
    }

    @Test
    @Order(1)
    void aLibvirtdRestart() throws Exception {
        Lab.ssh("node1", "systemctl", "restart", "libvirtd");
        for (int i = 0; i < 60 && Lab.script("ssh", "node1", "virsh", "-c", "qemu:///system", "list").status() != 0; i++) {
            Thread.sleep(1000);
        }
        noChangeNorDrift("a libvirtd restart");
    }

    @Test
    @Order(2)
    void theSameDefinitionDefinedAgain() {
        Lab.ssh("node1", "sh", "-c", "'virsh -c qemu:///system dumpxml --inactive " + VM + " > /tmp/" + ID
                + ".xml && virsh -c qemu:///system define /tmp/" + ID + ".xml && rm -f /tmp/" + ID + ".xml'");
        noChange("virsh dumpxml | virsh define");
    }

    @Test
    @Order(3)
    void theVmStoppedAndStartedByHand() {
        virsh("destroy", VM);
        virsh("start", VM);
        noChange("a stop and start by hand");
    }

    @Test
    @Order(4)
    void aNicMacGeneratedEarlierIsKeptAndCanBeWrittenDown() throws Exception {
        String mac = virsh("domiflist", VM).lines().filter(l -> l.contains("mcvirt." + CLUSTER + ".ndnet"))
                .map(l -> l.trim().split("\\s+")[4]).findFirst().orElseThrow();
        writeManifest("64MiB", "32MiB", ", mac: \"" + mac + "\"");
        noChange("the mac it was given written into the manifest");
        writeManifest("64MiB", "32MiB", "");
    }

    @Test
    @Order(5)
    void devicesAndControllersLibvirtAddsOrSomeoneAddsByHand() {
        Lab.ssh("node1", "sh", "-c", "'printf \"%s\" \"<controller type=\\\"virtio-serial\\\" index=\\\"0\\\"/>\" > /tmp/"
                + ID + "-c.xml && virsh -c qemu:///system attach-device " + VM + " /tmp/" + ID
                + "-c.xml --config && rm -f /tmp/" + ID + "-c.xml'");
        assertThat(virsh("dumpxml", "--inactive", VM)).contains("<controller type='virtio-serial'", "<address type='pci'");
        noChangeNorDrift("a controller added by hand and libvirt's device addresses");
    }

    @Test
    @Order(6)
    void sizesSpeltInOtherUnits() throws Exception {
        writeManifest("65536KiB", "32768KiB", "");
        noChange("64MiB written as 65536KiB and 32MiB as 32768KiB");
        writeManifest("64MiB", "32MiB", "");
    }

    @Test
    @Order(7)
    void aRealChangeIsDrift() {
        virsh("setmaxmem", VM, "98304", "--config");
        Cli.Result plan = mcvirt("plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("memory = 96MiB -> 64MiB");
        Cli.Result drift = mcvirt("drift");
        assertThat(drift.exitCode()).as(drift.toString()).isEqualTo(2);
    }
}
