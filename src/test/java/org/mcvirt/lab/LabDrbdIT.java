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
 * A vm with a DRBD-replicated disk on the lab: created by apply on both nodes (LV, resource file, metadata, up,
 * initial sync), its data the same on both sides; verified clean, then garbage written below DRBD is found by verify
 * and keeps the vm from starting until a resync and a clean verify; grown live with its data kept, a shrink refused;
 * deleted with --allow-destroy; and the shared secret in none of mcvirt's outputs (validate, plan, saved plan, apply,
 * info, list, verify, resync) or the journals.
 */
@Tag("lab")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabDrbdIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "dr" + ID;
    private static final String VM = "dr-" + ID;
    private static final String RESOURCE = "mcvirt_" + VM + "_root";
    private static final String SECRET = "Lab-Secret-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    private static final String STATE = "/var/lib/mcvirt-" + CLUSTER;
    /** cluster.notify's command on both nodes: appends its arguments to NOTIFIED. */
    private static final String NOTIFY = "/root/mcvirt-notify-" + CLUSTER;
    private static final String NOTIFIED = "/root/mcvirt-notified-" + CLUSTER;
    private static final String RES_FILE = "/etc/drbd.d/" + RESOURCE + ".res";
    /** The minor the plan allocates: the first of 300-399 that no resource on the nodes uses (another test's may). */
    private static int minor;
    private static String device;
    private static final List<String> OUTPUTS = new ArrayList<>();
    private static Path dir;
    private static Path nodes;
    private static Path manifest;

    @BeforeAll
    static void labIsUp() throws Exception {
        Lab.assertUp();
        dir = Files.createTempDirectory("mcvirt-lab-drbd");
        nodes = Lab.drbdNodesFor(dir, CLUSTER, STATE);
        Path secret = dir.resolve("drbd.secret");
        Files.writeString(secret, SECRET + "\n");
        manifest = dir.resolve("cluster.yaml");
        secretFile = secret;
        writeManifest("stopped", "32MiB");
        for (String node : List.of("node1", "node2")) {
            Lab.ssh(node, "printf '#!/bin/sh\\necho \"$@\" >>" + NOTIFIED + "\\n' >" + NOTIFY + " && chmod 755 " + NOTIFY);
        }
    }

    private static Path secretFile;
    /** cluster.drbd.verifySchedule, or null. */
    private static String schedule;

    /** The manifest with the vm in this state and its disk of this size. */
    private static void writeManifest(String state, String size) throws java.io.IOException {
        Files.writeString(manifest, """
                apiVersion: mcvirt/v1
                cluster:
                  name: %s
                  drbd: {enabled: true, minors: 300-399, ports: 7800-7849, secret: {file: %s}%s}
                  notify: {command: %s}
                networks: []
                vms:
                  - name: %s
                    node: node1
                    memory: 64MiB
                    state: %s
                    disks: [{name: root, size: %s, storage: vg0, replicated: true}]
                """.formatted(CLUSTER, secretFile,
                schedule == null ? "" : ", verifySchedule: \"" + schedule + "\"", NOTIFY + " lab", VM, state, size));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        Lab.destroyDrbdCluster(nodes, dir, CLUSTER, RESOURCE, STATE);
        for (String node : List.of("node1", "node2")) {
            Lab.script("ssh", node, "rm", "-f", NOTIFY, NOTIFIED);
            // the scheduled verify's units, when a failed test left them
            Lab.script("ssh", node, "systemctl disable --now mcvirt-verify-" + CLUSTER + ".timer; rm -f"
                    + " /etc/systemd/system/mcvirt-verify-" + CLUSTER + ".service /etc/systemd/system/mcvirt-verify-"
                    + CLUSTER + ".timer; systemctl daemon-reload");
        }
    }

    private static Cli.Result mcvirt(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "-f";
        all[1] = nodes.toString();
        all[2] = "-f";
        all[3] = manifest.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        Cli.Result result = Cli.run(all);
        OUTPUTS.add(result.out() + result.err());
        return result;
    }

    @Test
    @Order(1)
    void applyCreatesTheReplicatedDiskOnBothNodesAndTheNextPlanIsEmpty() throws Exception {
        assertThat(mcvirt("validate").exitCode()).isZero();
        Cli.Result json = mcvirt("plan", "--json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        Path saved = dir.resolve("drbd.plan");
        Cli.Result plan = mcvirt("plan", "--out", saved.toString());
        assertThat(plan.out()).contains("initial sync of " + RESOURCE + " from node1 to node2 (node1's new disk is the"
                + " good copy; node2's new disk is overwritten)");
        java.util.regex.Matcher allocated = java.util.regex.Pattern.compile("replicated node1 <-> node2 \\(/dev/drbd(3\\d\\d),"
                + " port (78[0-4]\\d)\\)").matcher(plan.out());
        assertThat(allocated.find()).as(plan.out()).isTrue();
        minor = Integer.parseInt(allocated.group(1));
        device = "/dev/drbd" + minor;
        OUTPUTS.add(Files.readString(saved));

        Cli.Result apply = mcvirt("apply", "--auto-approve", saved.toString());
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains("node1: initial sync of " + RESOURCE, "node1: define domain " + VM + ": done");
        for (String node : new String[] {"node1", "node2"}) {
            assertThat(Lab.ssh(node, "lvs", "--noheadings", "-o", "lv_name,lv_tags", "vg0/" + RESOURCE))
                    .contains(RESOURCE, "mcvirt." + CLUSTER);
            assertThat(Lab.ssh(node, "stat", "-c", "%a", "/etc/drbd.d/" + RESOURCE + ".res").strip()).isEqualTo("600");
            assertThat(Lab.ssh(node, "cat", "/proc/drbd")).containsPattern(minor + ": cs:Connected ro:\\w+/\\w+ ds:UpToDate/UpToDate");
            assertThat(Lab.script("ssh", node, "test", "-b", device).status()).as("%s on %s", device, node)
                    .isZero();
        }
        assertThat(Lab.ssh("node1", "drbdadm", "role", RESOURCE).strip()).isEqualTo("Primary/Secondary");
        assertThat(Lab.ssh("node1", "virsh", "-c", "qemu:///system", "dumpxml", VM)).contains("<source dev='" + device + "'",
                "cache='none'", "type='raw'");

        Cli.Result again = mcvirt("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).isEqualTo("No changes. The cluster matches the manifest.\n");
        OUTPUTS.add(mcvirt("info").out());
        OUTPUTS.add(mcvirt("info", VM).out());
    }

    /**
     * The resource file's handlers: written on both nodes with cluster.notify's command; a file without them (as
     * mcvirt wrote before it had handlers) is rewritten by the next apply with the secret kept, the resource left as
     * it is; a file edited beyond its handlers is reported and left alone.
     */
    @Test
    @Order(2)
    void aResourceFileWithoutHandlersGetsThemAndOneEditedBeyondThemIsOnlyReported() {
        for (String node : new String[] {"node1", "node2"}) {
            assertThat(Lab.ssh(node, "cat", RES_FILE)).contains("handlers {", "out-of-sync \"logger -t mcvirt-drbd",
                    "timeout 10 " + NOTIFY + " lab " + RESOURCE);
        }
        String before = Lab.ssh("node2", "cat", "/proc/drbd");
        Lab.ssh("node2", "sed", "-i", "'/^  handlers {/,/^  }/d'", RES_FILE);
        assertThat(Lab.ssh("node2", "cat", RES_FILE)).doesNotContain("handlers");
        Cli.Result plan = mcvirt("plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("rewrite DRBD resource file " + RES_FILE + " with mcvirt's handlers",
                "disk.root.handlers.node2 = none -> journal and cluster.notify");
        assertThat(plan.out()).doesNotContain("node1: rewrite");
        Cli.Result apply = mcvirt("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(Lab.ssh("node2", "cat", RES_FILE)).contains("handlers {", "shared-secret \"" + SECRET + "\"");
        assertThat(Lab.ssh("node2", "stat", "-c", "%a", RES_FILE).strip()).isEqualTo("600");
        assertThat(Lab.ssh("node2", "drbdadm", "dump", RESOURCE)).contains("split-brain");
        assertThat(Lab.ssh("node2", "cat", "/proc/drbd")).as("the resource is not touched")
                .containsPattern(minor + ": cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate");
        assertThat(before).containsPattern(minor + ": cs:Connected");
        Cli.Result empty = mcvirt("plan", "--detailed-exitcode");
        assertThat(empty.exitCode()).as(empty.toString()).isZero();

        Lab.ssh("node2", "sed", "-i", "'s/resync-rate 100M;/resync-rate 90M;/'", RES_FILE);
        Cli.Result edited = mcvirt("plan", "--detailed-exitcode");
        assertThat(edited.out()).contains("DRBD resource file " + RES_FILE + " on node node2 differs from what mcvirt"
                + " writes for vm " + VM + " disk root beyond its handlers").doesNotContain("rewrite DRBD");
        assertThat(edited.exitCode()).as(edited.toString()).isZero();
        Lab.ssh("node2", "sed", "-i", "'s/resync-rate 90M;/resync-rate 100M;/'", RES_FILE);
        assertThat(mcvirt("plan", "--detailed-exitcode").exitCode()).isZero();
    }

    @Test
    @Order(2)
    void bytesWrittenOnThePrimaryReadTheSameOnThePeerOnceItIsPromoted() throws Exception {
        Lab.ssh("node1", "sh", "-c", "'head -c 4194304 /dev/urandom > /tmp/" + ID + ".bin && dd if=/tmp/" + ID
                + ".bin of=" + device + " bs=1M oflag=direct conv=nocreat,notrunc status=none && sync'");
        String written = Lab.ssh("node1", "sh", "-c", "'head -c 4194304 " + device + " | sha256sum'").split(" ")[0];
        assertThat(Lab.ssh("node1", "sha256sum", "/tmp/" + ID + ".bin").split(" ")[0]).isEqualTo(written);
        Lab.ssh("node1", "drbdadm", "secondary", RESOURCE);
        Lab.ssh("node2", "drbdadm", "primary", RESOURCE);
        try {
            String read = Lab.ssh("node2", "sh", "-c", "'head -c 4194304 " + device + " | sha256sum'").split(" ")[0];
            assertThat(read).isEqualTo(written);
        } finally {
            Lab.ssh("node2", "drbdadm", "secondary", RESOURCE);
            Lab.ssh("node1", "drbdadm", "primary", RESOURCE);
            Lab.ssh("node1", "rm", "-f", "/tmp/" + ID + ".bin");
        }
        assertThat(mcvirt("plan", "--detailed-exitcode").exitCode()).isZero();
    }

    @Test
    @Order(3)
    void verifyOfAnInSyncDiskIsCleanAndRecordedOnBothNodesAndLeavesNoLock() {
        Cli.Result verify = mcvirt("verify", VM);
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains(VM + " disk root (" + RESOURCE + "): online verify started on node1",
                VM + " disk root (" + RESOURCE + "): clean", "Verified 1 disk: 1 clean, 0 out of sync, 0 failed.");
        for (String node : new String[] {"node1", "node2"}) {
            assertThat(Lab.ssh(node, "cat", STATE + "/verify/" + RESOURCE + ".json"))
                    .contains("\"result\":\"clean\"", "\"outOfSyncKiB\":0", "\"node\":\"node1\"");
        }
        assertThat(mcvirt("lock", "status").out()).isEqualTo("node1: free\nnode2: free\n");
        assertThat(mcvirt("info", VM).out()).contains("last verify: clean");
        assertThat(mcvirt("list").out()).containsPattern(VM + " +node1 +shut-off .* ok +yes");
    }

    @Test
    @Order(4)
    void aVerifyThatIsKilledLeavesNoLockBehind() throws Exception {
        Path log = dir.resolve("verify-killed.log");
        Process verify = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "org.mcvirt.cli.Main", "-f", nodes.toString(), "-f",
                manifest.toString(), "verify", VM).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.readString(log).contains("online verify started on node1")) {
                assertThat(verify.isAlive()).as("verify ended early: %s", Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("verify never started: %s", Files.readString(log)).isLessThan(deadline);
                Thread.sleep(100);
            }
            verify.destroy(); // SIGTERM, as kill or a CI job's cancel sends it
            assertThat(verify.waitFor(60, TimeUnit.SECONDS)).as("verify ends on SIGTERM").isTrue();
        } finally {
            verify.destroyForcibly();
        }
        assertThat(mcvirt("lock", "status").out()).isEqualTo("node1: free\nnode2: free\n");
        // the verify goes on in the kernel: let it end before the next test runs one of its own
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (Lab.ssh("node1", "cat", "/proc/drbd").contains(minor + ": cs:Verify")) {
            assertThat(System.nanoTime()).as("the kernel's verify never ended").isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    @Test
    @Order(5)
    void garbageBelowDrbdOnTheSecondaryIsFoundByVerifyAndTheVmCannotBeStarted() throws Exception {
        // 64 KiB of garbage at 1 MiB, straight onto node2's backing LV, below DRBD
        Lab.ssh("node2", "dd", "if=/dev/urandom", "of=/dev/vg0/" + RESOURCE, "bs=4096", "seek=256", "count=16",
                "oflag=direct", "conv=notrunc", "status=none");
        Cli.Result found = mcvirt("verify", VM);
        assertThat(found.exitCode()).as(found.toString()).isEqualTo(1);
        assertThat(found.out()).contains(VM + " disk root (" + RESOURCE + "): OUT OF SYNC: 64 KiB differ between node1"
                + " and node2", "mcvirt resync " + VM + " --source-node NODE", "1 vm marked");
        for (String node : new String[] {"node1", "node2"}) {
            assertThat(Lab.ssh(node, "cat", STATE + "/verify/" + RESOURCE + ".json"))
                    .contains("\"result\":\"out-of-sync\"", "\"outOfSyncKiB\":64");
        }
        assertThat(mcvirt("lock", "status").out()).isEqualTo("node1: free\nnode2: free\n");
        // DRBD's out-of-sync handler on both nodes: the finding in the node's journal, cluster.notify's command run
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String node : new String[] {"node1", "node2"}) {
            while (!Lab.script("ssh", node, "cat", NOTIFIED).text().contains("lab " + RESOURCE)) {
                assertThat(System.nanoTime()).as("cluster.notify never ran on %s", node).isLessThan(until);
                Thread.sleep(500);
            }
            assertThat(Lab.ssh(node, "journalctl", "-t", "mcvirt-drbd", "--no-pager", "-o", "cat"))
                    .contains(RESOURCE + " (cluster " + CLUSTER + ", vm " + VM + ", disk root): out of sync");
        }
        assertThat(mcvirt("list").out()).containsPattern(VM + " +node1 +shut-off .* MARKED");
        assertThat(mcvirt("info", VM).out()).contains("last verify: out-of-sync (64 KiB out of sync)",
                "attention: disk root (" + RESOURCE + "): the verify of");

        writeManifest("running", "32MiB");
        Cli.Result plan = mcvirt("plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
        assertThat(plan.out()).contains("Error: vm " + VM + " cannot be started: disk root (" + RESOURCE + "): the"
                + " verify of", "found 64 KiB out of sync", "'mcvirt resync " + VM + " --source-node NODE'");
        Cli.Result apply = mcvirt("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(1);
        assertThat(apply.err()).contains("the plan has problems; nothing was changed");
        assertThat(Lab.ssh("node1", "virsh", "-c", "qemu:///system", "domstate", VM).strip()).isEqualTo("shut off");
    }

    @Test
    @Order(6)
    void resyncFromTheGoodNodeThenACleanVerifyLiftsTheMark() {
        Cli.Result unasked = mcvirt("resync", VM, "--source-node", "node1");
        assertThat(unasked.exitCode()).as(unasked.toString()).isEqualTo(1);
        assertThat(unasked.err()).contains("without a terminal to ask, --yes is required; nothing was changed");
        Cli.Result wrongNode = mcvirt("resync", VM, "--source-node", "node3", "--yes");
        assertThat(wrongNode.exitCode()).isEqualTo(1);
        assertThat(wrongNode.err()).contains("node node3 is not in the DRBD pair of vm " + VM);

        Cli.Result resync = mcvirt("resync", VM, "--source-node", "node1", "--yes");
        assertThat(resync.exitCode()).as(resync.toString()).isZero();
        assertThat(resync.out()).contains("the copy on node2 of root (" + RESOURCE + ") is overwritten with node1's",
                "resync started, node1 -> node2", "resync done, both copies UpToDate");
        Cli.Result stillMarked = mcvirt("plan", "--detailed-exitcode");
        assertThat(stillMarked.exitCode()).as("only a clean verify lifts the mark: %s", stillMarked).isEqualTo(1);
        assertThat(stillMarked.out()).contains("cannot be started");

        Cli.Result clean = mcvirt("verify", VM);
        assertThat(clean.exitCode()).as(clean.toString()).isZero();
        assertThat(clean.out()).contains("): clean");

        // towards the vm's node, which stays Primary while the vm is stopped: demoted for the resync, promoted after
        Cli.Result toVmNode = mcvirt("resync", VM, "--source-node", "node2", "--yes");
        assertThat(toVmNode.exitCode()).as(toVmNode.toString()).isZero();
        assertThat(toVmNode.out()).contains("node1 made Secondary for the resync", "resync started, node2 -> node1",
                "node1 made Primary again");
        assertThat(Lab.ssh("node1", "drbdadm", "role", RESOURCE).strip()).isEqualTo("Primary/Secondary");
        Cli.Result start = mcvirt("apply", "--auto-approve");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        assertThat(Lab.ssh("node1", "virsh", "-c", "qemu:///system", "domstate", VM).strip()).isEqualTo("running");
    }

    /**
     * The scheduled verify: a schedule a little ahead installs the program, service and timer on both nodes; the
     * timer's run on node1 (the vm's node, Primary) finds garbage written below DRBD on node2 and marks the vm without
     * anyone running mcvirt verify; removing the schedule removes the units. Then resync and a clean verify.
     */
    @Test
    @Order(7)
    void aScheduledVerifyFindsGarbageOnThePeerAndMarksTheVmOnItsOwn() throws Exception {
        String unit = "mcvirt-verify-" + CLUSTER;
        Lab.ssh("node2", "dd", "if=/dev/urandom", "of=/dev/vg0/" + RESOURCE, "bs=4096", "seek=512", "count=16",
                "oflag=direct", "conv=notrunc", "status=none");
        long now = Long.parseLong(Lab.ssh("node1", "date", "-u", "+%s").strip());
        java.time.ZonedDateTime at = java.time.Instant.ofEpochSecond((now / 60 + 3) * 60).atZone(java.time.ZoneOffset.UTC);
        schedule = String.format("*-*-* %02d:%02d:00 UTC", at.getHour(), at.getMinute());
        writeManifest("running", "32MiB");
        Cli.Result plan = mcvirt("plan");
        assertThat(plan.out()).as(plan.toString()).contains("node.node1.verify-schedule", "node.node2.verify-schedule",
                schedule);
        Cli.Result apply = mcvirt("apply", "--auto-approve");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        for (String node : new String[] {"node1", "node2"}) {
            assertThat(Lab.ssh(node, "systemctl", "is-enabled", unit + ".timer").strip()).isEqualTo("enabled");
            assertThat(Lab.ssh(node, "systemctl", "is-active", unit + ".timer").strip()).isEqualTo("active");
            assertThat(Lab.ssh(node, "stat", "-c", "%a:%U", STATE + "/bin/drbd-verify.sh",
                    "/etc/systemd/system/" + unit + ".service", "/etc/systemd/system/" + unit + ".timer"))
                    .isEqualTo("600:root\n644:root\n644:root\n");
        }
        Cli.Result again = mcvirt("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as("no drift after the install: %s", again).isZero();
        assertThat(mcvirt("info").out()).contains("scheduled verify: next");

        // nobody runs mcvirt verify: the timer's run on node1 finds the garbage
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(330);
        String record = "";
        while (!record.contains("\"result\":\"out-of-sync\"")) {
            assertThat(System.nanoTime()).as("the scheduled verify never recorded a finding: %s", record)
                    .isLessThan(until);
            Thread.sleep(2000);
            record = Lab.script("ssh", "node1", "cat", STATE + "/verify/" + RESOURCE + ".json").text();
        }
        assertThat(record).contains("\"node\":\"node1\"", "\"outOfSyncKiB\":64");
        assertThat(Lab.ssh("node1", "journalctl", "-t", "mcvirt-drbd", "--no-pager", "-o", "cat"))
                .contains(RESOURCE + " (cluster " + CLUSTER + "): scheduled verify on node1: out of sync");
        assertThat(mcvirt("list").out()).containsPattern(VM + " +node1 +running .* MARKED");
        Cli.Result move = mcvirt("migrate", "--node", "node2", "--live", "--yes", VM);
        assertThat(move.exitCode()).as("a marked vm does not migrate: %s", move).isNotZero();
        assertThat(move.out() + move.err()).contains("64 KiB out of sync");

        // removing the schedule removes the units and the program on both nodes
        schedule = null;
        writeManifest("running", "32MiB");
        Cli.Result remove = mcvirt("apply", "--auto-approve");
        assertThat(remove.exitCode()).as(remove.toString()).isZero();
        for (String node : new String[] {"node1", "node2"}) {
            assertThat(Lab.script("ssh", node, "ls", "/etc/systemd/system/" + unit + ".service",
                    "/etc/systemd/system/" + unit + ".timer", STATE + "/bin/drbd-verify.sh").status()).isNotZero();
            assertThat(Lab.script("ssh", node, "systemctl", "is-enabled", unit + ".timer").status()).isNotZero();
        }
        Cli.Result resync = mcvirt("resync", VM, "--source-node", "node1", "--yes");
        assertThat(resync.exitCode()).as(resync.toString()).isZero();
        Cli.Result clean = mcvirt("verify", VM);
        assertThat(clean.exitCode()).as(clean.toString()).isZero();
        assertThat(mcvirt("plan", "--detailed-exitcode").exitCode()).isZero();
    }

    @Test
    @Order(8)
    void growingTheDiskKeepsItsDataAndTheRunningVmSeesItAShrinkIsRefused() throws Exception {
        long before = Long.parseLong(Lab.ssh("node1", "blockdev", "--getsize64", device).strip());
        String sum = "'head -c " + before + " " + device + " | sha256sum'";
        String shaBefore = Lab.ssh("node1", "sh", "-c", sum).split(" ")[0];
        writeManifest("running", "64MiB");
        Cli.Result plan = mcvirt("plan");
        assertThat(plan.out()).contains("grow logical volume vg0/" + RESOURCE + " to 64MiB",
                "grow DRBD resource " + RESOURCE, "and the running vm's disk vda (live)", "disk.root.size");
        Cli.Result grow = mcvirt("apply", "--auto-approve");
        assertThat(grow.exitCode()).as(grow.toString()).isZero();
        long after = Long.parseLong(Lab.ssh("node1", "blockdev", "--getsize64", device).strip());
        assertThat(after).isGreaterThan(before + 30L * 1024 * 1024);
        for (String node : new String[] {"node1", "node2"}) {
            assertThat(Lab.ssh(node, "lvs", "--noheadings", "--units", "b", "--nosuffix", "-o", "lv_size",
                    "vg0/" + RESOURCE).strip()).isEqualTo(Long.toString(64L * 1024 * 1024));
        }
        assertThat(Lab.ssh("node1", "sh", "-c", sum).split(" ")[0]).as("the data over the old size").isEqualTo(shaBefore);
        assertThat(Lab.ssh("node1", "virsh", "-c", "qemu:///system", "domblkinfo", VM, "vda"))
                .containsPattern("Capacity: +" + after);
        Cli.Result again = mcvirt("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.toString()).isZero();

        writeManifest("running", "32MiB");
        Cli.Result shrink = mcvirt("plan", "--detailed-exitcode");
        assertThat(shrink.exitCode()).as(shrink.toString()).isEqualTo(1);
        assertThat(shrink.out()).contains("disk root is 64MiB but the manifest says 32MiB: shrinking a disk is refused");
        writeManifest("stopped", "64MiB");
        Cli.Result stop = mcvirt("apply", "--auto-approve", "--shutdown-timeout", "1");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
    }

    /**
     * A real split brain (the pair disconnected, each side written as Primary, then reconnected): DRBD's split-brain
     * handler logs it on both nodes and runs cluster.notify's command; then the test discards node2's changes.
     */
    @Test
    @Order(9)
    void aSplitBrainIsLoggedToTheJournalAndNotifiedOnBothNodes() throws Exception {
        java.util.Map<String, Integer> notifiedBefore = new java.util.HashMap<>();
        for (String node : new String[] {"node1", "node2"}) {
            notifiedBefore.put(node, Lab.script("ssh", node, "cat", NOTIFIED).text().split("\n", -1).length);
            Lab.ssh(node, "drbdadm", "disconnect", RESOURCE);
        }
        Lab.ssh("node1", "dd", "if=/dev/urandom", "of=" + device, "bs=4096", "seek=10", "count=1", "oflag=direct",
                "status=none");
        Lab.ssh("node2", "drbdadm", "primary", RESOURCE);
        Lab.ssh("node2", "dd", "if=/dev/urandom", "of=" + device, "bs=4096", "seek=20", "count=1", "oflag=direct",
                "status=none");
        Lab.ssh("node2", "drbdadm", "secondary", RESOURCE);
        Lab.ssh("node2", "drbdadm", "connect", RESOURCE);
        Lab.ssh("node1", "drbdadm", "connect", RESOURCE);
        String logged = RESOURCE + " (cluster " + CLUSTER + ", vm " + VM + ", disk root): split brain";
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            for (String node : new String[] {"node1", "node2"}) {
                while (!Lab.script("ssh", node, "journalctl", "-t", "mcvirt-drbd", "--no-pager", "-o", "cat").text()
                        .contains(logged)) {
                    assertThat(System.nanoTime()).as("no split brain logged on %s: %s", node,
                            Lab.script("ssh", node, "cat", "/proc/drbd").text()).isLessThan(until);
                    Thread.sleep(500);
                }
                while (Lab.script("ssh", node, "cat", NOTIFIED).text().split("\n", -1).length
                        <= notifiedBefore.get(node)) {
                    assertThat(System.nanoTime()).as("cluster.notify not run on %s", node).isLessThan(until);
                    Thread.sleep(500);
                }
                assertThat(Lab.ssh(node, "drbdadm", "cstate", RESOURCE).strip()).isEqualTo("StandAlone");
            }
        } finally {
            // node1 keeps its data; node2's changes since the split are discarded and resynced from node1
            Lab.script("ssh", "node2", "drbdadm", "connect", "--discard-my-data", RESOURCE);
            Lab.script("ssh", "node1", "drbdadm", "connect", RESOURCE);
        }
        long synced = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Lab.ssh("node1", "drbdadm", "dstate", RESOURCE).strip().equals("UpToDate/UpToDate")
                || !Lab.ssh("node1", "drbdadm", "cstate", RESOURCE).strip().equals("Connected")) {
            assertThat(System.nanoTime()).as("the pair is whole again").isLessThan(synced);
            Thread.sleep(500);
        }
    }

    @Test
    @Order(10)
    void deletingTheVmRemovesTheResourceAndTheLvsOnBothNodesOnlyWithAllowDestroy() throws Exception {
        Path gone = dir.resolve("gone.yaml");
        Files.writeString(gone, Files.readString(manifest).substring(0, Files.readString(manifest).indexOf("vms:"))
                + "vms: []\n");
        String[] base = {"-f", nodes.toString(), "-f", gone.toString()};
        Cli.Result refused = Cli.run(concat(base, "apply", "--auto-approve"));
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.out()).contains("take down and remove DRBD resource " + RESOURCE + " (destroys this replica)");
        assertThat(Lab.ssh("node2", "cat", "/proc/drbd")).contains(minor + ": cs:Connected");

        Cli.Result deleted = Cli.run(concat(base, "apply", "--auto-approve", "--allow-destroy"));
        OUTPUTS.add(deleted.out() + deleted.err());
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        for (String node : new String[] {"node1", "node2"}) {
            assertThat(Lab.script("ssh", node, "lvs", "vg0/" + RESOURCE).status()).isNotZero();
            assertThat(Lab.script("ssh", node, "test", "-e", "/etc/drbd.d/" + RESOURCE + ".res").status()).isNotZero();
            assertThat(Lab.ssh(node, "cat", "/proc/drbd")).doesNotContain(minor + ": cs:");
        }
        Cli.Result empty = Cli.run(concat(base, "plan", "--detailed-exitcode"));
        assertThat(empty.exitCode()).as(empty.toString()).isZero();
    }

    @Test
    @Order(11)
    void theSecretIsInNoOutputNoSavedPlanAndNoJournal() {
        for (String node : new String[] {"node1", "node2"}) {
            String journal = Lab.ssh(node, "cat", STATE + "/journal.jsonl");
            assertThat(journal).contains("WRITE_DRBD_CONFIG");
            OUTPUTS.add(journal);
        }
        assertThat(OUTPUTS).hasSizeGreaterThan(8).noneMatch(text -> text.contains(SECRET));
    }

    private static String[] concat(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
