package org.mcvirt.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
import org.mcvirt.manifest.ImageFiles;
import org.mcvirt.testing.Cli;
import org.mcvirt.testing.Programs;
import org.mcvirt.testing.Virsh;

/**
 * An installer ISO on this machine's libvirtd: a small ISO 9660 file made here with xorriso is uploaded to the node,
 * attached as a SATA CD-ROM that the vm boots from first (boot: [cdrom, disk]), then ejected; a wrong SHA-256 is a
 * problem at the manifest's line that changes nothing.
 */
@Tag("libvirt")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IsoLocalLibvirtIT {
    private static final String URI = "qemu:///system";
    private static final Virsh VIRSH = new Virsh(URI);
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String VM = "iso-vm-" + ID;
    private static final String CLUSTER = "iso" + ID;
    private static final String POOL = "mcvirt." + CLUSTER + ".images";
    private static Path dir;
    private static Path images;
    private static String sha256;

    @BeforeAll
    static void anIso() throws Exception {
        assertThat(VIRSH.run("version").status()).as("libvirtd must answer on " + URI + " (.ci/start-libvirt)").isZero();
        dir = Files.createTempDirectory("mcvirt-iso-it");
        images = Path.of("/var/lib/mcvirt/iso-it-" + ID);
        Files.writeString(dir.resolve("README.TXT"), "installer " + ID + "\n");
        Process xorriso = new ProcessBuilder(Programs.require("xorriso", "xorriso").toString(), "-as", "mkisofs",
                "-quiet", "-o", dir.resolve("installer.iso").toString(), "-V", "INSTALL", "-J", "-R",
                dir.resolve("README.TXT").toString()).redirectErrorStream(true).start();
        String output = new String(xorriso.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(xorriso.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(xorriso.exitValue()).as("xorriso: " + output).isZero();
        sha256 = ImageFiles.sha256(dir.resolve("installer.iso"));
    }

    @AfterAll
    static void cleanUp() {
        VIRSH.run("destroy", VM);
        VIRSH.run("undefine", VM);
        for (String volume : VIRSH.run("vol-list", POOL).text().lines().skip(2).map(String::strip)
                .filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0]).toList()) {
            VIRSH.run("vol-delete", volume, "--pool", POOL);
        }
        VIRSH.run("pool-destroy", POOL);
        VIRSH.run("pool-delete", POOL);
        VIRSH.run("pool-undefine", POOL);
    }

    private static Path manifest(String sha, String vmExtra) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, """
                apiVersion: mcvirt/v1
                cluster: {name: %s}
                nodes:
                  - name: here
                    local: true
                    libvirt: {uri: "qemu:///system", domainType: qemu}
                    storage:
                      - {name: images, type: file, path: %s}
                networks: []
                isos:
                  - {name: installer, source: installer.iso, sha256: %s}
                vms:
                  - name: %s
                    node: here
                    memory: 64MiB
                    state: running
                    disks: [{name: root, size: 16MiB, storage: images}]
                %s""".formatted(CLUSTER, images, sha, VM, vmExtra));
        return file;
    }

    private static Cli.Result mcvirt(Path manifest, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "-f";
        all[1] = manifest.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    @Test
    @Order(1)
    void aWrongSha256IsAProblemAtItsLineAndNothingChanges() throws Exception {
        String before = VIRSH.run("list", "--all").text() + VIRSH.run("pool-list", "--all").text();
        Path file = manifest("f".repeat(64), "    cdrom: installer\n");
        Cli.Result apply = mcvirt(file, "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isNotZero();
        assertThat(apply.out() + apply.err()).contains(file + ":11:", "ISO 'installer'", "has SHA-256 " + sha256);
        assertThat(VIRSH.run("list", "--all").text() + VIRSH.run("pool-list", "--all").text()).isEqualTo(before);
    }

    @Test
    @Order(2)
    void theIsoIsUploadedAttachedOnSataAndBootedFirst() throws Exception {
        Path file = manifest(sha256, "    cdrom: installer\n    boot: [cdrom, disk]\n");
        Cli.Result apply = mcvirt(file, "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("upload ISO installer", "SHA-256 checked on the node");
        String xml = VIRSH.ok("dumpxml", VM, "--inactive");
        String iso = images + "/iso.installer." + sha256.substring(0, 12) + ".iso";
        assertThat(xml).containsPattern("(?s)<disk type='file' device='cdrom'>.*<source file='" + iso + "'/>.*"
                + "<target dev='sda' bus='sata'/>.*<readonly/>.*<boot order='1'/>")
                .containsPattern("(?s)<target dev='vda' bus='virtio'/>\\s*<boot order='2'/>")
                .doesNotContain("<boot dev=");
        assertThat(VIRSH.ok("domstate", VM)).contains("running");
        Cli.Result again = mcvirt(file, "plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.toString()).isZero();
    }

    @Test
    @Order(3)
    void removingCdromAndBootEjectsTheIsoAndRestoresTheDefaultOrder() throws Exception {
        Path file = manifest(sha256, "");
        Cli.Result plan = mcvirt(file, "plan");
        assertThat(plan.out()).contains("- cdrom = iso.installer.", "~ boot  = [cdrom, disk] -> default",
                "1. [here] update definition of domain " + VM, "Plan: 0 to create, 1 to change")
                .doesNotContain("2. [here]");
        Cli.Result apply = mcvirt(file, "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        String xml = VIRSH.ok("dumpxml", VM, "--inactive");
        assertThat(xml).doesNotContain("device='cdrom'", "<boot order=").contains("<boot dev='hd'/>");
        Cli.Result again = mcvirt(file, "plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.toString()).isZero();
    }
}
