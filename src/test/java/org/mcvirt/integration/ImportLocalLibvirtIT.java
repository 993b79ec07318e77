package org.mcvirt.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.mcvirt.testing.Cli;
import org.mcvirt.testing.Virsh;

/**
 * import against the real libvirtd (qemu:///system): a domain defined by hand with virsh (two qcow2 disks in the
 * cluster's file pool, two NICs on the cluster's networks, started paused so it costs no CPU) is written as a manifest;
 * without --adopt nothing on the node changes and plan names the domain as unmanaged; with --adopt it gets mcvirt's mark
 * and plan with the written file is empty.
 */
@Tag("libvirt")
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImportLocalLibvirtIT {
    private static final String URI = "qemu:///system";
    private static final Virsh VIRSH = new Virsh(URI);
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String VM = "imp-" + ID;
    private static final String CLUSTER = "imp" + ID;
    private static final String POOL = "mcvirt." + CLUSTER + ".images";
    private static final String NET = "mcvirt." + CLUSTER + ".front";
    private static final String BACK = "mcvirt." + CLUSTER + ".back";
    private static Path dir;
    private static Path images;
    private static Path cluster;
    private static Path vms;

    @BeforeAll
    static void setUp() throws Exception {
        assertThat(VIRSH.run("version").status()).as("libvirtd must answer on " + URI + " (.ci/start-libvirt)").isZero();
        dir = Files.createTempDirectory("mcvirt-import-it");
        images = Path.of("/var/lib/mcvirt/imp-" + ID);
        vms = dir.resolve("vms");
        cluster = dir.resolve("cluster.yaml");
        Files.writeString(cluster, """
                apiVersion: mcvirt/v1
                cluster: {name: %s}
                nodes:
                  - name: here
                    local: true
                    libvirt: {uri: "qemu:///system", domainType: qemu}
                    storage:
                      - {name: images, type: file, path: %s}
                networks:
                  - {name: front, nat: true, cidr: 192.168.177.0/24}
                  - {name: back, nat: true, cidr: 192.168.178.0/24}
                """.formatted(CLUSTER, images));
    }

    @AfterAll
    static void cleanUp() {
        VIRSH.run("destroy", VM);
        VIRSH.run("undefine", VM);
        for (String network : new String[] {NET, BACK}) {
            VIRSH.run("net-destroy", network);
            VIRSH.run("net-undefine", network);
        }
        for (String volume : new String[] {VM + "-root.qcow2", VM + "-data.qcow2"}) {
            VIRSH.run("vol-delete", volume, "--pool", POOL);
        }
        VIRSH.run("pool-destroy", POOL);
        VIRSH.run("pool-delete", POOL);
        VIRSH.run("pool-undefine", POOL);
    }

    private static Cli.Result mcvirt(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "-f";
        all[1] = cluster.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    /** plan with the cluster's manifest and the directory import wrote. */
    private static Cli.Result planWithImported() {
        return Cli.run("-f", cluster.toString(), "-f", vms.toString(), "plan", "--detailed-exitcode");
    }

    @Test
    @Order(1)
    void aDomainDefinedByHandIsWrittenAsAManifestAndLeftAsItIs() throws Exception {
        Cli.Result apply = mcvirt("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        VIRSH.ok("vol-create-as", POOL, VM + "-root.qcow2", "16M", "--format", "qcow2");
        VIRSH.ok("vol-create-as", POOL, VM + "-data.qcow2", "8M", "--format", "qcow2");
        Path xml = dir.resolve("hand.xml");
        Files.writeString(xml, """
                <domain type='qemu'>
                  <name>%1$s</name>
                  <memory unit='MiB'>64</memory>
                  <vcpu>1</vcpu>
                  <os><type arch='x86_64'>hvm</type></os>
                  <devices>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='%2$s/%1$s-root.qcow2'/>
                      <target dev='vda' bus='virtio'/>
                    </disk>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='%2$s/%1$s-data.qcow2'/>
                      <target dev='vdb' bus='virtio'/>
                    </disk>
                    <interface type='network'>
                      <mac address='52:54:00:ab:00:01'/>
                      <source network='%3$s'/>
                      <model type='virtio'/>
                    </interface>
                    <interface type='network'>
                      <mac address='52:54:00:ab:00:02'/>
                      <source network='%4$s'/>
                      <model type='e1000'/>
                    </interface>
                  </devices>
                </domain>
                """.formatted(VM, images, NET, BACK));
        VIRSH.ok("define", xml.toString());
        VIRSH.ok("start", "--paused", VM);
        String before = VIRSH.ok("dumpxml", "--inactive", VM);

        Cli.Result imported = mcvirt("import", "-o", vms.toString(), VM);
        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        Path file = vms.resolve(VM + ".yaml");
        assertThat(imported.out()).contains("Wrote " + file + ": vm " + VM + " on node here (2 disks, 2 nics)",
                "  not expressed: the domain is paused; the manifest says state: running",
                "Checked: a plan with these manifests shows no change for " + VM + " but adopting " + VM + ".",
                "Nothing on the nodes was changed: " + VM + " stays unmanaged until 'mcvirt import --adopt'.");
        assertThat(Files.readString(file)).contains("""
                apiVersion: mcvirt/v1
                vms:
                  - name: %s
                    node: here
                    cpus: 1
                    memory: 64MiB
                    state: running
                    autostart: false
                    disks:
                      - {name: root, size: 16MiB, storage: images}
                      - {name: data, size: 8MiB, storage: images}
                    nics:
                      - {network: front, mac: "52:54:00:ab:00:01"}
                      - {network: back, mac: "52:54:00:ab:00:02"}
                """.formatted(VM)).startsWith("# Written by 'mcvirt import' from domain " + VM + " on node here.");
        assertThat(VIRSH.ok("dumpxml", "--inactive", VM)).isEqualTo(before).doesNotContain("mcvirt:vm");

        // unmanaged, the domain is in the way of the manifest's vm: named, never touched
        Cli.Result plan = planWithImported();
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
        assertThat(plan.out() + plan.err()).contains("domain " + VM + " on node here exists but is not managed by"
                + " mcvirt", "'mcvirt import --adopt " + VM + "'");
    }

    @Test
    @Order(2)
    void adoptAddsTheMarkOnlyAndThenPlanIsEmpty() throws Exception {
        String before = VIRSH.ok("dumpxml", "--inactive", VM);
        Cli.Result refused = mcvirt("import", "-o", vms.toString(), "--adopt", VM);
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("no terminal to ask for approval");
        assertThat(VIRSH.ok("dumpxml", "--inactive", VM)).doesNotContain("mcvirt:vm");

        Cli.Result adopt = mcvirt("import", "-o", vms.toString(), "--adopt", "--yes", VM);
        assertThat(adopt.exitCode()).as(adopt.toString()).isZero();
        assertThat(adopt.out()).contains("~ managed = false -> true", "adopt domain " + VM
                + " (add mcvirt's mark to its definition): done", "Apply complete: 1 done, 0 failed, 0 skipped.");
        String after = VIRSH.ok("dumpxml", "--inactive", VM);
        assertThat(after).contains("<mcvirt:vm xmlns:mcvirt=\"https://mcvirt.org/xmlns/domain/1\">",
                "<mcvirt:cluster>" + CLUSTER + "</mcvirt:cluster>", "<mcvirt:disk name=\"data\" source=\"" + images + "/" + VM
                + "-data.qcow2\" storage=\"images\" target=\"vdb\"/>", "<model type='e1000'/>");
        // the definition is the one defined by hand with the mark, nothing else
        assertThat(after.replaceAll("(?s)\\s*<metadata>.*</metadata>", "")).isEqualTo(before);
        assertThat(VIRSH.ok("domstate", VM)).contains("paused");

        Cli.Result plan = planWithImported();
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).isEqualTo("No changes. The cluster matches the manifest.\n");

        Cli.Result again = Cli.run("-f", cluster.toString(), "-f", vms.toString(), "import", "-o", vms.toString(), VM);
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("Skipped " + VM + ": already in the manifests and managed by mcvirt",
                "Nothing to import.");
    }
}
