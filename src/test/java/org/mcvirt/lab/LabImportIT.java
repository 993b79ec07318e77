package org.mcvirt.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * import of a DRBD-backed vm on the lab: made by mcvirt (a replicated disk on LVs of both nodes, a file disk, a NIC),
 * its mark then taken off by redefining it without the metadata with virsh, as a cluster that never had mcvirt would
 * have it. import writes its manifest (the replicated disk on its pair, its resource kept), plan with it names the
 * domain as unmanaged, --adopt gives it the mark (with the resource's minor and port) and the copy of the definition on
 * both nodes, and plan is then empty.
 */
@Tag("lab")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabImportIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "im" + ID;
    private static final String VM = "im-" + ID;
    private static final String RESOURCE = "mcvirt_" + VM + "_root";
    private static final String STATE = "/var/lib/mcvirt-" + CLUSTER;
    private static final String VIRSH = "virsh -c qemu:///system";
    private static Path dir;
    private static Path nodes;
    /** The cluster without vms: what an operator who starts from an existing cluster has. */
    private static Path base;
    /** The same with the vm, as mcvirt made it first. */
    private static Path withVm;
    private static Path vms;
    /** The DRBD minor apply gave the replicated disk: adopting keeps it. */
    private static String minor;

    @BeforeAll
    static void labIsUp() throws Exception {
        Lab.assertUp();
        dir = Files.createTempDirectory("mcvirt-lab-import");
        nodes = Lab.drbdNodesFor(dir, CLUSTER, STATE);
        Path secret = dir.resolve("drbd.secret");
        Files.writeString(secret, "Lab-Secret-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20) + "\n");
        String cluster = """
                apiVersion: mcvirt/v1
                cluster:
                  name: %s
                  drbd: {enabled: true, minors: 300-399, ports: 7800-7849, secret: {file: %s}}
                networks:
                  - {name: imnet, nat: true, cidr: 192.168.158.0/24}
                """.formatted(CLUSTER, secret);
        base = dir.resolve("base.yaml");
        Files.writeString(base, cluster);
        withVm = dir.resolve("cluster.yaml");
        Files.writeString(withVm, cluster + """
                vms:
                  - name: %s
                    node: node1
                    memory: 64MiB
                    state: stopped
                    disks:
                      - {name: root, size: 32MiB, storage: vg0, replicated: true}
                      - {name: scratch, size: 16MiB, storage: images}
                    nics: [{network: imnet, mac: "52:54:00:ac:00:01"}]
                """.formatted(VM));
        vms = dir.resolve("vms");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        // unmanaged (a test failed before --adopt), mcvirt would not delete it: undefine it by hand first
        if (!Lab.script("ssh", "node1", VIRSH, "dumpxml", VM).text().contains("mcvirt:vm")) {
            Lab.script("ssh", "node1", "sh", "-c", "'" + VIRSH + " destroy " + VM + "; " + VIRSH + " undefine " + VM
                    + "; rm -f /var/lib/mcvirt/" + CLUSTER + "/" + VM + "-scratch.qcow2; true'");
        }
        Lab.destroyDrbdCluster(nodes, dir, CLUSTER, RESOURCE, STATE);
    }

    private static Cli.Result mcvirt(Path manifest, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "-f";
        all[1] = nodes.toString();
        all[2] = "-f";
        all[3] = manifest.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return Cli.run(all);
    }

    @Test
    @Order(1)
    void aReplicatedVmWithoutTheMarkIsUnmanaged() throws Exception {
        Cli.Result apply = mcvirt(withVm, "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(mcvirt(withVm, "plan", "--detailed-exitcode").exitCode()).isZero();
        java.util.regex.Matcher device = java.util.regex.Pattern.compile("<source dev='/dev/drbd(\\d+)'/>")
                .matcher(Lab.ssh("node1", VIRSH, "dumpxml", "--inactive", VM));
        assertThat(device.find()).isTrue();
        minor = device.group(1);

        Lab.ssh("node1", "sh", "-c", "'" + VIRSH + " dumpxml --inactive " + VM + " | sed \"/<metadata>/,/<\\/metadata>/d\""
                + " > /tmp/" + ID + ".xml && " + VIRSH + " define /tmp/" + ID + ".xml && rm -f /tmp/" + ID + ".xml'");
        assertThat(Lab.ssh("node1", VIRSH, "dumpxml", "--inactive", VM)).doesNotContain("mcvirt:vm")
                .contains("/dev/drbd");
        Cli.Result plan = mcvirt(withVm, "plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
        assertThat(plan.out() + plan.err()).contains("domain " + VM + " on node node1 exists but is not managed by"
                + " mcvirt");
    }

    @Test
    @Order(2)
    void importWritesTheReplicatedDiskOnItsPairAndChangesNothing() throws Exception {
        String before = Lab.ssh("node1", VIRSH, "dumpxml", "--inactive", VM);
        Cli.Result imported = mcvirt(base, "import", "-o", vms.toString(), VM);
        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        Path file = vms.resolve(VM + ".yaml");
        assertThat(imported.out()).contains("Wrote " + file + ": vm " + VM + " on node node1 (2 disks, 1 nic)",
                "Checked: a plan with these manifests shows no change for " + VM + " but adopting " + VM + ".")
                .doesNotContain("not expressed");
        assertThat(Files.readString(file)).contains("    node: node1\n    nodes: [node1, node2]\n",
                "    state: stopped\n", "      - {name: root, size: 32MiB, storage: vg0, replicated: true}\n",
                "      - {name: scratch, size: 16MiB, storage: images}\n",
                "      - {network: imnet, mac: \"52:54:00:ac:00:01\"}\n");
        assertThat(Lab.ssh("node1", VIRSH, "dumpxml", "--inactive", VM)).isEqualTo(before);
    }

    @Test
    @Order(3)
    void adoptGivesTheMarkWithTheResourceAndPlanIsEmpty() throws Exception {
        Cli.Result adopt = mcvirt(base, "import", "-o", vms.toString(), "--adopt", "--yes", VM);
        assertThat(adopt.exitCode()).as(adopt.toString()).isZero();
        assertThat(adopt.out()).contains("~ managed = false -> true", "adopt domain " + VM + " (add mcvirt's mark to"
                + " its definition): done");
        String defined = Lab.ssh("node1", VIRSH, "dumpxml", "--inactive", VM);
        assertThat(defined).contains("<mcvirt:cluster>" + CLUSTER + "</mcvirt:cluster>", "resource=\"" + RESOURCE + "\"",
                "<mcvirt:pair-node>node2</mcvirt:pair-node>", "minor=\"" + minor + "\"", "source=\"/dev/drbd" + minor
                + "\"").containsPattern("port=\"78[0-4]\\d\"");
        // every define of a replicated vm keeps its definition on both nodes of the pair, for register
        for (String node : new String[] {"node1", "node2"}) {
            assertThat(Lab.ssh(node, "cat", STATE + "/domains/" + VM + ".xml")).contains("resource=\"" + RESOURCE + "\"");
        }

        Cli.Result plan = Cli.run("-f", nodes.toString(), "-f", base.toString(), "-f", vms.toString(), "plan",
                "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).isEqualTo("No changes. The cluster matches the manifest.\n");
        // the manifest mcvirt made the vm from describes it too
        assertThat(mcvirt(withVm, "plan", "--detailed-exitcode").exitCode()).isZero();
    }
}
