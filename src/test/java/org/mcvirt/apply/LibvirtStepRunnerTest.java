package org.mcvirt.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mcvirt.node.DefinitionPrimitives;
import org.mcvirt.node.DomainJobPrimitives;
import org.mcvirt.node.DrbdPrimitives;
import org.mcvirt.node.LvmPrimitives;
import org.mcvirt.node.NodeConfigPrimitives;
import org.mcvirt.node.NodePrimitives;
import org.mcvirt.node.StoragePrimitives;
import org.mcvirt.plan.SamplePayloads;
import org.mcvirt.plan.Step;
import org.mcvirt.plan.StepPayload;
import org.mcvirt.plan.StepKind;

/** Every step kind reaches its node primitive with the step's arguments; none is silently a no-op. */
class LibvirtStepRunnerTest {
    /** Records each primitive called, with its arguments. */
    private static final class RecordingNode implements NodePrimitives, LvmPrimitives, DrbdPrimitives,
            DefinitionPrimitives, DomainJobPrimitives, NodeConfigPrimitives, org.mcvirt.node.ImagePrimitives {
        final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        boolean guestIgnoresShutdown;

        /** This node's LVM, DRBD, saved definitions and job record: all recorded here. */
        StoragePrimitives storage() {
            return new StoragePrimitives(this, this, this, this, this, this);
        }

        @Override
        public boolean createLogicalVolume(String volumeGroup, String name, long bytes, String tag) {
            calls.add("createLogicalVolume " + volumeGroup + " " + name + " " + bytes + " " + tag);
            return true;
        }

        @Override
        public boolean removeLogicalVolume(String volumeGroup, String name, String tag) {
            calls.add("removeLogicalVolume " + volumeGroup + " " + name + " " + tag);
            return true;
        }

        @Override
        public void writeResourceFile(String configDirectory, String stateDirectory, String resource, String text) {
            calls.add("writeResourceFile " + configDirectory + " " + stateDirectory + " " + resource + " " + text);
        }

        @Override
        public void removeResourceFile(String configDirectory, String resource) {
            calls.add("removeResourceFile " + configDirectory + " " + resource);
        }

        @Override
        public boolean createMetadata(String resource) {
            calls.add("createMetadata " + resource);
            return true;
        }

        @Override
        public void up(String resource) {
            calls.add("up " + resource);
        }

        @Override
        public boolean startInitialSync(int minor, String resource) {
            calls.add("startInitialSync " + minor + " " + resource);
            return true;
        }

        @Override
        public void awaitInSync(int minor, String resource, java.time.Duration limit,
                                java.util.function.Consumer<String> progress) {
            calls.add("awaitInSync " + minor + " " + resource + " " + limit.toSeconds());
        }

        @Override
        public void promote(int minor, String resource) {
            calls.add("promote " + minor + " " + resource);
        }

        @Override
        public void rejoinDiscardingHere(int minor, String resource) {
            calls.add("rejoinDiscardingHere " + minor + " " + resource);
        }

        @Override
        public void disconnectUnlessConnected(int minor, String resource) {
            calls.add("disconnectUnlessConnected " + minor + " " + resource);
        }

        @Override
        public void connectIfStandAlone(int minor, String resource) {
            calls.add("connectIfStandAlone " + minor + " " + resource);
        }

        @Override
        public void awaitConnected(int minor, String resource, java.time.Duration limit) {
            calls.add("awaitConnected " + minor + " " + resource + " " + limit.toSeconds());
        }

        @Override
        public void forcePromote(int minor, String resource) {
            calls.add("forcePromote " + minor + " " + resource);
        }

        @Override
        public void writeFailoverRecord(String stateDirectory, String vm, byte[] json) {
            calls.add("writeFailoverRecord " + stateDirectory + " " + vm + " " + new String(json,
                    java.nio.charset.StandardCharsets.UTF_8).replaceAll("\"at\":\"[^\"]*\"", "\"at\":T"));
        }

        @Override
        public void forgetFailoverRecord(String stateDirectory, String vm) {
            calls.add("forgetFailoverRecord " + stateDirectory + " " + vm);
        }

        @Override
        public void demote(int minor, String resource) throws org.mcvirt.node.NodeException {
            calls.add("demote " + minor + " " + resource);
            if (demoteFails) {
                throw new org.mcvirt.node.NodeException(name, "cannot demote " + resource + ": device is held open",
                        null);
            }
        }

        @Override
        public void down(String resource) {
            calls.add("down " + resource);
        }

        @Override
        public void wipeMetadata(String resource) {
            calls.add("wipeMetadata " + resource);
        }

        @Override
        public boolean growLogicalVolume(String volumeGroup, String name, long bytes, String tag) {
            calls.add("growLogicalVolume " + volumeGroup + " " + name + " " + bytes + " " + tag);
            return true;
        }

        @Override
        public long resize(int minor, String resource, long minimumBytes) {
            calls.add("resize " + minor + " " + resource + " " + minimumBytes);
            return 2048;
        }

        @Override
        public String growVolume(String pool, String volumeName, String domain, String path, long bytes) {
            calls.add("growVolume " + pool + " " + volumeName + " " + domain + " " + path + " " + bytes);
            return "";
        }

        @Override
        public boolean blockResizeIfRunning(String domain, String path, long bytes) {
            calls.add("blockResizeIfRunning " + domain + " " + path + " " + bytes);
            return true;
        }

        final java.util.Map<String, String> saved = new java.util.TreeMap<>(Map.of("N", "<domain><name>N</name></domain>"));
        boolean defined = true;
        String uuid = "u-1";
        boolean migrationFails;
        /** The migration call returns only when its job is aborted (or after 10 s), ignoring interrupts. */
        boolean migrationHangs;
        final java.util.concurrent.CountDownLatch migrating = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch aborted = new java.util.concurrent.CountDownLatch(1);
        boolean paused;
        boolean forbidFails;
        boolean demoteFails;
        boolean defineFails;
        String name = "n1";

        RecordingNode named(String node) {
            name = node;
            return this;
        }

        @Override
        public void abortJob(String domain) {
            calls.add("abortJob " + domain);
            aborted.countDown();
        }

        @Override
        public boolean domainPaused(String domain) {
            return paused;
        }

        @Override
        public void saveDefinition(String stateDirectory, String domain, String xml) {
            calls.add("saveDefinition " + stateDirectory + " " + domain);
            saved.put(domain, xml);
        }

        @Override
        public java.util.Optional<String> readDefinition(String stateDirectory, String domain) {
            calls.add("readDefinition " + stateDirectory + " " + domain);
            return java.util.Optional.ofNullable(saved.get(domain));
        }

        @Override
        public void forgetDefinition(String stateDirectory, String domain) {
            calls.add("forgetDefinition " + stateDirectory + " " + domain);
        }

        @Override
        public void allowTwoPrimaries(String resource, boolean allow) throws org.mcvirt.node.NodeException {
            calls.add("allowTwoPrimaries " + resource + " " + allow);
            if (!allow && forbidFails) {
                throw new org.mcvirt.node.NodeException(name, "cannot forbid two primaries for " + resource
                        + ": Failure: (164) Can not clear allow_two_primaries", null);
            }
        }

        @Override
        public String completedMigrationDowntime(String domain) {
            return "12 ms";
        }

        @Override
        public java.util.Optional<String> definition(String name) {
            return defined ? java.util.Optional.of("<domain><name>" + name + "</name></domain>")
                    : java.util.Optional.empty();
        }

        @Override
        public java.util.Optional<String> domainUuid(String name) {
            return defined ? java.util.Optional.of(uuid) : java.util.Optional.empty();
        }

        @Override
        public boolean domainActive(String name) {
            return true;
        }

        @Override
        public void migrateLive(String name, NodePrimitives target, String migrationUri, long maxDowntimeMs,
                                boolean autoConverge, java.util.function.Consumer<String> progress)
                throws org.mcvirt.node.NodeException {
            calls.add("migrateLive " + name + " " + migrationUri + (maxDowntimeMs == 100 && autoConverge ? ""
                    : " downtime " + maxDowntimeMs + " converge " + autoConverge));
            migrating.countDown();
            if (migrationHangs) {
                long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                while (aborted.getCount() > 0 && System.nanoTime() < until) {
                    try {
                        aborted.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                    } catch (InterruptedException ignored) {
                        // a native call does not see interrupts
                    }
                }
                throw new org.mcvirt.node.NodeException("n1", aborted.getCount() == 0
                        ? "cannot migrate domain N: operation aborted: migration out job: canceled by client"
                        : "the migration was never aborted", null);
            }
            if (migrationFails) {
                throw new org.mcvirt.node.NodeException("node1", "Network not found", null);
            }
        }

        @Override
        public void forgetVerify(String stateDirectory, String resource) {
            calls.add("forgetVerify " + stateDirectory + " " + resource);
        }

        @Override
        public void installVerifySchedule(String timerUnit, String programPath, String program, String servicePath,
                                          String service, String timerPath, String timer) {
            calls.add("installVerifySchedule " + timerUnit + " " + programPath + " "
                    + (program.equals(org.mcvirt.node.ssh.NodeScript.DRBD_VERIFY.text()) ? "PROGRAM" : "OTHER") + " "
                    + servicePath + " " + service + " " + timerPath + " " + timer);
        }

        @Override
        public void removeVerifySchedule(String timerUnit, List<String> paths) {
            calls.add("removeVerifySchedule " + timerUnit + " " + String.join(" ", paths));
        }

        /** Whether accessDriver changes the file (and so restarts libvirtd). */
        boolean accessDriverChanges = true;

        @Override
        public void writeRules(String path, String text) {
            calls.add("writeRules " + path + " " + text);
        }

        @Override
        public void removeRules(String path) {
            calls.add("removeRules " + path);
        }

        @Override
        public boolean accessDriver(String libvirtdConf, boolean enable, String cluster) {
            calls.add("accessDriver " + libvirtdConf + " " + enable + " " + cluster);
            return accessDriverChanges;
        }

        @Override
        public void reconnect() {
            calls.add("reconnect");
        }

        @Override
        public void createPool(String name, String xml) {
            calls.add("createPool " + name + " " + xml);
        }

        @Override
        public void deletePool(String name) {
            calls.add("deletePool " + name);
        }

        @Override
        public void startPool(String name) {
            calls.add("startPool " + name);
        }

        @Override
        public void createVolume(String pool, String volumeName, String xml) {
            calls.add("createVolume " + pool + " " + volumeName + " " + xml);
        }

        @Override
        public void deleteVolume(String pool, String volumeName) {
            calls.add("deleteVolume " + pool + " " + volumeName);
        }

        /** What sha256 answers on this node. */
        String sha256 = "a".repeat(64);

        @Override
        public String sha256(String path, java.time.Duration timeout) {
            calls.add("sha256 " + path);
            return sha256;
        }

        @Override
        public void writeImage(String image, String format, String device, long virtualBytes,
                               java.time.Duration timeout) {
            calls.add("writeImage " + image + " " + format + " " + device + " " + virtualBytes);
        }

        @Override
        public void writeSeed(String directory, String fileName, String userData, String metaData,
                              String networkConfig) {
            calls.add("writeSeed " + directory + " " + fileName + " " + userData + " " + metaData + " " + networkConfig);
        }

        @Override
        public Probe probe(String url) {
            calls.add("probe " + url);
            return new Probe(url, -1, new byte[0], "not asked in these tests");
        }

        @Override
        public void fetch(String url, String directory, String fileName, String sha256, String format,
                          java.time.Duration timeout) {
            calls.add("fetch " + url + " " + directory + " " + fileName + " " + sha256 + " " + format);
        }

        @Override
        public void refreshPool(String name) {
            calls.add("refreshPool " + name);
        }

        @Override
        public void uploadVolume(String pool, String volumeName, String xml, java.nio.file.Path source,
                                 java.util.function.Consumer<String> progress) {
            calls.add("uploadVolume " + pool + " " + volumeName + " " + xml + " " + source);
        }

        @Override
        public void createVolumeFromImage(String pool, String volumeName, String xml, String imagePool,
                                          String imageVolume, boolean linked, long bytes) {
            calls.add("createVolumeFromImage " + pool + " " + volumeName + " " + xml + " " + imagePool + " "
                    + imageVolume + " " + linked + " " + bytes);
        }

        @Override
        public void createNetwork(String name, String xml) {
            calls.add("createNetwork " + name + " " + xml);
        }

        @Override
        public void startNetwork(String name) {
            calls.add("startNetwork " + name);
        }

        @Override
        public void deleteNetwork(String name) {
            calls.add("deleteNetwork " + name);
        }

        @Override
        public void defineDomain(String xml) throws org.mcvirt.node.NodeException {
            calls.add("defineDomain " + xml);
            if (defineFails) {
                throw new org.mcvirt.node.NodeException(name, "cannot define domain: disk full", null);
            }
        }

        @Override
        public void setLiveMemory(String name, long kib) {
            calls.add("setLiveMemory " + name + " " + kib);
        }

        @Override
        public void attachDeviceLive(String name, String xml) {
            calls.add("attachDeviceLive " + name + " " + xml);
        }

        @Override
        public void detachDeviceLive(String name, String xml) {
            calls.add("detachDeviceLive " + name + " " + xml);
        }

        @Override
        public void setDomainAutostart(String name, boolean autostart) {
            calls.add("setDomainAutostart " + name + " " + autostart);
        }

        @Override
        public void startDomain(String name) {
            calls.add("startDomain " + name);
        }

        @Override
        public boolean shutdownDomain(String name, long timeoutSeconds, java.util.function.Consumer<String> progress) {
            calls.add("shutdownDomain " + name + " " + timeoutSeconds);
            progress.accept("waiting for the guest to shut down: 10s of " + timeoutSeconds + "s");
            return guestIgnoresShutdown;
        }

        @Override
        public void undefineDomain(String name) {
            calls.add("undefineDomain " + name);
        }
    }

    /** The one primitive call each step kind must make, given the arguments of {@link #step}. */
    private static final Map<StepKind, String> EXPECTED = new EnumMap<>(Map.ofEntries(
            Map.entry(StepKind.CREATE_LV, "createLogicalVolume VG N 1024 T"),
            Map.entry(StepKind.WRITE_DRBD_CONFIG, "writeResourceFile /c /s R text"),
            Map.entry(StepKind.CREATE_DRBD_METADATA, "createMetadata R"),
            Map.entry(StepKind.DRBD_UP, "up R"),
            Map.entry(StepKind.DRBD_INITIAL_SYNC, "startInitialSync 7 R, awaitInSync 7 R 600"),
            Map.entry(StepKind.DRBD_PROMOTE, "promote 7 R"),
            Map.entry(StepKind.DRBD_DEMOTE, "demote 7 R"),
            Map.entry(StepKind.DELETE_DRBD, "down R, wipeMetadata R, removeResourceFile /c R, forgetVerify /s R"),
            Map.entry(StepKind.DELETE_LV, "removeLogicalVolume VG N T"),
            Map.entry(StepKind.CREATE_POOL, "createPool N X"),
            Map.entry(StepKind.START_POOL, "startPool N"),
            Map.entry(StepKind.DELETE_POOL, "deletePool N"),
            Map.entry(StepKind.CREATE_VOLUME, "createVolume P N X"),
            Map.entry(StepKind.CREATE_NETWORK, "createNetwork N X"),
            Map.entry(StepKind.START_NETWORK, "startNetwork N"),
            Map.entry(StepKind.DELETE_NETWORK, "deleteNetwork N"),
            Map.entry(StepKind.DEFINE_DOMAIN, "defineDomain X, saveDefinition /s N"),
            Map.entry(StepKind.MIGRATE_LIVE, "allowTwoPrimaries R true, promote 7 R, migrateLive N tcp://x downtime 250 converge true,"
                    + " defineDomain <domain><name>N</name></domain>, undefineDomain N, demote 7 R,"
                    + " allowTwoPrimaries R false, saveDefinition /s N"),
            Map.entry(StepKind.UNDEFINE_MIGRATED, "undefineDomain N"),
            Map.entry(StepKind.REGISTER_DOMAIN, "readDefinition /s N, defineDomain <domain><name>N</name></domain>,"
                    + " saveDefinition /s N"),
            Map.entry(StepKind.SET_MEMORY_LIVE, "setLiveMemory N 65536"),
            Map.entry(StepKind.ATTACH_DEVICE_LIVE, "attachDeviceLive N X"),
            Map.entry(StepKind.DETACH_DEVICE_LIVE, "detachDeviceLive N X"),
            Map.entry(StepKind.SET_AUTOSTART, "setDomainAutostart N true"),
            Map.entry(StepKind.START_DOMAIN, "startDomain N"),
            Map.entry(StepKind.SHUTDOWN_DOMAIN, "shutdownDomain N 30"),
            Map.entry(StepKind.UNDEFINE_DOMAIN, "undefineDomain N, forgetDefinition /s N"),
            Map.entry(StepKind.DELETE_VOLUME, "deleteVolume P N"),
            Map.entry(StepKind.GROW_VOLUME, "growVolume P N D /d 1024"),
            Map.entry(StepKind.GROW_LV, "growLogicalVolume VG N 1024 T"),
            Map.entry(StepKind.GROW_DRBD, "resize 7 R 1024, blockResizeIfRunning D /dev/drbd7 2048"),
            Map.entry(StepKind.REJOIN_STALE_COPY, "disconnectUnlessConnected 7 R, rejoinDiscardingHere 7 R,"
                    + " connectIfStandAlone 7 R,"
                    + " awaitConnected 7 R 60, forgetFailoverRecord /s N"),
            Map.entry(StepKind.INSTALL_VERIFY_SCHEDULE, "installVerifySchedule T.timer /s/bin/p PROGRAM /u/T.service S"
                    + " /u/T.timer X"),
            Map.entry(StepKind.REMOVE_VERIFY_SCHEDULE, "removeVerifySchedule T.timer /u/T.service /u/T.timer"),
            Map.entry(StepKind.CONFIGURE_PERMISSIONS, "writeRules /etc/polkit-1/rules.d/10-mcvirt-c.rules RULES,"
                    + " accessDriver /etc/libvirt/libvirtd.conf true c, reconnect"),
            Map.entry(StepKind.UPLOAD_IMAGE, "uploadVolume P I X /src/i.qcow2, sha256 /p/I"),
            Map.entry(StepKind.CREATE_VOLUME_FROM_IMAGE, "sha256 /p/I, createVolumeFromImage P N X IP I false 1073741824"),
            Map.entry(StepKind.DELETE_SEED, "deleteVolume P seed.vm.0123456789ab.iso"),
            Map.entry(StepKind.WRITE_IMAGE, "sha256 /p/I, writeImage /p/I qcow2 /dev/drbd7 1048576"),
            Map.entry(StepKind.WRITE_SEED, "writeSeed /p S UD MD null, refreshPool P"),
            Map.entry(StepKind.RECORD_FAILOVER, "writeFailoverRecord /s N {\"vm\":\"N\",\"from\":\"n2\","
                    + "\"to\":\"n1\",\"at\":T,\"resources\":[\"R\"],\"stale\":[]}")));

    private static Step step(StepKind kind) {
        return new Step(1, "n1", "subject", List.of(), "change", "describe", SamplePayloads.of(kind), List.of());
    }

    /** An image that arrives changed is deleted; an image changed on the node is not used. */
    @Test
    void anImageWhoseSha256DiffersOnTheNodeFailsTheStep() {
        RecordingNode node = new RecordingNode();
        node.sha256 = "b".repeat(64);
        LibvirtStepRunner runner = new LibvirtStepRunner(Map.of("n1", node), n -> node.storage(), 30,
                java.time.Duration.ofSeconds(1), new ProgressRecorder());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.run(step(StepKind.UPLOAD_IMAGE)))
                .hasMessageContaining("arrived with SHA-256 bbbb").hasMessageContaining("it was deleted");
        assertThat(node.calls).containsExactly("uploadVolume P I X /src/i.qcow2", "sha256 /p/I", "deleteVolume P I");
        node.calls.clear();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.run(step(StepKind.CREATE_VOLUME_FROM_IMAGE)))
                .hasMessageContaining("it changed on the node");
        assertThat(node.calls).containsExactly("sha256 /p/I");
    }

    /** A disk made from an image this apply uploaded and checked is not checked again; one already there is. */
    @Test
    void anImageUploadedInThisApplyIsCheckedOnce() throws Exception {
        RecordingNode node = new RecordingNode();
        LibvirtStepRunner runner = new LibvirtStepRunner(Map.of("n1", node), n -> node.storage(), 30,
                java.time.Duration.ofSeconds(1), new ProgressRecorder());
        runner.run(step(StepKind.CREATE_VOLUME_FROM_IMAGE));
        assertThat(node.calls).first().isEqualTo("sha256 /p/I");
        node.calls.clear();
        runner.run(step(StepKind.UPLOAD_IMAGE));
        runner.run(step(StepKind.CREATE_VOLUME_FROM_IMAGE));
        assertThat(node.calls).containsExactly("uploadVolume P I X /src/i.qcow2", "sha256 /p/I",
                "createVolumeFromImage P N X IP I false 1073741824");
    }

    /** An image given by URL is downloaded and checked by the node, then listed by libvirt; a disk made from it next is not checked again. */
    @Test
    void anImageGivenByUrlIsDownloadedByTheNodeAndNotUploaded() throws Exception {
        RecordingNode node = new RecordingNode();
        LibvirtStepRunner runner = new LibvirtStepRunner(Map.of("n1", node), n -> node.storage(), 30,
                java.time.Duration.ofSeconds(1), new ProgressRecorder());
        String sha = "a".repeat(64);
        Step fetch = new Step(1, "n1", "subject", List.of(), "image.deb@n1", "download",
                new StepPayload.UploadImage("P", "image.deb.aaaaaaaaaaaa.qcow2", "X", "https://mirror.example/deb.qcow2",
                        sha, "/var/lib/mcvirt/images/image.deb.aaaaaaaaaaaa.qcow2"), List.of());
        runner.run(fetch);
        assertThat(node.calls).containsExactly("fetch https://mirror.example/deb.qcow2 /var/lib/mcvirt/images"
                + " image.deb.aaaaaaaaaaaa.qcow2 " + sha + " qcow2", "refreshPool P");
    }

    /** A define that attaches an ISO checks it on the node first: a changed one is not attached, and nothing is defined. */
    @Test
    void aDefineThatAttachesAnIsoChecksItsSha256First() throws Exception {
        RecordingNode node = new RecordingNode();
        LibvirtStepRunner runner = new LibvirtStepRunner(Map.of("n1", node), n -> node.storage(), 30,
                java.time.Duration.ofSeconds(1), new ProgressRecorder());
        Step define = new Step(1, "n1", "domain:n1/web", List.of(), "vm.web", "define",
                new StepPayload.DefineDomain("web", "X", Map.of(), false, Map.of("/img/iso.i.aaaaaaaaaaaa.iso",
                        "b".repeat(64))), List.of());
        node.sha256 = "b".repeat(64);
        runner.run(define);
        assertThat(node.calls).containsExactly("sha256 /img/iso.i.aaaaaaaaaaaa.iso", "defineDomain X");
        node.calls.clear();
        node.sha256 = "c".repeat(64);
        LibvirtStepRunner fresh = new LibvirtStepRunner(Map.of("n1", node), n -> node.storage(), 30,
                java.time.Duration.ofSeconds(1), new ProgressRecorder());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fresh.run(define))
                .hasMessageContaining("/img/iso.i.aaaaaaaaaaaa.iso has SHA-256 cccc")
                .hasMessageContaining("domain web is not defined with it");
        assertThat(node.calls).containsExactly("sha256 /img/iso.i.aaaaaaaaaaaa.iso");
    }

    /** Removing permissions: the access driver is unset first, then the rules go; no reconnect when nothing changed. */
    @Test
    void removingPermissionsUnsetsTheDriverBeforeTheRulesGoAndReconnectsOnlyAfterARestart() throws Exception {
        RecordingNode node = new RecordingNode();
        Step remove = new Step(1, "n1", "permissions:n1", List.of(), "node.n1.permissions", "remove",
                new StepPayload.ConfigurePermissions("c", "/etc/polkit-1/rules.d/10-mcvirt-c.rules", null,
                        "/etc/libvirt/libvirtd.conf", StepPayload.ConfigurePermissions.AccessDriver.DISABLE), List.of());
        LibvirtStepRunner runner = new LibvirtStepRunner(Map.of("n1", node), n -> node.storage(), 30,
                java.time.Duration.ofSeconds(1), new ProgressRecorder());
        assertThat(runner.run(remove)).contains("libvirtd restarted, reconnected");
        assertThat(node.calls).containsExactly("accessDriver /etc/libvirt/libvirtd.conf false c", "reconnect",
                "removeRules /etc/polkit-1/rules.d/10-mcvirt-c.rules");
        node.calls.clear();
        node.accessDriverChanges = false;
        assertThat(runner.run(remove)).contains("(it already was)");
        assertThat(node.calls).containsExactly("accessDriver /etc/libvirt/libvirtd.conf false c",
                "removeRules /etc/polkit-1/rules.d/10-mcvirt-c.rules");
        node.calls.clear();
        Step rewrite = new Step(1, "n1", "permissions:n1", List.of(), "node.n1.permissions", "rewrite",
                new StepPayload.ConfigurePermissions("c", "/etc/polkit-1/rules.d/10-mcvirt-c.rules", "R2",
                        "/etc/libvirt/libvirtd.conf", StepPayload.ConfigurePermissions.AccessDriver.KEEP), List.of());
        runner.run(rewrite);
        assertThat(node.calls).containsExactly("writeRules /etc/polkit-1/rules.d/10-mcvirt-c.rules R2");
    }

    @Test
    void aFailedLiveMigrationIsRolledBackToTheSource() {
        RecordingNode source = new RecordingNode();
        RecordingNode target = new RecordingNode();
        source.migrationFails = true;
        Step step = new Step(1, "n1", "domain:n1/N", List.of(), "vm.N", "migrate",
                new StepPayload.MigrateLive("N", "n2", "tcp://n2", Map.of("R", 7), Map.of(), 100, true), List.of(),
                List.of("n2"));
        LibvirtStepRunner runner = new LibvirtStepRunner(Map.of("n1", source, "n2", target),
                n -> (n.equals("n1") ? source : target).storage(), 30, java.time.Duration.ofSeconds(1), new ProgressRecorder());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.run(step))
                .hasMessageContaining("the live migration of N to n2 failed: node node1: Network not found")
                .hasMessageContaining("rolled back: the vm runs on n1, and R is primary there only");
        assertThat(source.calls).containsExactly("allowTwoPrimaries R true", "migrateLive N tcp://n2",
                "allowTwoPrimaries R false");
        assertThat(target.calls).containsExactly("promote 7 R", "demote 7 R", "allowTwoPrimaries R false");
    }

    /** The definition is made persistent on the target after the move, then the source's goes (never both gone). */
    @Test
    void aLiveMoveDefinesTheVmOnTheTargetThenUndefinesItOnTheSource() throws Exception {
        RecordingNode source = new RecordingNode().named("n1");
        RecordingNode target = new RecordingNode().named("n2");
        assertThat(runner(source, target).run(migration())).startsWith("running on n2; downtime 12 ms");
        assertThat(source.calls).containsExactly("allowTwoPrimaries R true", "migrateLive N tcp://n2",
                "undefineDomain N", "demote 7 R", "allowTwoPrimaries R false");
        assertThat(target.calls).containsExactly("promote 7 R", "defineDomain <domain><name>N</name></domain>");
    }

    /**
     * A target that refuses the definition after the move: the vm runs there (no rollback: demoting the target would
     * fail under it), the source keeps its definition, and the step says so.
     */
    @Test
    void aDefinitionTheTargetRefusesAfterTheMoveLeavesTheSourcesDefinitionAndSaysSo() throws Exception {
        RecordingNode source = new RecordingNode().named("n1");
        RecordingNode target = new RecordingNode().named("n2");
        target.defineFails = true;
        assertThat(runner(source, target).run(migration())).contains("running on n2",
                "its definition could not be made persistent on n2 (node n2: cannot define domain: disk full): it runs"
                        + " there as a transient domain and stays defined on n1");
        assertThat(source.calls).containsExactly("allowTwoPrimaries R true", "migrateLive N tcp://n2", "demote 7 R",
                "allowTwoPrimaries R false");
    }

    /** A vm with no definition on the source is refused before two primaries are allowed. */
    @Test
    void aVmNotDefinedOnTheSourceIsRefusedBeforeAnythingChanges() {
        RecordingNode source = new RecordingNode().named("n1");
        RecordingNode target = new RecordingNode().named("n2");
        source.defined = false;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner(source, target).run(migration()))
                .hasMessageContaining("domain N is not defined on n1, so it cannot migrate from there; nothing was"
                        + " changed");
        assertThat(source.calls).isEmpty();
        assertThat(target.calls).isEmpty();
    }

    private static Step migration() {
        return new Step(1, "n1", "domain:n1/N", List.of(), "vm.N", "migrate",
                new StepPayload.MigrateLive("N", "n2", "tcp://n2", Map.of("R", 7), Map.of(), 100, true), List.of(),
                List.of("n2"));
    }

    private static LibvirtStepRunner runner(RecordingNode source, RecordingNode target) {
        return new LibvirtStepRunner(Map.of("n1", source, "n2", target),
                n -> (n.equals("n1") ? source : target).storage(), 30, java.time.Duration.ofSeconds(1),
                new ProgressRecorder());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aMigrationPastItsDeadlineHasItsJobAbortedAndIsRolledBackOnBothNodes() throws Exception {
        RecordingNode source = new RecordingNode().named("n1");
        RecordingNode target = new RecordingNode().named("n2");
        source.migrationHangs = true;
        source.paused = true;
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                runner(source, target).run(migration());
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        worker.start();
        source.migrating.await();
        worker.interrupt(); // what the executor does when the step's deadline passes
        worker.join();
        assertThat(thrown.get()).isInstanceOf(org.mcvirt.node.NodeException.class);
        assertThat(thrown.get().getMessage())
                .contains("the live migration of N to n2 passed its deadline; its migration job was aborted")
                .contains("rolled back: the vm runs on n1, and R is primary there only")
                .contains("the vm is paused on n1");
        assertThat(source.calls).containsExactly("allowTwoPrimaries R true", "migrateLive N tcp://n2", "abortJob N",
                "allowTwoPrimaries R false");
        assertThat(target.calls).containsExactly("promote 7 R", "demote 7 R", "allowTwoPrimaries R false");
    }

    @Test
    void aDeadlineThatComesBeforeLibvirtsMigrationBeginsStartsNoMigration() throws Exception {
        RecordingNode source = new RecordingNode().named("n1");
        RecordingNode target = new RecordingNode().named("n2");
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread worker = new Thread(() -> {
            Thread.currentThread().interrupt(); // the deadline passed while the resources were being prepared
            try {
                runner(source, target).run(migration());
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        worker.start();
        worker.join();
        assertThat(thrown.get()).hasMessageContaining("the live migration of N to n2 passed its deadline before"
                + " libvirt's migration began; rolled back: the vm runs on n1, and R is primary there only");
        assertThat(source.calls).containsExactly("allowTwoPrimaries R true", "allowTwoPrimaries R false");
        assertThat(target.calls).containsExactly("promote 7 R", "demote 7 R", "allowTwoPrimaries R false");
    }

    @Test
    void twoPrimariesAreForbiddenOnTheTargetEvenWhenTheSourceRefuses() {
        RecordingNode source = new RecordingNode().named("n1");
        RecordingNode target = new RecordingNode().named("n2");
        source.migrationFails = true;
        source.forbidFails = true;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner(source, target).run(migration()))
                .hasMessageContaining("rollback incomplete: two primaries may still be allowed for R on n1: node n1:"
                        + " cannot forbid two primaries for R")
                .hasMessageNotContaining("on n2:");
        assertThat(target.calls).containsExactly("promote 7 R", "demote 7 R", "allowTwoPrimaries R false");
    }

    @Test
    void twoPrimariesAreForbiddenOnBothNodesEvenWhenTheTargetCannotBeDemoted() {
        RecordingNode source = new RecordingNode().named("n1");
        RecordingNode target = new RecordingNode().named("n2");
        source.migrationFails = true;
        target.demoteFails = true;
        target.forbidFails = true;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner(source, target).run(migration()))
                .hasMessageContaining("R may still be primary on n2: node n2: cannot demote R")
                .hasMessageContaining("two primaries may still be allowed for R on n2: node n2: cannot forbid");
        assertThat(source.calls).containsExactly("allowTwoPrimaries R true", "migrateLive N tcp://n2",
                "allowTwoPrimaries R false");
        assertThat(target.calls).containsExactly("promote 7 R", "demote 7 R", "allowTwoPrimaries R false");
    }

    @Test
    void aSourceLeftPausedByAFailedMigrationIsReported() {
        RecordingNode source = new RecordingNode().named("n1");
        RecordingNode target = new RecordingNode().named("n2");
        source.migrationFails = true;
        source.paused = true;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner(source, target).run(migration()))
                .hasMessageContaining("the vm is paused on n1 (libvirt left it paused): resume it with"
                        + " 'virsh resume N' once its disks are known to be good");
    }

    @Test
    void aMigratedSourceIsUndefinedOnlyWhenTheTargetHasTheSameDomain() {
        RecordingNode source = new RecordingNode();
        RecordingNode target = new RecordingNode();
        target.uuid = "other";
        Step step = new Step(1, "n1", "domain:n1/N", List.of(), "vm.N", "undefine",
                new StepPayload.UndefineMigrated("N", "n2", "u-1"), List.of(), List.of("n2"));
        LibvirtStepRunner runner = new LibvirtStepRunner(Map.of("n1", source, "n2", target),
                n -> (n.equals("n1") ? source : target).storage(), 30, java.time.Duration.ofSeconds(1), new ProgressRecorder());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.run(step))
                .hasMessageContaining("node n2 does not have it defined with UUID u-1 (it has other)");
        target.defined = false;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.run(step))
                .hasMessageContaining("so it would be defined on no node");
        assertThat(source.calls).isEmpty();
    }

    @Test
    void everyStepKindRunsItsPrimitive() throws Exception {
        for (StepKind kind : StepKind.values()) {
            RecordingNode node = new RecordingNode();
            new LibvirtStepRunner(Map.of("n1", node), n -> node.storage(), 30, java.time.Duration.ofSeconds(600),
                    new ProgressRecorder()).run(step(kind));
            assertThat(String.join(", ", node.calls)).as("the primitives %s ran", kind).isEqualTo(EXPECTED.get(kind));
        }
    }

    @Test
    void aForcedShutdownIsNotedOnTheProgressLine() throws Exception {
        RecordingNode node = new RecordingNode();
        ProgressRecorder progress = new ProgressRecorder();
        LibvirtStepRunner runner = new LibvirtStepRunner(Map.of("n1", node), 30, progress);
        assertThat(runner.run(step(StepKind.SHUTDOWN_DOMAIN))).isEmpty();
        assertThat(progress.lines).containsExactly("describe: waiting for the guest to shut down: 10s of 30s");
        node.guestIgnoresShutdown = true;
        assertThat(runner.run(step(StepKind.SHUTDOWN_DOMAIN)))
                .isEqualTo("the guest did not shut down within 30s; powered off");
    }

    /** Hears the progress lines a long step reports. */
    private static final class ProgressRecorder implements ApplyListener {
        final List<String> lines = new ArrayList<>();

        @Override
        public void started(org.mcvirt.plan.Step step) {
        }

        @Override
        public void finished(org.mcvirt.plan.Step step, long millis, String note) {
        }

        @Override
        public void failed(org.mcvirt.plan.Step step, long millis, String error) {
        }

        @Override
        public void skipped(org.mcvirt.plan.Step step, String why) {
        }

        @Override
        public void progress(org.mcvirt.plan.Step step, String message) {
            lines.add(step.description() + ": " + message);
        }
    }

    @Test
    void theDrbdSecretIsReadAtApplyAndPutIntoTheFileNeverIntoTheStep(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path secret = dir.resolve("drbd.secret");
        java.nio.file.Files.writeString(secret, "Unique-Secret-4711\n");
        Step write = new Step(1, "n1", "drbd:n1/R", List.of(), "change", "write",
                new StepPayload.WriteDrbdConfig("R", "shared-secret \"" + org.mcvirt.render.Views.SECRET_PLACEHOLDER
                        + "\";", "/c", "/s", secret.toString(), null), List.of());
        RecordingNode node = new RecordingNode();
        new LibvirtStepRunner(Map.of("n1", node), n -> node.storage(), 30, java.time.Duration.ofSeconds(1), new ProgressRecorder())
                .run(write);
        assertThat(node.calls).containsExactly("writeResourceFile /c /s R shared-secret \"Unique-Secret-4711\";");
        assertThat(write.toString()).doesNotContain("Unique-Secret-4711");

        java.nio.file.Files.delete(secret);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LibvirtStepRunner(Map.of("n1", node), n -> node.storage(), 30,
                java.time.Duration.ofSeconds(1), new ProgressRecorder()).run(write))
                .hasMessageContaining("node n1: cannot write the resource file of R: the DRBD secret: cannot read the file "
                        + secret);
    }
}
