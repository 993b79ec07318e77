package org.mcvirt.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.mcvirt.testing.Virsh;

/**
 * A vm from the Debian 12 test image (lab/guest-image/build.sh, built from Debian packages and cached) with cloud-init,
 * on this machine's libvirtd under TCG: mcvirt uploads the image, makes a 2 GiB disk from it and a NoCloud seed, and the
 * test logs in over SSH on the NAT network with the key the user data installed. Then a changed user data and
 * instance-id plan only the seed, and the guest takes them at its next start. Bad image input changes nothing.
 */
@Tag("libvirt")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CloudInitLocalLibvirtIT {
    private static final String URI = "qemu:///system";
    private static final Virsh VIRSH = new Virsh(URI);
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String VM = "ci-vm-" + ID;
    private static final String CLUSTER = "ci" + ID;
    private static final String NETWORK = "mcvirt." + CLUSTER + ".net";
    private static final String POOL = "mcvirt." + CLUSTER + ".images";
    private static final String MAC = "52:54:00:c1:00:" + ID.substring(0, 2).replaceAll("[^0-9a-f]", "0");
    /** How long a TCG guest may take from start to answering SSH (seen: under 2 minutes). */
    private static final Duration BOOT = Duration.ofMinutes(5);
    private static Path dir;
    private static Path images;
    private static Path image;
    private static String sha256;
    private static Path key;

    @BeforeAll
    static void setUp() throws Exception {
        assertThat(VIRSH.run("version").status()).as("libvirtd must answer on " + URI + " (.ci/start-libvirt)").isZero();
        dir = Files.createTempDirectory("mcvirt-ci-it");
        images = Path.of("/var/lib/mcvirt/ci-it-" + ID);
        ProcessResult built = run(Duration.ofMinutes(10), "lab/guest-image/build.sh");
        assertThat(built.status()).as("lab/guest-image/build.sh: " + built.output()).isZero();
        image = Path.of(built.stdout().strip().lines().reduce((a, b) -> b).orElseThrow());
        sha256 = ImageFiles.sha256(image);
        key = dir.resolve("id_ed25519");
        ProcessResult keygen = run(Duration.ofSeconds(30), "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                key.toString());
        assertThat(keygen.status()).as(keygen.output()).isZero();
    }

    @AfterAll
    static void cleanUp() {
        VIRSH.run("destroy", VM);
        VIRSH.run("undefine", VM);
        VIRSH.run("net-destroy", NETWORK);
        VIRSH.run("net-undefine", NETWORK);
        for (String volume : VIRSH.run("vol-list", POOL).text().lines().skip(2).map(String::strip)
                .filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0]).toList()) {
            VIRSH.run("vol-delete", volume, "--pool", POOL);
        }
        VIRSH.run("pool-destroy", POOL);
        VIRSH.run("pool-delete", POOL);
        VIRSH.run("pool-undefine", POOL);
    }

    private static Path manifest(String imageLines, String disk, String cloudInit, String state) throws IOException {
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
                networks:
                  - {name: net, nat: true, cidr: 192.168.181.0/24}
                images:
                %s
                vms:
                  - name: %s
                    node: here
                    cpus: 2
                    memory: 512MiB
                    state: %s
                    disks: [%s]
                    nics: [{network: net, mac: "%s"}]
                    cloudInit: %s
                """.formatted(CLUSTER, images, imageLines, VM, state, disk, MAC, cloudInit));
        return file;
    }

    private static String imageLines(String sha) {
        return "  - {name: debian12, source: " + image + ", sha256: " + sha + "}";
    }

    private static final String DISK = "{name: root, size: 2GiB, storage: images, image: debian12}";

    private static String userData(String hostname) throws IOException {
        Path file = dir.resolve("user-data.yaml");
        Files.writeString(file, "#cloud-config\nhostname: " + hostname + "\nssh_authorized_keys:\n  - "
                + Files.readString(Path.of(key + ".pub")).strip() + "\n");
        return "{userData: user-data.yaml}";
    }

    private static Cli.Result mcvirt(Path manifest, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "-f";
        all[1] = manifest.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    private static String libvirtState() {
        return VIRSH.run("list", "--all").text() + VIRSH.run("vol-list", POOL).text()
                + VIRSH.run("net-info", NETWORK).text() + VIRSH.run("pool-info", POOL).text();
    }

    @Test
    @Order(1)
    void badImageInputIsAProblemAtItsLineAndChangesNothing() throws Exception {
        String before = libvirtState();
        Path wrongSha = manifest(imageLines("0".repeat(64)), DISK, userData("ci-first"), "running");
        Cli.Result plan = mcvirt(wrongSha, "apply", "--auto-approve");
        assertThat(plan.exitCode()).as(plan.toString()).isNotZero();
        assertThat(plan.out() + plan.err()).contains(wrongSha + ":12:", "image 'debian12'", "has SHA-256 " + sha256,
                "not " + "0".repeat(64));
        assertThat(libvirtState()).as("nothing changed").isEqualTo(before);

        Path small = manifest(imageLines(sha256), "{name: root, size: 1GiB, storage: images, image: debian12}",
                userData("ci-first"), "running");
        Cli.Result tooSmall = mcvirt(small, "plan");
        assertThat(tooSmall.exitCode()).as(tooSmall.toString()).isNotZero();
        assertThat(tooSmall.err()).contains(small + ":19:", "is 1GiB, smaller than image 'debian12'");

        Path missing = manifest("  - {name: debian12, source: no-such.qcow2, sha256: " + sha256 + "}", DISK,
                userData("ci-first"), "running");
        Cli.Result noSource = mcvirt(missing, "plan");
        assertThat(noSource.exitCode()).as(noSource.toString()).isNotZero();
        assertThat(noSource.err()).contains(missing + ":12:", dir.resolve("no-such.qcow2") + "' does not exist");
        assertThat(libvirtState()).as("nothing changed").isEqualTo(before);
    }

    @Test
    @Order(2)
    void aVmFromTheImageBootsWithItsUserDataAndTheWholeDisk() throws Exception {
        Path file = manifest(imageLines(sha256), DISK, userData("ci-first"), "running");
        Cli.Result apply = mcvirt(file, "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("upload image debian12", "SHA-256 checked on the node",
                "from image debian12, a full copy", "write cloud-init seed seed." + VM + ".")
                .doesNotContain("ssh-ed25519");
        String xml = VIRSH.ok("dumpxml", VM, "--inactive");
        assertThat(xml).contains("<controller type='scsi' index='0' model='virtio-scsi'>", "device='cdrom'",
                "bus='scsi'");
        String volumes = VIRSH.ok("vol-list", POOL, "--details");
        assertThat(volumes).containsPattern(VM + "-root.qcow2.*2\\.00 GiB");

        String ip = leaseOf(MAC);
        String answer = ssh(ip, "hostname; cat /sys/block/vda/size; cat /var/lib/cloud/data/instance-id;"
                + " df -B1 --output=size / | tail -1");
        List<String> lines = answer.strip().lines().toList();
        assertThat(lines.get(0)).isEqualTo("ci-first");
        assertThat(lines.get(1)).as("the guest's disk in 512-byte sectors: 2 GiB").isEqualTo("4194304");
        assertThat(lines.get(2)).as("instance-id from the UUID mcvirt gave the vm")
                .isEqualTo("iid-" + VIRSH.ok("domuuid", VM).strip());
        assertThat(Long.parseLong(lines.get(3).strip())).as("growpart grew the root filesystem past the image's 1.5 GiB")
                .isGreaterThan(1800L << 20);

        Cli.Result again = mcvirt(file, "plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.toString()).isZero();
    }

    @Test
    @Order(3)
    void changedUserDataPlansOnlyTheSeedAndANewInstanceIdReRunsIt() throws Exception {
        Path same = manifest(imageLines(sha256), DISK, userData("ci-second"), "running");
        Cli.Result plan = mcvirt(same, "plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("~ cloudInit = seed." + VM + ".", "cloud-init acts on a changed seed only with"
                + " a new instance-id", "(needs restart)", "1. [here] write cloud-init seed seed." + VM + ".",
                "2. [here] update definition of domain " + VM + " (after 1)",
                "Plan: 0 to create, 1 to change, 0 to migrate, 0 to destroy.")
                .doesNotContain("3. [here]", "ci-second", "ssh-ed25519");

        Path renewed = manifest(imageLines(sha256), DISK, "{userData: user-data.yaml, instanceId: " + VM + "-2}",
                "running");
        Cli.Result apply = mcvirt(renewed, "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("Pending restart: vm." + VM + " (cloudInit)");
        Cli.Result stop = mcvirt(manifest(imageLines(sha256), DISK,
                "{userData: user-data.yaml, instanceId: " + VM + "-2}", "stopped"), "apply", "--auto-approve");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        renewed = manifest(imageLines(sha256), DISK, "{userData: user-data.yaml, instanceId: " + VM + "-2}",
                "running");
        Cli.Result start = mcvirt(renewed, "apply", "--auto-approve");
        assertThat(start.out()).contains("start domain " + VM);
        assertThat(start.exitCode()).as(start.toString()).isZero();

        String answer = ssh(leaseOf(MAC), "hostname; cat /var/lib/cloud/data/instance-id");
        assertThat(answer.strip().lines().toList()).containsExactly("ci-second", VM + "-2");
        assertThat(mcvirt(renewed, "plan", "--detailed-exitcode").exitCode()).isZero();
    }

    /** The address libvirt's DHCP server gave the MAC, waited for. */
    private static String leaseOf(String mac) throws InterruptedException {
        long deadline = System.nanoTime() + BOOT.toNanos();
        Pattern address = Pattern.compile(Pattern.quote(mac) + "\\s+ipv4\\s+(192\\.168\\.181\\.\\d+)/");
        while (System.nanoTime() < deadline) {
            Matcher found = address.matcher(VIRSH.run("net-dhcp-leases", NETWORK).text());
            if (found.find()) {
                return found.group(1);
            }
            Thread.sleep(2000);
        }
        throw new AssertionError("no DHCP lease for " + mac + " within " + BOOT + ": the guest did not come up;"
                + " its console: " + VIRSH.run("domstate", VM).text());
    }

    /**
     * Runs a command in the guest as Debian's cloud user with the user data's key, retried until sshd answers. Host
     * keys are not checked: the guest made them at its first boot, and the test trusts its own NAT network.
     */
    private static String ssh(String ip, String command) throws Exception {
        long deadline = System.nanoTime() + BOOT.toNanos();
        ProcessResult last = null;
        while (System.nanoTime() < deadline) {
            last = run(Duration.ofSeconds(30), "ssh", "-i", key.toString(), "-o", "BatchMode=yes", "-o",
                    "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", "-o",
                    "LogLevel=ERROR", "debian@" + ip, command);
            if (last.status() == 0) {
                return last.stdout();
            }
            Thread.sleep(3000);
        }
        throw new AssertionError("ssh to " + ip + " did not answer within " + BOOT + ": " + last.output());
    }

    private record ProcessResult(int status, String stdout, String output) {
    }

    private static ProcessResult run(Duration limit, String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of(command));
        Path out = Files.createTempFile(dir == null ? Path.of("/tmp") : dir, "out", ".txt");
        Path err = Files.createTempFile(dir == null ? Path.of("/tmp") : dir, "err", ".txt");
        Process process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null")
                .toFile())).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + " did not finish within " + limit);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        return new ProcessResult(process.exitValue(), stdout, stdout + Files.readString(err, StandardCharsets.UTF_8));
    }
}
