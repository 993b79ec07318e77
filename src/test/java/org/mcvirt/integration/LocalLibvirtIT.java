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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.TestMethodOrder;
import org.mcvirt.testing.Cli;
import org.mcvirt.testing.Virsh;

/**
 * The whole lifecycle against the real libvirtd on this machine (qemu:///system), driven through the real
 * command line; virsh acts behind mcvirt's back and checks the results. Test domains are 64 MiB, firmware only.
 */
@Tag("libvirt")
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalLibvirtIT {
    private static final String URI = "qemu:///system";
    private static final Virsh VIRSH = new Virsh(URI);
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String WEB = "it-web-" + ID;
    private static final String DB = "it-db-" + ID;
    private static final String HAND = "it-hand-" + ID;
    private static final String CLUSTER = "it" + ID;
    private static final String NETWORK = "mcvirt." + CLUSTER + ".net";
    private static final String POOL = "mcvirt." + CLUSTER + ".images";
    private static Path dir;
    private static Path images;

    @BeforeAll
    static void setUp() throws Exception {
        assertThat(VIRSH.run("version").status()).as("libvirtd must answer on " + URI + " (.ci/start-libvirt)").isZero();
        dir = Files.createTempDirectory("mcvirt-it");
        // not under the private temp directory: qemu runs as its own user and must reach the disks
        images = Path.of("/var/lib/mcvirt/it-" + ID);
    }

    @AfterAll
    static void cleanUp() {
        for (String domain : new String[] {WEB, DB, HAND}) {
            VIRSH.run("destroy", domain);
            VIRSH.run("undefine", domain);
        }
        VIRSH.run("net-destroy", NETWORK);
        VIRSH.run("net-undefine", NETWORK);
        String pool = POOL;
        for (String volume : VIRSH.run("vol-list", pool).text().lines().skip(2).map(String::strip)
                .filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0]).toList()) {
            VIRSH.run("vol-delete", volume, "--pool", pool);
        }
        VIRSH.run("pool-destroy", pool);
        VIRSH.run("pool-delete", pool);
        VIRSH.run("pool-undefine", pool);
    }

    private static Path manifest(String vms) throws Exception {
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
                  - {name: net, nat: true, cidr: 192.168.171.0/24}
                vms:
                """.formatted(CLUSTER, images) + vms);
        return file;
    }

    private static String web(String extraNics) {
        return """
                  - name: %s
                    node: here
                    memory: 64MiB
                    state: running
                    disks: [{name: root, size: 16MiB, storage: images}]
                    nics: [{network: net, mac: "52:54:00:aa:00:01"}%s]
                """.formatted(WEB, extraNics);
    }

    private static String db(boolean protect) {
        return """
                  - name: %s
                    node: here
                    cpus: 1
                    memory: 64MiB
                    state: stopped
                    protect: %s
                    disks: [{name: root, size: 16MiB, storage: images}, {name: data, size: 8MiB, storage: images}]
                    nics: [{network: net}]
                """.formatted(DB, protect);
    }

    /**
     * What libvirt has of this test's objects: the domains and their states, each one's inactive definition, the
     * volumes and the network; a refused command must leave it as it was.
     */
    private static String libvirtState() {
        StringBuilder state = new StringBuilder(VIRSH.run("list", "--all").text());
        for (String domain : new String[] {WEB, DB, HAND}) {
            Virsh.Output xml = VIRSH.run("dumpxml", domain, "--inactive");
            state.append(domain).append(": ").append(xml.status() == 0 ? xml.text() : "not defined\n");
        }
        return state.append(VIRSH.run("vol-list", POOL).text()).append(VIRSH.run("net-info", NETWORK).text()).toString();
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
    void applyCreatesEverythingAndTheNextPlanIsEmpty() throws Exception {
        Path file = manifest(web("") + db(false));
        Cli.Result plan = mcvirt(file, "plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("Plan: 4 to create, 0 to change, 0 to migrate, 0 to destroy.");

        String before = libvirtState();
        Cli.Result refused = mcvirt(file, "apply");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("no terminal to ask for approval and --auto-approve not given");
        assertThat(VIRSH.run("dominfo", WEB).status()).as("nothing may be created without approval").isNotZero();
        assertThat(libvirtState()).as("libvirt after the refused apply").isEqualTo(before);

        Cli.Result apply = mcvirt(file, "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("[1/", ": done (", "Apply complete: 8 done, 0 failed, 0 skipped.");
        assertThat(VIRSH.ok("domstate", WEB)).contains("running");
        assertThat(VIRSH.ok("domstate", DB)).contains("shut off");
        assertThat(VIRSH.ok("dumpxml", DB)).contains("<mcvirt:vm xmlns:mcvirt=\"https://mcvirt.org/xmlns/domain/1\">");
        assertThat(VIRSH.ok("vol-list", POOL)).contains(DB + "-data.qcow2", DB + "-root.qcow2",
                WEB + "-root.qcow2");
        assertThat(VIRSH.ok("net-info", NETWORK)).containsPattern("Active:\\s+yes");

        Cli.Result info = mcvirt(file, "info");
        assertThat(info.exitCode()).as(info.toString()).isZero();
        assertThat(info.out()).contains("node here (local): reachable", "libvirt 9.", "QEMU ", "drbd-utils ", "lock: free")
                .containsPattern("vms: \\d+ managed, \\d+ unmanaged, \\d+ running");
        Cli.Result vmInfo = mcvirt(file, "info", WEB);
        assertThat(vmInfo.exitCode()).as(vmInfo.toString()).isZero();
        assertThat(vmInfo.out()).contains("vm " + WEB + " on node here (managed)", "state:     running",
                "disk root     vda (virtio)", "16MiB", "nic  52:54:00:aa:00:01 on net").containsPattern("vnc:\\s+127.0.0.1:59\\d\\d");
        Cli.Result noSuchVm = mcvirt(file, "info", "no-such-vm");
        assertThat(noSuchVm.exitCode()).as(noSuchVm.toString()).isEqualTo(1);
        assertThat(noSuchVm.err()).contains("no-such-vm");
        Cli.Result list = mcvirt(file, "list");
        assertThat(list.out()).containsPattern(WEB + "\\s+here\\s+running\\s+1\\s+64MiB\\s+-\\s+yes");
        Cli.Result listJson = mcvirt(file, "list", "--json");
        assertThat(listJson.exitCode()).isZero();
        assertThat(listJson.out()).contains("\"name\" : \"" + WEB + "\"", "\"managed\" : true", "\"unreachable\" : [ ]");

        Cli.Result again = mcvirt(file, "plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).isEqualTo("No changes. The cluster matches the manifest.\n");
        Cli.Result secondApply = mcvirt(file, "apply", "--auto-approve");
        assertThat(secondApply.exitCode()).isZero();
        assertThat(secondApply.out()).isEqualTo("No changes. The cluster matches the manifest.\n");
    }

    @Test
    @Order(2)
    void changesBehindMcvirtsBackAreDriftAndHandMadeDomainsAreNeverPlanned() throws Exception {
        Path file = manifest(web("") + db(false));
        VIRSH.ok("setmaxmem", DB, "131072", "--config");
        VIRSH.ok("setvcpus", WEB, "2", "--config", "--maximum");
        VIRSH.ok("setvcpus", WEB, "2", "--config");
        Path hand = dir.resolve("hand.xml");
        Files.writeString(hand, "<domain type='qemu'><name>" + HAND + "</name><memory unit='MiB'>32</memory>"
                + "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>");
        VIRSH.ok("define", hand.toString());

        Cli.Result plan = mcvirt(file, "plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("# vm." + DB + " on node here will be updated in place",
                "~ memory = 128MiB -> 64MiB   (applies live)", "# vm." + WEB + " on node here will be updated in place",
                "~ cpus = 2 -> 1   (needs restart)", "Plan: 0 to create, 2 to change, 0 to migrate, 0 to destroy.");
        assertThat(plan.out()).doesNotContain(HAND);

        Cli.Result apply = mcvirt(file, "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("Pending restart: vm." + WEB + " (cpus)");
        assertThat(VIRSH.ok("dominfo", DB)).containsPattern("Max memory:\\s+65536 KiB");
        assertThat(VIRSH.ok("dumpxml", HAND)).doesNotContain("mcvirt");
        assertThat(mcvirt(file, "plan", "--detailed-exitcode").exitCode()).isZero();
    }

    @Test
    @Order(3)
    void aNicAddedToARunningVmIsHotPlugged() throws Exception {
        Path file = manifest(web(", {network: net, mac: \"52:54:00:aa:00:02\"}") + db(false));
        Cli.Result apply = mcvirt(file, "apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("hot-plug nic 52:54:00:aa:00:02 into running domain " + WEB + ": done");
        assertThat(VIRSH.ok("domiflist", WEB)).contains("52:54:00:aa:00:02");
        assertThat(VIRSH.ok("domiflist", WEB, "--inactive")).contains("52:54:00:aa:00:02");
        assertThat(mcvirt(file, "plan", "--detailed-exitcode").exitCode()).isZero();
    }

    @Test
    @Order(4)
    void aStalePlanFileIsRefused() throws Exception {
        Path file = manifest(web("") + db(false));
        Path saved = dir.resolve("saved.plan");
        Cli.Result plan = mcvirt(file, "plan", "--out", saved.toString());
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        VIRSH.ok("setmaxmem", DB, "98304", "--config");
        String stale = libvirtState();
        Cli.Result apply = mcvirt(file, "apply", "--auto-approve", saved.toString());
        assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(1);
        assertThat(apply.err()).contains("the plan is stale: the cluster changed since it was made");
        assertThat(VIRSH.ok("domiflist", WEB)).as("nothing applied from a stale plan").contains("52:54:00:aa:00:02");
        assertThat(libvirtState()).as("libvirt after the stale plan was refused").isEqualTo(stale);
        Path fresh = dir.resolve("fresh.plan");
        assertThat(mcvirt(file, "plan", "--out", fresh.toString()).exitCode()).isZero();
        Cli.Result applyFresh = mcvirt(file, "apply", "--auto-approve", fresh.toString());
        assertThat(applyFresh.exitCode()).as(applyFresh.toString()).isZero();
        assertThat(mcvirt(file, "plan", "--detailed-exitcode").exitCode()).isZero();
    }

    @Test
    @Order(5)
    void destroyNeedsAllowDestroyAndProtectedVmsAreNeverDestroyed() throws Exception {
        Path withoutWeb = manifest(db(true));
        String before = libvirtState();
        Cli.Result withoutAllow = mcvirt(withoutWeb, "apply", "--auto-approve");
        assertThat(withoutAllow.exitCode()).as(withoutAllow.toString()).isEqualTo(1);
        assertThat(withoutAllow.err()).contains("the plan destroys resources (", "nothing was changed. Re-run with"
                + " --allow-destroy");
        assertThat(libvirtState()).as("libvirt after the refused destroy").isEqualTo(before);
        Path protectedDb = manifest(web("") + db(true));
        Cli.Result protect = mcvirt(protectedDb, "apply", "--auto-approve");
        assertThat(protect.exitCode()).as(protect.toString()).isZero();

        Path file = manifest(db(true));
        Cli.Result plan = mcvirt(file, "plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).isEqualTo(2);
        assertThat(plan.out()).contains("- vm \"" + WEB + "\"", "(destroys data)", "1 to destroy.");
        String protectedState = libvirtState();
        Cli.Result refused = mcvirt(file, "apply", "--auto-approve");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("the plan destroys resources (1 to destroy); nothing was changed. Re-run"
                + " with --allow-destroy");
        assertThat(VIRSH.ok("domstate", WEB)).contains("running");
        assertThat(libvirtState()).as("libvirt after the refused destroy").isEqualTo(protectedState);

        Cli.Result destroyed = mcvirt(file, "apply", "--auto-approve", "--allow-destroy", "--shutdown-timeout", "2");
        assertThat(destroyed.exitCode()).as(destroyed.toString()).isZero();
        assertThat(VIRSH.run("dominfo", WEB).status()).isNotZero();
        assertThat(VIRSH.ok("vol-list", POOL)).doesNotContain(WEB + "-root.qcow2").contains(DB + "-root.qcow2");

        Path empty = manifest("  []\n");
        String onlyDb = libvirtState();
        Cli.Result refusedProtected = mcvirt(empty, "apply", "--auto-approve", "--allow-destroy");
        assertThat(refusedProtected.exitCode()).as(refusedProtected.toString()).isEqualTo(1);
        assertThat(refusedProtected.out()).contains("vm " + DB + " on node here is not in the manifest but is protected");
        assertThat(refusedProtected.err()).contains("the plan has problems; nothing was changed:", "vm " + DB
                + " on node here is not in the manifest but is protected");
        assertThat(VIRSH.ok("domstate", DB)).contains("shut off");
        assertThat(libvirtState()).as("libvirt after the refused plan").isEqualTo(onlyDb);
    }

    @Test
    @Order(6)
    void theOperatorIsAskedAndOnlyYesApplies() throws Exception {
        Path file = manifest(db(true).replace("cpus: 1", "cpus: 2"));
        String before = libvirtState();
        Cli.Result declined = Cli.run(org.mcvirt.cli.Terminal.of(new java.io.BufferedReader(
                new java.io.StringReader("no\n")), false), "-f", file.toString(), "apply");
        assertThat(declined.exitCode()).as(declined.toString()).isEqualTo(1);
        assertThat(declined.out()).contains("Do you want to perform these actions? Only 'yes' will be accepted:");
        assertThat(declined.err()).contains("apply cancelled; nothing was changed");
        assertThat(VIRSH.ok("dominfo", DB)).containsPattern("CPU\\(s\\):\\s+1");
        assertThat(libvirtState()).as("libvirt after the declined apply").isEqualTo(before);
        Cli.Result accepted = Cli.run(org.mcvirt.cli.Terminal.of(new java.io.BufferedReader(
                new java.io.StringReader("yes\n")), false), "-f", file.toString(), "apply");
        assertThat(accepted.exitCode()).as(accepted.toString()).isZero();
        assertThat(VIRSH.ok("dominfo", DB)).containsPattern("CPU\\(s\\):\\s+2");
    }

    @Test
    @Order(7)
    void removingADiskDeletesItsVolumeOnlyWhenAllowedAndNeverOnAProtectedVm() throws Exception {
        String withoutData = db(true).replace(", {name: data, size: 8MiB, storage: images}", "");
        String before = libvirtState();
        Cli.Result protectedVm = mcvirt(manifest(withoutData), "plan");
        assertThat(protectedVm.exitCode()).as(protectedVm.toString()).isEqualTo(1);
        assertThat(protectedVm.out()).contains("vm " + DB + " is protected; removing its disk data would delete");
        Cli.Result protectedApply = mcvirt(manifest(withoutData), "apply", "--auto-approve", "--allow-destroy");
        assertThat(protectedApply.exitCode()).as(protectedApply.toString()).isEqualTo(1);
        assertThat(protectedApply.err()).contains("the plan has problems; nothing was changed:", "vm " + DB
                + " is protected; removing its disk data would delete");
        assertThat(libvirtState()).as("libvirt after the protected disk's removal was refused").isEqualTo(before);

        Path unprotect = manifest(db(false));
        assertThat(mcvirt(unprotect, "apply", "--auto-approve").exitCode()).isZero();
        Path file = manifest(db(false).replace(", {name: data, size: 8MiB, storage: images}", ""));
        Cli.Result plan = mcvirt(file, "plan");
        assertThat(plan.out()).contains("- disk.data = /var/lib/mcvirt/it-" + ID + "/" + DB + "-data.qcow2   (destroys data)");
        String withData = libvirtState();
        Cli.Result withoutAllow = mcvirt(file, "apply", "--auto-approve");
        assertThat(withoutAllow.exitCode()).as(withoutAllow.toString()).isEqualTo(1);
        // (a disk removed from a vm is part of a change, so the count of whole objects to destroy says 0)
        assertThat(withoutAllow.err()).contains("the plan destroys resources (0 to destroy); nothing was changed."
                + " Re-run with --allow-destroy");
        assertThat(VIRSH.ok("vol-list", POOL)).contains(DB + "-data.qcow2");
        assertThat(libvirtState()).as("libvirt after the refused disk removal").isEqualTo(withData);
        Cli.Result apply = mcvirt(file, "apply", "--auto-approve", "--allow-destroy");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(VIRSH.ok("vol-list", POOL)).doesNotContain(DB + "-data.qcow2").contains(DB + "-root.qcow2");
        assertThat(VIRSH.ok("domblklist", DB)).doesNotContain("vdb").contains("vda");
        assertThat(mcvirt(file, "plan", "--detailed-exitcode").exitCode()).isZero();
    }

    @Test
    @Order(8)
    void aSavedPlanRunsOnlyWithItsManifestsAndOnlyAsMcvirtPlansIt() throws Exception {
        Path file = manifest(db(false).replace("memory: 64MiB", "memory: 80MiB"));
        Path saved = dir.resolve("self-contained.plan");
        Cli.Result plan = mcvirt(file, "plan", "--out", saved.toString());
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(Files.readString(saved)).contains("\"libvirtUri\" : \"qemu:///system\"");

        // manifest() rewrites the same file: these are other manifests under the same name
        String before = libvirtState();
        Cli.Result other = mcvirt(manifest(db(false)), "apply", "--auto-approve", saved.toString());
        assertThat(other.exitCode()).as(other.toString()).isEqualTo(1);
        assertThat(other.err()).contains("the manifests do not match the saved plan", "nothing was changed");
        assertThat(VIRSH.ok("dumpxml", DB, "--inactive")).contains("<memory unit='KiB'>65536</memory>");
        assertThat(libvirtState()).as("libvirt after the saved plan was refused").isEqualTo(before);

        // no -f at all (and no ./cluster.yaml): a saved plan is checked by planning it again, which needs its manifests
        Cli.Result alone = Cli.run("apply", "--auto-approve", saved.toString());
        assertThat(alone.exitCode()).as(alone.toString()).isEqualTo(1);
        assertThat(alone.err()).contains("a saved plan is applied with the manifests it was made from");
        assertThat(libvirtState()).as("libvirt after the plan without manifests was refused").isEqualTo(before);

        // edited plans (issue 17): a host disk in the definition, a libvirt URI that runs a program; each refused
        Path file80 = manifest(db(false).replace("memory: 64MiB", "memory: 80MiB"));
        String json = Files.readString(saved);
        Path hostDisk = dir.resolve("host-disk.plan");
        Files.writeString(hostDisk, json.replace("<devices>", "<devices><disk type='block' device='disk'><source"
                + " dev='/dev/sda'/><target dev='vdz' bus='virtio'/></disk>"));
        Cli.Result disk = mcvirt(file80, "apply", "--auto-approve", hostDisk.toString());
        assertThat(disk.exitCode()).as(disk.toString()).isEqualTo(1);
        assertThat(disk.err()).contains("the saved plan is not what mcvirt plans from these manifests and this"
                + " cluster (first difference: step ", " (DEFINE_DOMAIN on here), argument xml: ", "/dev/sda",
                "nothing was changed");
        Path ext = dir.resolve("ext-uri.plan");
        Files.writeString(ext, json.replace("\"libvirtUri\" : \"qemu:///system\"",
                "\"libvirtUri\" : \"qemu+ext:///system?command=/bin/false\""));
        Cli.Result uri = mcvirt(file80, "apply", "--auto-approve", ext.toString());
        assertThat(uri.exitCode()).as(uri.toString()).isEqualTo(1);
        assertThat(uri.err()).contains("node here, libvirtUri: ", "transport qemu+ext", "nothing was changed");
        assertThat(libvirtState()).as("libvirt after the edited plans were refused").isEqualTo(before);

        // the plan as saved, with its manifests
        Cli.Result applied = mcvirt(file80, "apply", "--auto-approve", saved.toString());
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        assertThat(VIRSH.ok("dumpxml", DB, "--inactive")).contains("<memory unit='KiB'>81920</memory>");
        Cli.Result after = mcvirt(manifest(db(false).replace("memory: 64MiB", "memory: 80MiB")), "plan",
                "--detailed-exitcode");
        assertThat(after.exitCode()).as(after.toString()).isZero();
    }

    @Test
    @Order(9)
    void aForeignPoolWhoseDirectoryIsGoneDoesNotStopPlanningAndIsLeftAlone() throws Exception {
        String foreign = "other-" + ID;
        Path directory = Path.of("/var/lib/mcvirt/other-" + ID);
        Files.createDirectories(directory);
        try {
            VIRSH.ok("pool-define-as", foreign, "dir", "--target", directory.toString());
            VIRSH.ok("pool-start", foreign);
            Files.delete(directory);
            Path file = manifest(db(false).replace("memory: 64MiB", "memory: 80MiB"));
            Cli.Result plan = mcvirt(file, "plan", "--detailed-exitcode");
            assertThat(plan.exitCode()).as(plan.toString()).isZero();
            assertThat(plan.out()).isEqualTo("No changes. The cluster matches the manifest.\n");
            // reading never refreshes someone else's pool (a failed refresh would stop it)
            assertThat(VIRSH.ok("pool-info", foreign)).containsPattern("State:\\s+running");
        } finally {
            VIRSH.run("pool-destroy", foreign);
            VIRSH.run("pool-undefine", foreign);
            Files.deleteIfExists(directory);
        }
    }
}
