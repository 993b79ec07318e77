package org.mcvirt.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.mcvirt.node.StateDirectory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.LocalTransport;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/** StorageReader over a transport that answers with outputs captured on the lab (testdata/drbd, testdata/lvm). */
class StorageReaderTest {
    private static final Path DRBD = Path.of("src/test/resources/testdata/drbd");
    private static final Path LVM = Path.of("src/test/resources/testdata/lvm");
    private static final String LVS = "lvs --reportformat json --units b --nosuffix -o " + LvmParser.LV_FIELDS;
    private static final String VGS = "vgs --reportformat json --units b --nosuffix -o " + LvmParser.VG_FIELDS;

    private static String read(Path file) throws Exception {
        return Files.readString(file);
    }

    @Test
    void aNodeWithoutLvmAndDrbdIsAbsentNotAnError() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport()
                .answer("proc", 1, "", "cat: /proc/drbd: No such file or directory\n");
        StorageReader.Result result = StorageReader.read(node, "/var/lib/mcvirt", null, true);
        assertThat(result.lvm()).isEqualTo(new ObservedLvm(Availability.ABSENT, List.of(), List.of(), List.of()));
        assertThat(result.drbd()).isEqualTo(new ObservedDrbd(Availability.ABSENT, List.of(), null, null, null, List.of(),
                List.of()));
    }

    @Test
    void oneCommandReadsEverythingWithSbinOnThePathAndNoInput() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport();
        StorageReader.read(node, "/var/lib/mcvirt", null, true);
        assertThat(node.commands).hasSize(1);
        List<String> command = node.commands.get(0);
        assertThat(command.subList(0, 2)).containsExactly("sh", "-c");
        assertThat(command.get(2)).contains("PATH=\"$PATH:/usr/sbin:/sbin\"", "\"$@\" 2>&1 >&4 </dev/null");
        assertThat(command.subList(3, 6)).element(0).isEqualTo("mcvirt-read");
        assertThat(command.get(4)).startsWith("--mcvirt-");
        assertThat(command.get(5)).isEqualTo("/var/lib/mcvirt/verify");
        assertThat(command.subList(6, 8)).containsExactly("/var/lib/mcvirt/journal.jsonl", "/var/lib/mcvirt/domains");
    }

    /**
     * The script itself, run by the real sh on this machine, with lvs, vgs, drbdadm and drbdsetup replaced by stubs in
     * a directory ahead of the PATH (the script only appends /usr/sbin and /sbin), so it starts no LVM or DRBD tool
     * and its outcome is known: LVM present with the lab's captured volumes, DRBD utilities there but no kernel module
     * (this machine has no /proc/drbd), and a verify record read from the state directory.
     */
    @Test
    @Timeout(60)
    void theScriptRunsInARealShell(@TempDir Path dir) throws Exception {
        Assumptions.assumeFalse(Files.exists(Path.of("/proc/drbd")), "this machine has a DRBD"
                + " kernel module (/proc/drbd), which the stubs cannot replace; the test needs a machine without one");
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(state.resolve("verify"));
        Files.writeString(state.resolve("verify/r0.json"), "{\"resource\": \"r0\", \"startedAt\":"
                + " \"2026-11-27T02:55:03Z\", \"finishedAt\": \"2026-11-27T02:55:07Z\", \"result\": \"clean\","
                + " \"node\": \"node1\"}");
        try (NodeTransport shell = stubbedShell(dir)) {
            StorageReader.Result result = StorageReader.read(shell, state.toString(), null, true);
            assertThat(result.lvm()).isEqualTo(new ObservedLvm(Availability.PRESENT, List.of(),
                    LvmParser.volumeGroups(read(LVM.resolve("vgs.json"))),
                    LvmParser.logicalVolumes(read(LVM.resolve("lvs.json")))));
            assertThat(result.drbd()).isEqualTo(new ObservedDrbd(Availability.ABSENT, List.of(), null, null, "9.22.0",
                    List.of(), List.of(new VerifyRecord("r0", "2026-11-27T02:55:03Z", "2026-11-27T02:55:07Z",
                            VerifyRecord.Result.CLEAN, null, "node1", null))));
        }
        assertThat(Files.readAllLines(dir.resolve("stubs.log"))).containsExactly(
LVS, VGS, "drbdadm --version");
    }

    /** Without LVM storage in the manifest, the same script runs neither lvs nor vgs, and LVM is "not read". */
    @Test
    @Timeout(60)
    void withoutLvmTheScriptRunsNeitherLvsNorVgs(@TempDir Path dir) throws Exception {
        Assumptions.assumeFalse(Files.exists(Path.of("/proc/drbd")), "this machine has a DRBD kernel module");
        Path state = Files.createDirectories(dir.resolve("state"));
        try (NodeTransport shell = stubbedShell(dir)) {
            StorageReader.Result result = StorageReader.read(shell, state.toString(), null, false);
            assertThat(result.lvm()).isEqualTo(ObservedLvm.notRead());
            assertThat(result.drbd().utilitiesVersion()).isEqualTo("9.22.0");
        }
        assertThat(Files.readAllLines(dir.resolve("stubs.log"))).containsExactly("drbdadm --version");
    }

    /**
     * mcvirt's DRBD resource files are read from the configuration directory by the same script in a real shell, by
     * the resource their mark line names, without the shared-secret line; a file without the mark (another tool's)
     * and a .conf file are not sent at all.
     */
    @Test
    @Timeout(60)
    void mcvirtsResourceFilesAreReadWithoutTheirSecret(@TempDir Path dir) throws Exception {
        Path config = Files.createDirectories(dir.resolve("drbd.d"));
        String ours = Files.readString(Path.of("src/test/resources/testdata/drbd/render/drbd84.res"))
                .replace("not-the-real-one", "s3cr3t-value");
        Files.writeString(config.resolve("mcvirt-web1-root.res"), ours);
        Files.writeString(config.resolve("r9.res"), "resource r9 {\n  net { shared-secret \"other\"; }\n}\n");
        Files.writeString(config.resolve("global_common.conf"), "# mcvirt-resource: nope\ncommon { }\n");
        try (NodeTransport shell = stubbedShell(dir)) {
            StorageReader.Result result = StorageReader.read(shell, dir.resolve("state").toString(), config.toString(),
                    null, false);
            assertThat(result.drbd().resourceFiles()).containsOnlyKeys("mcvirt-web1-root");
            String read = result.drbd().resourceFile("mcvirt-web1-root").orElseThrow();
            assertThat(read).doesNotContain("s3cr3t-value", "shared-secret")
                    .isEqualTo(ours.lines().filter(l -> !l.contains("shared-secret")).map(l -> l + "\n")
                            .collect(java.util.stream.Collectors.joining()));
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(result.drbd()))
                    .doesNotContain("s3cr3t-value");
        }
    }

    /** The scheduled verify's program copy in the state directory is read by the same script in a real shell. */
    @Test
    @Timeout(60)
    void theScheduledVerifysProgramIsRead(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("state/bin"));
        Files.writeString(bin.resolve("drbd-verify.sh"), "echo one\necho two\n");
        try (NodeTransport shell = stubbedShell(dir)) {
            StorageReader.Result result = StorageReader.read(shell, dir.resolve("state").toString(), null, null, false);
            assertThat(result.drbd().verifySchedule().files())
                    .containsExactly(Map.entry(bin.resolve("drbd-verify.sh").toString(), "echo one\necho two\n"));
        }
        try (NodeTransport shell = stubbedShell(dir)) {
            Files.delete(bin.resolve("drbd-verify.sh"));
            assertThat(StorageReader.read(shell, dir.resolve("state").toString(), null, null, false).drbd()
                    .verifySchedule()).isNull();
        }
    }

    /**
     * mcvirt's permissions in a real shell: the rules file, libvirtd.conf's access_drivers lines without its comments,
     * and which names getent knows (root and group root exist everywhere; the other two nowhere). Without permissions
     * in the manifest and no rules file, libvirtd.conf is not read at all.
     */
    @Test
    @Timeout(60)
    void theRulesFileTheAccessDriverAndTheNamesTheNodeKnowsAreRead(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("10-mcvirt-c.rules");
        Path conf = dir.resolve("libvirtd.conf");
        Files.writeString(conf, "# a comment\n#access_drivers = [ \"polkit\" ]\nunix_sock_group = \"libvirt\"\n"
                + "#mcvirt: access_drivers = [ \"nop\" ]\n# mcvirt-access-driver: c\n  access_drivers = [ \"polkit\" ]\n");
        List<String> names = List.of("root", "@root", "no-such-user-x", "@no-such-group-x");
        try (NodeTransport shell = stubbedShell(dir)) {
            StorageReader.Result unwanted = StorageReader.read(shell, dir.resolve("state").toString(), null,
                    new StorageReader.PermissionsQuery(rules.toString(), conf.toString(), false, names), null, false);
            assertThat(unwanted.permissions()).isEqualTo(new ObservedPermissions(null, null, null, null, null));
            StorageReader.Result wanted = StorageReader.read(shell, dir.resolve("state").toString(), null,
                    new StorageReader.PermissionsQuery(rules.toString(), conf.toString(), true, names), null, false);
            ObservedPermissions seen = wanted.permissions();
            assertThat(seen.rulesFile()).isNull();
            assertThat(seen.accessLines()).containsExactly("# mcvirt-access-driver: c",
                    "access_drivers = [ \"polkit\" ]");
            assertThat(seen.polkitDriver()).isTrue();
            assertThat(seen.driverSetBy("c")).isTrue();
            assertThat(seen.driverSetBy("d")).isFalse();
            assertThat(seen.polkitd()).isEqualTo(Files.isExecutable(Path.of("/usr/lib/polkit-1/polkitd")));
            assertThat(seen.knows("root")).contains(true);
            assertThat(seen.knows("@root")).contains(true);
            assertThat(seen.knows("no-such-user-x")).contains(false);
            assertThat(seen.knows("@no-such-group-x")).contains(false);
            // a rules file left from earlier makes the read look at libvirtd.conf even without permissions
            Files.writeString(rules, "polkit.addRule(function () {});\n");
            StorageReader.Result left = StorageReader.read(shell, dir.resolve("state").toString(), null,
                    new StorageReader.PermissionsQuery(rules.toString(), conf.toString(), false, List.of()), null,
                    false);
            assertThat(left.permissions().rulesFile()).isEqualTo("polkit.addRule(function () {});\n");
            assertThat(left.permissions().driverSetBy("c")).isTrue();
            assertThat(left.permissions().users()).isNull();
        }
    }

    /**
     * The access drivers libvirtd.conf sets: one line, as libvirt reads it (its first); two lines, or a list over
     * several lines, are not the polkit driver (the next apply leaves only mcvirt's).
     */
    @Test
    void theAccessDriversAreParsedFromTheirLines() {
        assertThat(new ObservedPermissions(null, List.of(), true, null, null).accessDrivers()).isEmpty();
        assertThat(new ObservedPermissions(null, List.of("access_drivers=[\"polkit\"]  # set by hand"), true, null,
                null).polkitDriver()).isTrue();
        assertThat(new ObservedPermissions(null, List.of("access_drivers = [ \"none\" ]", "# mcvirt-access-driver: c",
                "access_drivers = [ \"polkit\" ]"), true, null, null).polkitDriver()).isFalse();
        assertThat(new ObservedPermissions(null, List.of("access_drivers = [ \"polkit\", \"nop\" ]"), true, null,
                null).accessDrivers()).containsExactly("polkit", "nop");
        assertThat(new ObservedPermissions(null, List.of("access_drivers = [ \"polkit\","), true, null, null)
                .polkitDriver()).isFalse();
        assertThat(ObservedPermissions.notRead().accessDrivers()).isEmpty();
    }

    /** A timer's section: what systemctl show printed, as the timer's state (n/a and empty as none). */
    @Test
    void aTimersStateIsParsedFromSystemctlShow() {
        String b = "--b";
        String output = b + " file /etc/systemd/system/mcvirt-verify-prod.timer\n[Timer]\nOnCalendar=daily\n\n" + b
                + " end /etc/systemd/system/mcvirt-verify-prod.timer\n" + b + " out timer:mcvirt-verify-prod.timer\n"
                + "UnitFileState=enabled\nActiveState=active\nNextElapseUSecRealtime=Sun 2026-12-06 03:00:00 UTC\n"
                + "LastTriggerUSec=n/a\n\n" + b + " err timer:mcvirt-verify-prod.timer\n\n" + b
                + " status timer:mcvirt-verify-prod.timer 0\n";
        ObservedDrbd.VerifySchedule schedule = StorageReader.verifySchedule(StorageReader.parse(output, b));
        assertThat(schedule.files()).containsOnlyKeys("/etc/systemd/system/mcvirt-verify-prod.timer");
        assertThat(schedule.timer("mcvirt-verify-prod.timer")).contains(new ObservedDrbd.Timer("enabled", "active",
                "Sun 2026-12-06 03:00:00 UTC", null));
        assertThat(StorageReader.verifySchedule(StorageReader.parse("", b))).isNull();
    }

    /**
     * A shell on this machine whose PATH starts with stubs of lvs, vgs, drbdadm and drbdsetup in dir/stubs: lvs and vgs
     * print the lab's captured reports, drbdadm its captured version; each writes its command line to dir/stubs.log.
     */
    private static NodeTransport stubbedShell(Path dir) throws Exception {
        Path stubs = Files.createDirectories(dir.resolve("stubs"));
        Path log = dir.resolve("stubs.log");
        Map<String, Path> outputs = Map.of("lvs", LVM.resolve("lvs.json"), "vgs",
                LVM.resolve("vgs.json"), "drbdadm", DRBD.resolve("drbdadm-version.txt"), "drbdsetup", Path.of("/dev/null"));
        for (var stub : outputs.entrySet()) {
            Path file = stubs.resolve(stub.getKey());
            Files.writeString(file, "#!/bin/sh\necho \"" + stub.getKey() + " $*\" >> '" + log + "'\nexec cat '"
                    + stub.getValue().toAbsolutePath() + "'\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        LocalTransport local = new LocalTransport("here", Duration.ofSeconds(30));
        return new NodeTransport() {
            @Override
            public String nodeName() {
                return local.nodeName();
            }

            @Override
            public CommandResult run(List<String> command) throws SshException {
                List<String> withStubs = new ArrayList<>(List.of("env", "PATH=" + stubs + ":/usr/bin:/bin"));
                withStubs.addAll(command);
                return local.run(withStubs);
            }

            @Override
            public String endpoint() {
                return local.endpoint();
            }

            @Override
            public void writeFileAtomically(String path, byte[] content, String mode) {
                throw new UnsupportedOperationException("the read writes nothing");
            }

            @Override
            public Optional<byte[]> readFile(String path) {
                throw new UnsupportedOperationException("the read reads through its script");
            }

            @Override
            public void close() {
                local.close();
            }
        };
    }

    @Test
    void theBatchIsSplitIntoItsSectionsWhateverTheyHold() {
        String b = "--mcvirt-x";
        String output = b + " out lvs\n{\"report\": []}\n\n" + b + " err lvs\n\n" + b + " status lvs 0\n"
                + b + " out vgs\n\n" + b + " err vgs\n  WARNING: x\n\n" + b + " status vgs 5\n"
                + b + " out proc\nno newline at the end\n" + b + " err proc\n\n" + b + " status proc 0\n"
                + b + " file /s/verify/a b.json\n{}\n" + b + " end /s/verify/a b.json\n";
        StorageReader.Batch batch = StorageReader.parse(output, b);
        assertThat(batch.result("lvs")).isEqualTo(new org.mcvirt.node.ssh.CommandResult(0, "{\"report\": []}\n", ""));
        assertThat(batch.result("vgs")).isEqualTo(new org.mcvirt.node.ssh.CommandResult(5, "", "  WARNING: x\n"));
        assertThat(batch.result("proc").stdout()).isEqualTo("no newline at the end");
        assertThat(batch.result("show").exitStatus()).as("a section the script did not run").isEqualTo(127);
        assertThat(batch.files()).isEqualTo(java.util.Map.of("/s/verify/a b.json", "{}"));
    }

    private static FakeNodeTransport lab84(String proc) throws Exception {
        return new FakeNodeTransport()
                .answer("lvs", read(LVM.resolve("lvs.json")))
                .answer("vgs", read(LVM.resolve("vgs.json")))
                .answer("drbdadm", read(DRBD.resolve("drbdadm-version.txt")))
                .answer("proc", read(DRBD.resolve(proc)))
                .answer("show", read(DRBD.resolve("drbdsetup-show-two.txt")))
                .file("/var/lib/mcvirt/verify/mcvcap0.json", "{\"resource\": \"mcvcap0\", \"startedAt\":"
                        + " \"2026-11-27T02:55:03Z\", \"finishedAt\": \"2026-11-27T02:55:07Z\", \"result\": \"out-of-sync\","
                        + " \"outOfSyncKiB\": 64}");
    }

    @Test
    void aDrbd84NodeIsReadFromProcDrbdAndDrbdsetupShowJoinedByMinor() throws Exception {
        StorageReader.Result result = StorageReader.read(lab84("proc-drbd-syncsource.txt"), "/var/lib/mcvirt", null, true);
        assertThat(result.lvm().availability()).isEqualTo(Availability.PRESENT);
        assertThat(result.lvm().logicalVolumes()).extracting(ObservedLvm.LogicalVolume::name)
                .containsExactly("mcvcap0", "mcvcap1");
        assertThat(result.lvm().volumeGroup("vg0")).hasValueSatisfying(v -> assertThat(v.freeBytes()).isEqualTo(4156555264L));

        ObservedDrbd drbd = result.drbd();
        assertThat(drbd.availability()).isEqualTo(Availability.PRESENT);
        assertThat(drbd.errors()).isEmpty();
        assertThat(List.of(drbd.kernelVersion(), drbd.kernelApi(), drbd.utilitiesVersion()))
                .containsExactly("8.4.11", "api:1/proto:86-101", "9.22.0");
        assertThat(drbd.resources()).extracting(ObservedDrbd.Resource::name).containsExactly(null, "mcvcap0", "mcvcap1");
        ObservedDrbd.Resource unnamed = drbd.resources().get(0);
        assertThat(unnamed.minor()).as("another test's resource, not in this drbdsetup show").isEqualTo(300);
        assertThat(unnamed.connectionState()).isEqualTo("Connected");
        assertThat(unnamed.backingDisk()).isNull();
        ObservedDrbd.Resource synced = drbd.resource("mcvcap0").get(0);
        assertThat(synced).isEqualTo(new ObservedDrbd.Resource("mcvcap0", 0, 160, "/dev/vg0/mcvcap0", "internal",
                "10.99.0.1:7960", "10.99.0.2:7960", "C", java.util.Map.of("cram-hmac-alg", "sha1", "verify-alg", "sha1"),
                "Connected", "Primary", "Secondary", "UpToDate", "UpToDate", 0, null, synced.counters()));
        ObservedDrbd.Resource syncing = drbd.resource("mcvcap1").get(0);
        assertThat(syncing.minor()).isEqualTo(161);
        assertThat(syncing.connectionState()).isEqualTo("SyncSource");
        assertThat(syncing.peerAddress()).isEqualTo("10.99.0.2:7961");
        assertThat(syncing.sync()).isEqualTo(new ObservedDrbd.Sync("resync", 12.5, 60504L, 65496L, "0:00:58", 996L));
        assertThat(drbd.verification("mcvcap0")).hasValueSatisfying(v -> {
            assertThat(v.result()).isEqualTo(VerifyRecord.Result.OUT_OF_SYNC);
            assertThat(v.outOfSyncKiB()).isEqualTo(64);
        });
    }

    /** drbdsetup show prints the shared secret; it must reach no record, no JSON and not the fingerprint. */
    @Test
    void theSharedSecretReachesNoRecordNoJsonAndNoFingerprint() throws Exception {
        for (String proc : List.of("proc-drbd-connected.txt", "proc-drbd-syncsource.txt", "proc-drbd-standalone.txt")) {
            StorageReader.Result result = StorageReader.read(lab84(proc), "/var/lib/mcvirt", null, true);
            ObservedState observed = new ObservedState(List.of(new NodeObservation("node1", true, null, "9.0.0",
                    "QEMU 7.2", List.of(), List.of(), List.of(), List.of()).withStorage(result.lvm(), result.drbd(), result.journal())));
            String json = new ObjectMapper().writeValueAsString(observed);
            assertThat(json).contains("mcvcap0", "cram-hmac-alg");
            for (String text : List.of(json, observed.toString(),
                    new String(observed.fingerprintInput(), java.nio.charset.StandardCharsets.UTF_8))) {
                assertThat(text).doesNotContain("capture-secret", "shared-secret");
            }
            assertThat(new ObjectMapper().readValue(json, ObservedState.class)).isEqualTo(observed);
        }
    }

    @Test
    void aDrbdsetupShowThatCannotBeParsedIsAnErrorThatQuotesNothing() throws Exception {
        FakeNodeTransport node = lab84("proc-drbd-connected.txt")
                .answer("show", read(DRBD.resolve("drbdsetup-show-two.txt")).replace("\"capture-secret-mcvcap1\";",
                        "\"capture-secret-mcvcap1;"));
        ObservedDrbd drbd = StorageReader.read(node, "/var/lib/mcvirt", null, true).drbd();
        assertThat(drbd.availability()).isEqualTo(Availability.FAILED);
        assertThat(drbd.errors()).singleElement().asString().matches("cannot parse the output of drbdsetup show:"
                + " unterminated quoted string starting on line \\d+");
        assertThat(drbd.resources()).extracting(ObservedDrbd.Resource::name).containsOnlyNulls().hasSize(2);
        assertThat(drbd.toString()).doesNotContain("capture-secret");
    }

    @Test
    void aDrbd9KernelIsReadWithStatusJsonNotDrbdsetupShow() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport()
                .answer("proc", read(DRBD.resolve("proc-drbd9.txt")))
                .answer("drbdadm", "DRBDADM_VERSION_CODE=0x091c00\nDRBDADM_VERSION=9.28.0\n")
                .answer("status", read(DRBD.resolve("drbd9-status.json")));
        ObservedDrbd drbd = StorageReader.read(node, "/var/lib/mcvirt", null, true).drbd();
        assertThat(drbd.availability()).isEqualTo(Availability.PRESENT);
        assertThat(drbd.errors()).isEmpty();
        assertThat(drbd.kernelVersion()).isEqualTo("9.2.8");
        assertThat(drbd.kernelApi()).isEqualTo("api:2/proto:86-122");
        assertThat(drbd.utilitiesVersion()).isEqualTo("9.28.0");
        assertThat(drbd.resources()).extracting(ObservedDrbd.Resource::name)
                .containsExactly("vm-db-data", "vm-old-disk", "vm-web-root");
        assertThat(node.commands).noneMatch(c -> c.contains("show"));
    }

    @Test
    void aDrbd9KernelWithoutDrbdsetupSaysSo() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport()
                .answer("proc", read(DRBD.resolve("proc-drbd9.txt")));
        ObservedDrbd drbd = StorageReader.read(node, "/var/lib/mcvirt", null, true).drbd();
        assertThat(drbd.availability()).isEqualTo(Availability.FAILED);
        assertThat(drbd.utilitiesVersion()).isNull();
        assertThat(drbd.errors()).containsExactly("drbdsetup is not installed: the DRBD 9 resources cannot be read");
    }

    @Test
    void verifyRecordsAreReadAndABrokenOneIsAnErrorNotAFailure() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport()
                .answer("proc", 1, "", "cat: /proc/drbd: No such file or directory\n")
                .file("/srv/mcvirt/verify/r0.json", "{\"resource\": \"r0\", \"startedAt\": \"2026-11-27T02:55:03Z\","
                        + " \"finishedAt\": \"2026-11-27T02:55:07Z\", \"result\": \"out-of-sync\", \"outOfSyncKiB\": 64,"
                        + " \"node\": \"node1\"}")
                .file("/srv/mcvirt/verify/r1.json", "{\"resource\": \"r1\", \"startedAt\": \"yesterday\", \"result\": \"clean\"}")
                .file("/srv/mcvirt/verify/r2.json", "{\"resource\": \"r2\", \"result\": \"maybe\"}")
                .file("/srv/mcvirt/verify/r3.json", "{\"resource\": \"r3\", \"startedAt\": \"2026-11-27T02:50:00Z\","
                        + " \"result\": \"failed\"}");
        ObservedDrbd drbd = StorageReader.read(node, "/srv/mcvirt", null, true).drbd();
        assertThat(drbd.verifications()).containsExactly(
                new VerifyRecord("r0", "2026-11-27T02:55:03Z", "2026-11-27T02:55:07Z", VerifyRecord.Result.OUT_OF_SYNC, 64L,
                        "node1", null),
                new VerifyRecord("r3", "2026-11-27T02:50:00Z", null, VerifyRecord.Result.FAILED, null));
        assertThat(drbd.errors()).hasSize(2);
        assertThat(drbd.errors().get(0)).startsWith("verify record /srv/mcvirt/verify/r1.json is not valid: ")
                .contains("startedAt is not an ISO-8601 instant: yesterday");
        assertThat(drbd.errors().get(1)).startsWith("verify record /srv/mcvirt/verify/r2.json is not valid: ");
        assertThat(drbd.availability()).isEqualTo(Availability.FAILED);
        assertThat(new StateDirectory("/srv/mcvirt").verifyRecord("r0")).isEqualTo("/srv/mcvirt/verify/r0.json");
        ObjectMapper json = new ObjectMapper();
        assertThat(json.writeValueAsString(drbd.verifications().get(0))).isEqualTo("{\"resource\":\"r0\",\"startedAt\":"
                + "\"2026-11-27T02:55:03Z\",\"finishedAt\":\"2026-11-27T02:55:07Z\",\"result\":\"out-of-sync\","
                + "\"outOfSyncKiB\":64,\"node\":\"node1\"}");
    }

    @Test
    void failoverRecordsAreReadBesideVerifyRecordsAndABrokenOneIsAnError() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport()
                .answer("proc", 1, "", "cat: /proc/drbd: No such file or directory\n")
                .file("/srv/mcvirt/verify/r0.json", "{\"resource\": \"r0\", \"startedAt\": \"2026-11-27T02:55:03Z\","
                        + " \"result\": \"clean\"}")
                .file("/srv/mcvirt/failover/db1.json", "{\"vm\": \"db1\", \"from\": \"node2\", \"to\": \"node1\","
                        + " \"at\": \"2026-12-03T14:02:00Z\", \"resources\": [\"mcvirt_db1_root\"], \"stale\": []}")
                .file("/srv/mcvirt/failover/web.json", "{\"vm\": \"web\", \"from\": \"node2\", \"to\": \"node1\","
                        + " \"at\": \"after lunch\"}");
        ObservedDrbd drbd = StorageReader.read(node, "/srv/mcvirt", null, true).drbd();
        assertThat(drbd.verifications()).extracting(VerifyRecord::resource).containsExactly("r0");
        assertThat(drbd.failovers()).containsExactly(new FailoverRecord("db1", "node2", "node1",
                "2026-12-03T14:02:00Z", List.of("mcvirt_db1_root"), List.of()));
        assertThat(drbd.failover("db1")).isPresent();
        assertThat(drbd.errors()).singleElement().asString()
                .startsWith("failover record /srv/mcvirt/failover/web.json is not valid: ")
                .contains("at is not an ISO-8601 instant: after lunch");
        assertThat(new StateDirectory("/srv/mcvirt").failoverRecord("db1")).isEqualTo("/srv/mcvirt/failover/db1.json");
    }

    @Test
    void drbdDeviceSizesAndTheJournalTailAreReadInTheSameCommand() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport()
                .answer("proc", "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: X\n")
                .answer("sizes", "/sys/block/drbd300/size 130992\n/sys/block/drbd7/size 8\n")
                .answer("journal", "ial\",\"event\":\"done\"}\n{\"time\":\"2026-11-27T05:00:00Z\",\"apply\":\"a1\","
                        + "\"event\":\"apply-started\",\"steps\":2,\"command\":\"mcvirt apply\"}\n");
        StorageReader.Result result = StorageReader.read(node, "/var/lib/mcvirt", null, true);
        assertThat(result.drbd().deviceBytes()).containsExactly(java.util.Map.entry(7, 4096L),
                java.util.Map.entry(300, 130992L * 512));
        assertThat(result.journal()).singleElement().satisfies(e -> {
            assertThat(e.event()).isEqualTo("apply-started");
            assertThat(e.steps()).isEqualTo(2);
        });
        assertThat(node.commands.get(0)).endsWith("/var/lib/mcvirt/verify", "/var/lib/mcvirt/journal.jsonl",
                "/var/lib/mcvirt/domains", "/var/lib/mcvirt/failover", "lvm", "/nonexistent",
                "/var/lib/mcvirt/bin/drbd-verify.sh", "/nonexistent", "/nonexistent", "rules", "", "");
    }

    @Test
    void availableAndTotalMemoryAndSavedDefinitionsAreReadInTheSameCommand() throws Exception {
        FakeNodeTransport node = new FakeNodeTransport()
                .answer("memory", "MemTotal: 4096\nMemAvailable: 2048\n")
                .answer("saved", "a".repeat(64) + "  web1.xml\n" + "b".repeat(64) + "  db.xml\nnot a line\n");
        StorageReader.Result result = StorageReader.read(node, "/var/lib/mcvirt", null, true);
        assertThat(result.availableMemoryBytes()).isEqualTo(2048L * 1024);
        assertThat(result.totalMemoryBytes()).isEqualTo(4096L * 1024);
        assertThat(result.savedDefinitions()).containsExactly(java.util.Map.entry("db", "b".repeat(64)),
                java.util.Map.entry("web1", "a".repeat(64)));
        assertThat(node.commands.get(0).get(7)).isEqualTo("/var/lib/mcvirt/domains");
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void theMemoryAndSavedDefinitionsSectionsOfTheScriptRunInAShell(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path domains = java.nio.file.Files.createDirectories(dir.resolve("domains"));
        java.nio.file.Files.writeString(domains.resolve("web1.xml"), "<domain/>");
        StorageReader.Result result;
        try (NodeTransport shell = stubbedShell(dir)) { // no LVM or DRBD tool of this machine runs
            result = StorageReader.read(shell, dir.toString(), null, true);
        }
        assertThat(result.availableMemoryBytes()).isPositive();
        assertThat(result.totalMemoryBytes()).isGreaterThanOrEqualTo(result.availableMemoryBytes());
        long total = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal:")).map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                .findFirst().orElseThrow() * 1024;
        assertThat(result.totalMemoryBytes()).isEqualTo(total);
        assertThat(result.savedDefinitions()).containsExactly(Map.entry("web1",
                "060eb14b1cfbd78cd57ce08dc3f07d35a2c066d19958814db8dfd8bef7b14a54"));
    }

    @Test
    void aMeminfoFieldThatIsMissingOrNotANumberIsNotRead() {
        var lines = new org.mcvirt.node.ssh.CommandResult(0, "MemTotal: 16318412\nMemAvailable: x\nMemFree: 7\n", "");
        assertThat(StorageReader.meminfo(lines, "MemTotal")).isEqualTo(16318412L * 1024);
        assertThat(StorageReader.meminfo(lines, "MemAvailable")).isNull();
        assertThat(StorageReader.meminfo(lines, "MemFree")).isEqualTo(7L * 1024);
        assertThat(StorageReader.meminfo(lines, "SwapTotal")).isNull();
        assertThat(StorageReader.meminfo(new org.mcvirt.node.ssh.CommandResult(1, "MemTotal: 16\n", "no awk"),
                "MemTotal")).isNull();
    }
}
