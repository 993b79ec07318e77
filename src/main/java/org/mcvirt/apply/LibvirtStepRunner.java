package org.mcvirt.apply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.mcvirt.model.Digests;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.Secrets;
import org.mcvirt.node.Deadline;
import org.mcvirt.node.StoragePrimitives;
import org.mcvirt.render.Views;
import org.mcvirt.node.NodeException;
import org.mcvirt.node.NodePrimitives;
import org.mcvirt.plan.Step;
import org.mcvirt.plan.StepPayload.AttachDeviceLive;
import org.mcvirt.plan.StepPayload.CreateDrbdMetadata;
import org.mcvirt.plan.StepPayload.CreateLv;
import org.mcvirt.plan.StepPayload.CreateNetwork;
import org.mcvirt.plan.StepPayload.CreatePool;
import org.mcvirt.plan.StepPayload.CreateVolume;
import org.mcvirt.plan.StepPayload.DefineDomain;
import org.mcvirt.plan.StepPayload.DeleteDrbd;
import org.mcvirt.plan.StepPayload.DeleteLv;
import org.mcvirt.plan.StepPayload.DeleteNetwork;
import org.mcvirt.plan.StepPayload.DeletePool;
import org.mcvirt.plan.StepPayload.DeleteVolume;
import org.mcvirt.plan.StepPayload.DetachDeviceLive;
import org.mcvirt.plan.StepPayload.DrbdDemote;
import org.mcvirt.plan.StepPayload.DrbdInitialSync;
import org.mcvirt.plan.StepPayload.DrbdPromote;
import org.mcvirt.plan.StepPayload.DrbdUp;
import org.mcvirt.plan.StepPayload.GrowDrbd;
import org.mcvirt.plan.StepPayload.GrowLv;
import org.mcvirt.plan.StepPayload.GrowVolume;
import org.mcvirt.plan.StepPayload.MigrateLive;
import org.mcvirt.plan.StepPayload.RecordFailover;
import org.mcvirt.plan.StepPayload;
import org.mcvirt.plan.StepPayload.RejoinStaleCopy;
import org.mcvirt.plan.StepPayload.RegisterDomain;
import org.mcvirt.state.FailoverRecord;
import org.mcvirt.plan.StepPayload.SetAutostart;
import org.mcvirt.plan.StepPayload.SetMemoryLive;
import org.mcvirt.plan.StepPayload.ShutdownDomain;
import org.mcvirt.plan.StepPayload.StartDomain;
import org.mcvirt.plan.StepPayload.StartNetwork;
import org.mcvirt.plan.StepPayload.StartPool;
import org.mcvirt.plan.StepPayload.UndefineDomain;
import org.mcvirt.plan.StepPayload.UndefineMigrated;
import org.mcvirt.plan.StepPayload.WriteDrbdConfig;

/**
 * Maps each step kind to the libvirt primitive, or the LVM/DRBD operation, that performs it. No decisions: the plan
 * made them. The one thing a plan does not carry is the DRBD shared secret: a resource file step names where it
 * comes from, and it is read here, put into the file as it is written, and forgotten.
 */
public final class LibvirtStepRunner implements StepRunner {
    /** The LVM/DRBD operations of a node. */
    @FunctionalInterface
    public interface Storage {
        StoragePrimitives of(String node) throws NodeException;
    }

    private final Map<String, NodePrimitives> nodes;
    private final Storage storage;
    private final long shutdownTimeoutSeconds;
    private final Duration syncTimeout;
    private final ApplyListener progress;
    /**
     * The images this apply uploaded and checked (node and path): a disk made from one in the same apply, under the
     * same lock, is not checked a second time.
     */
    private final java.util.Set<String> checkedImages = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** One lock per file a define checks, so that defines running at once on a node hash it once. */
    private final java.util.Map<String, Object> checking = new java.util.concurrent.ConcurrentHashMap<>();

    public LibvirtStepRunner(Map<String, ? extends NodePrimitives> nodes, long shutdownTimeoutSeconds,
                             ApplyListener progress) {
        this(nodes, node -> {
            throw new IllegalStateException("no LVM/DRBD access to node " + node);
        }, shutdownTimeoutSeconds, Duration.ofHours(1), progress);
    }

    public LibvirtStepRunner(Map<String, ? extends NodePrimitives> nodes, Storage storage, long shutdownTimeoutSeconds,
                             Duration syncTimeout, ApplyListener progress) {
        this.nodes = Map.copyOf(nodes);
        this.storage = storage;
        this.shutdownTimeoutSeconds = shutdownTimeoutSeconds;
        this.syncTimeout = syncTimeout;
        this.progress = progress;
    }

    @Override
    public String run(Step step) throws NodeException {
        NodePrimitives node = nodes.get(step.node());
        if (node == null) {
            throw new IllegalStateException("no connection to node " + step.node());
        }
        // a switch expression without a default: a step kind without a case here does not compile; each case takes
        // its kind's payload record
        return switch (step.kind()) {
            case CREATE_POOL -> {
                CreatePool p = step.payload(CreatePool.class);
                yield done(() -> node.createPool(p.name(), p.xml()));
            }
            case START_POOL -> done(() -> node.startPool(step.payload(StartPool.class).name()));
            case DELETE_POOL -> done(() -> node.deletePool(step.payload(DeletePool.class).name()));
            case CREATE_VOLUME -> {
                CreateVolume p = step.payload(CreateVolume.class);
                yield done(() -> node.createVolume(p.pool(), p.name(), p.xml()));
            }
            case CREATE_NETWORK -> {
                CreateNetwork p = step.payload(CreateNetwork.class);
                yield done(() -> node.createNetwork(p.name(), p.xml()));
            }
            case START_NETWORK -> done(() -> node.startNetwork(step.payload(StartNetwork.class).name()));
            case DELETE_NETWORK -> done(() -> node.deleteNetwork(step.payload(DeleteNetwork.class).name()));
            case DEFINE_DOMAIN -> {
                DefineDomain p = step.payload(DefineDomain.class);
                for (var check : p.checks().entrySet()) {
                    // a file the definition newly attaches (an installer ISO): as the manifest says, or not attached;
                    // hashed once per apply even when several defines on the node attach it at once
                    String key = step.node() + ":" + check.getKey() + ":" + check.getValue();
                    synchronized (checking.computeIfAbsent(key, k -> new Object())) {
                        if (checkedImages.contains(key)) {
                            continue;
                        }
                        String there = storage.of(step.node()).images().sha256(check.getKey(), syncTimeout);
                        if (!there.equals(check.getValue())) {
                            throw new NodeException(step.node(), check.getKey() + " has SHA-256 " + there + ", not "
                                    + check.getValue() + " as the manifest says: it changed on the node; domain "
                                    + p.name() + " is not defined with it (delete the volume, and the next apply"
                                    + " uploads or downloads it again)", null);
                        }
                        checkedImages.add(key);
                    }
                }
                node.defineDomain(p.xml());
                yield saveCopies(step.node(), p.name(), p.copies(), node);
            }
            case MIGRATE_LIVE -> migrateLive(step, step.payload(MigrateLive.class), node);
            case UNDEFINE_MIGRATED -> {
                UndefineMigrated p = step.payload(UndefineMigrated.class);
                Optional<String> there = libvirt(p.target()).domainUuid(p.name());
                if (there.isEmpty() || !there.get().equalsIgnoreCase(p.uuid())) {
                    throw new NodeException(step.node(), "domain " + p.name() + " is not undefined here: node "
                            + p.target() + " does not have it defined" + there.map(u -> " with UUID " + p.uuid()
                            + " (it has " + u + ")").orElse("") + ", so it would be defined on no node", null);
                }
                node.undefineDomain(p.name());
                yield "";
            }
            case REJOIN_STALE_COPY -> {
                RejoinStaleCopy p = step.payload(RejoinStaleCopy.class);
                StoragePrimitives here = storage.of(step.node());
                StoragePrimitives survivor = storage.of(p.survivor());
                for (Map.Entry<String, Integer> resource : p.resources().entrySet()) {
                    survivor.drbd().disconnectUnlessConnected(resource.getValue(), resource.getKey());
                    here.drbd().rejoinDiscardingHere(resource.getValue(), resource.getKey());
                    survivor.drbd().connectIfStandAlone(resource.getValue(), resource.getKey());
                }
                for (Map.Entry<String, Integer> resource : p.resources().entrySet()) {
                    here.drbd().awaitConnected(resource.getValue(), resource.getKey(), REJOIN_CONNECT_WAIT);
                }
                survivor.definitions().forgetFailoverRecord(p.survivorStateDirectory(), p.vm());
                yield "connected; " + step.node() + "'s copy is resynced from " + p.survivor()
                        + "; the failover record is removed";
            }
            case INSTALL_VERIFY_SCHEDULE -> {
                StepPayload.InstallVerifySchedule p = step.payload(StepPayload.InstallVerifySchedule.class);
                String program = NodeScript.DRBD_VERIFY.text();
                if (!Digests.sha256(program).equals(p.programSha256())) {
                    throw new NodeException(step.node(), "the plan was made by an mcvirt build with another verify"
                            + " program than this one's; run 'mcvirt plan' again", null);
                }
                storage.of(step.node()).drbd().installVerifySchedule(p.timerUnit(), p.programPath(), program,
                        p.servicePath(), p.service(), p.timerPath(), p.timer());
                yield p.timerUnit() + " enabled and started";
            }
            case REMOVE_VERIFY_SCHEDULE -> {
                StepPayload.RemoveVerifySchedule p = step.payload(StepPayload.RemoveVerifySchedule.class);
                storage.of(step.node()).drbd().removeVerifySchedule(p.timerUnit(), p.paths());
                yield p.timerUnit() + " disabled; " + String.join(", ", p.paths()) + " removed";
            }
            case CONFIGURE_PERMISSIONS -> {
                StepPayload.ConfigurePermissions p = step.payload(StepPayload.ConfigurePermissions.class);
                yield configurePermissions(node, storage.of(step.node()).config(), p);
            }
            case UPLOAD_IMAGE -> {
                StepPayload.UploadImage p = step.payload(StepPayload.UploadImage.class);
                if (org.mcvirt.model.Uploaded.isUrl(p.source())) {
                    // the node downloads it and checks its SHA-256 (image-fetch.sh), then libvirt lists it
                    int slash = p.path().lastIndexOf('/');
                    String format = p.name().substring(p.name().lastIndexOf('.') + 1);
                    progress.progress(step, "downloading " + p.source() + " on node " + step.node());
                    storage.of(step.node()).images().fetch(p.source(), p.path().substring(0, slash),
                            p.path().substring(slash + 1), p.sha256(), format, syncTimeout);
                    node.refreshPool(p.pool());
                    checkedImages.add(step.node() + ":" + p.path() + ":" + p.sha256());
                    yield "downloaded by the node, SHA-256 checked there";
                }
                node.uploadVolume(p.pool(), p.name(), p.xml(), java.nio.file.Path.of(p.source()),
                        message -> progress.progress(step, message));
                String there;
                try {
                    there = storage.of(step.node()).images().sha256(p.path(), syncTimeout);
                } catch (NodeException | RuntimeException e) {
                    // not checked is not kept: the next plan would take it for the image
                    try {
                        node.deleteVolume(p.pool(), p.name());
                    } catch (NodeException | RuntimeException deleting) {
                        e.addSuppressed(deleting);
                    }
                    throw e;
                }
                if (!there.equals(p.sha256())) {
                    node.deleteVolume(p.pool(), p.name());
                    throw new NodeException(step.node(), "image " + p.name() + " arrived with SHA-256 " + there
                            + ", not " + p.sha256() + " (the source changed while it was sent?); it was deleted", null);
                }
                checkedImages.add(step.node() + ":" + p.path() + ":" + p.sha256());
                yield "SHA-256 checked on the node";
            }
            case CREATE_VOLUME_FROM_IMAGE -> {
                StepPayload.CreateVolumeFromImage p = step.payload(StepPayload.CreateVolumeFromImage.class);
                String there = checkedImages.contains(step.node() + ":" + p.imagePath() + ":" + p.sha256())
                        ? p.sha256() : storage.of(step.node()).images().sha256(p.imagePath(), syncTimeout);
                if (!there.equals(p.sha256())) {
                    throw new NodeException(step.node(), "image " + p.imageVolume() + " in pool " + p.imagePool()
                            + " has SHA-256 " + there + ", not " + p.sha256() + " as the manifest says: it changed on"
                            + " the node; disk " + p.name() + " is not made from it (delete the image volume, and the"
                            + " next apply uploads it again)", null);
                }
                node.createVolumeFromImage(p.pool(), p.name(), p.xml(), p.imagePool(), p.imageVolume(), p.linked(),
                        p.bytes());
                yield p.linked() ? "a qcow2 overlay on " + p.imageVolume() : "a copy of " + p.imageVolume();
            }
            case DELETE_SEED -> {
                StepPayload.DeleteSeed p = step.payload(StepPayload.DeleteSeed.class);
                yield done(() -> node.deleteVolume(p.pool(), p.name()));
            }
            case WRITE_IMAGE -> {
                StepPayload.WriteImage p = step.payload(StepPayload.WriteImage.class);
                StoragePrimitives here = storage.of(step.node());
                String there = checkedImages.contains(step.node() + ":" + p.imagePath() + ":" + p.sha256())
                        ? p.sha256() : here.images().sha256(p.imagePath(), syncTimeout);
                if (!there.equals(p.sha256())) {
                    throw new NodeException(step.node(), "image " + p.imagePath() + " has SHA-256 " + there + ", not "
                            + p.sha256() + " as the manifest says: it changed on the node; it is not written onto "
                            + p.device() + " (delete the image volume, and the next apply uploads it again)", null);
                }
                here.images().writeImage(p.imagePath(), p.format(), p.device(), p.virtualBytes(), syncTimeout);
                yield "written once onto " + p.device() + "; DRBD copies it to the peer";
            }
            case WRITE_SEED -> {
                StepPayload.WriteSeed p = step.payload(StepPayload.WriteSeed.class);
                if (p.userData() == null || p.metaData() == null) {
                    throw new IllegalStateException("the seed " + p.name() + " has no files: a plan read back from"
                            + " JSON is never run");
                }
                storage.of(step.node()).images().writeSeed(p.directory(), p.name(), p.userData(), p.metaData(),
                        p.networkConfig());
                node.refreshPool(p.pool());
                yield "";
            }
            case RECORD_FAILOVER -> {
                RecordFailover p = step.payload(RecordFailover.class);
                FailoverRecord record = new FailoverRecord(p.vm(), p.from(), step.node(),
                        java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                        p.resources(), p.stale());
                storage.of(step.node()).definitions().writeFailoverRecord(p.stateDirectory(), p.vm(),
                        FailoverRecord.json(record));
                yield "recorded in " + p.stateDirectory() + "/failover/" + p.vm() + ".json";
            }
            case REGISTER_DOMAIN -> {
                RegisterDomain p = step.payload(RegisterDomain.class);
                String from = p.copyNode();
                String copy = storage.of(from).definitions().readDefinition(p.copyDirectory(), p.name())
                        .orElseThrow(() -> new NodeException(from, "the saved definition of domain " + p.name()
                                + " is gone", null));
                if (!Digests.sha256(copy).equals(p.sha256())) {
                    throw new NodeException(from, "the saved definition of domain " + p.name()
                            + " changed since the plan was made; run 'mcvirt plan' again", null);
                }
                node.defineDomain(copy);
                yield saveCopies(step.node(), p.name(), p.copies(), node);
            }
            case SET_MEMORY_LIVE -> {
                SetMemoryLive p = step.payload(SetMemoryLive.class);
                yield done(() -> node.setLiveMemory(p.name(), p.kib()));
            }
            case ATTACH_DEVICE_LIVE -> {
                AttachDeviceLive p = step.payload(AttachDeviceLive.class);
                yield done(() -> node.attachDeviceLive(p.name(), p.xml()));
            }
            case DETACH_DEVICE_LIVE -> {
                DetachDeviceLive p = step.payload(DetachDeviceLive.class);
                yield done(() -> node.detachDeviceLive(p.name(), p.xml()));
            }
            case SET_AUTOSTART -> {
                SetAutostart p = step.payload(SetAutostart.class);
                yield done(() -> node.setDomainAutostart(p.name(), p.autostart()));
            }
            case START_DOMAIN -> done(() -> node.startDomain(step.payload(StartDomain.class).name()));
            case SHUTDOWN_DOMAIN -> node.shutdownDomain(step.payload(ShutdownDomain.class).name(),
                    shutdownTimeoutSeconds, message -> progress.progress(step, message))
                    ? "the guest did not shut down within " + shutdownTimeoutSeconds + "s; powered off" : "";
            case UNDEFINE_DOMAIN -> {
                UndefineDomain p = step.payload(UndefineDomain.class);
                node.undefineDomain(p.name());
                for (Map.Entry<String, String> forget : p.forget().entrySet()) {
                    storage.of(forget.getKey()).definitions().forgetDefinition(forget.getValue(), p.name());
                }
                yield "";
            }
            case DELETE_VOLUME -> {
                DeleteVolume p = step.payload(DeleteVolume.class);
                yield done(() -> node.deleteVolume(p.pool(), p.name()));
            }
            case GROW_VOLUME -> {
                GrowVolume p = step.payload(GrowVolume.class);
                yield node.growVolume(p.pool(), p.name(), p.domain(), p.path(), p.bytes());
            }
            case GROW_DRBD -> {
                GrowDrbd p = step.payload(GrowDrbd.class);
                long bytes = storage.of(step.node()).drbd().resize(p.minor(), p.resource(), p.minimumBytes());
                yield node.blockResizeIfRunning(p.domain(), p.device(), bytes)
                        ? "grown to " + bytes + " bytes; the running vm sees it" : "grown to " + bytes + " bytes";
            }
            case CREATE_LV -> {
                CreateLv p = step.payload(CreateLv.class);
                yield storage.of(step.node()).lvm().createLogicalVolume(p.volumeGroup(), p.name(), p.bytes(), p.tag())
                        ? "" : "it was already there";
            }
            case WRITE_DRBD_CONFIG -> {
                WriteDrbdConfig p = step.payload(WriteDrbdConfig.class);
                StoragePrimitives here = storage.of(step.node());
                yield done(() -> here.drbd().writeResourceFile(p.configDirectory(), p.stateDirectory(), p.resource(),
                        withSecret(step.node(), p)));
            }
            case CREATE_DRBD_METADATA -> storage.of(step.node()).drbd().createMetadata(
                    step.payload(CreateDrbdMetadata.class).resource()) ? "" : "its metadata was already there";
            case DRBD_UP -> {
                StoragePrimitives here = storage.of(step.node());
                yield done(() -> here.drbd().up(step.payload(DrbdUp.class).resource()));
            }
            case DRBD_INITIAL_SYNC -> {
                DrbdInitialSync p = step.payload(DrbdInitialSync.class);
                StoragePrimitives here = storage.of(step.node());
                boolean started = here.drbd().startInitialSync(p.minor(), p.resource());
                here.drbd().awaitInSync(p.minor(), p.resource(), syncTimeout,
                        message -> progress.progress(step, message));
                yield started ? "in sync" : "its data was already the good copy; in sync";
            }
            case DRBD_PROMOTE -> {
                DrbdPromote p = step.payload(DrbdPromote.class);
                StoragePrimitives here = storage.of(step.node());
                yield done(() -> {
                    if (p.force()) {
                        here.drbd().forcePromote(p.minor(), p.resource());
                    } else {
                        here.drbd().promote(p.minor(), p.resource());
                    }
                });
            }
            case DRBD_DEMOTE -> {
                DrbdDemote p = step.payload(DrbdDemote.class);
                StoragePrimitives here = storage.of(step.node());
                yield done(() -> {
                    here.drbd().demote(p.minor(), p.resource());
                    if (p.forbidTwoPrimaries()) {
                        here.drbd().allowTwoPrimaries(p.resource(), false);
                    }
                });
            }
            case DELETE_DRBD -> {
                DeleteDrbd p = step.payload(DeleteDrbd.class);
                StoragePrimitives here = storage.of(step.node());
                yield done(() -> {
                    here.drbd().down(p.resource());
                    here.drbd().wipeMetadata(p.resource());
                    here.drbd().removeResourceFile(p.configDirectory(), p.resource());
                    here.drbd().forgetVerify(p.stateDirectory(), p.resource());
                });
            }
            case GROW_LV -> {
                GrowLv p = step.payload(GrowLv.class);
                yield storage.of(step.node()).lvm().growLogicalVolume(p.volumeGroup(), p.name(), p.bytes(), p.tag())
                        ? "" : "it was already that large";
            }
            case DELETE_LV -> {
                DeleteLv p = step.payload(DeleteLv.class);
                yield storage.of(step.node()).lvm().removeLogicalVolume(p.volumeGroup(), p.name(), p.tag()) ? ""
                        : "it was already gone";
            }
        };
    }

    /**
     * After a define on node: the definition as libvirt now keeps it, saved in the state directory of each node of
     * copies (a replicated vm's pair), for 'mcvirt register'.
     */
    private String saveCopies(String node, String name, Map<String, String> copies, NodePrimitives libvirt)
            throws NodeException {
        if (copies.isEmpty()) {
            return "";
        }
        String xml = libvirt.definition(name).orElseThrow(() -> new NodeException(node, "domain " + name
                + " is not defined after its define", null));
        for (Map.Entry<String, String> copy : copies.entrySet()) {
            storage.of(copy.getKey()).definitions().saveDefinition(copy.getValue(), name, xml);
        }
        return "";
    }

    /** The libvirt connection of another node the step touches. */
    private NodePrimitives libvirt(String node) {
        NodePrimitives other = nodes.get(node);
        if (other == null) {
            throw new IllegalStateException("no connection to node " + node);
        }
        return other;
    }

    /** How long a returning node's resource may take to connect to the survivor's. */
    static final Duration REJOIN_CONNECT_WAIT = Duration.ofSeconds(60);

    /** How long an aborted migration's call may take to return before the rollback goes ahead without it. */
    static final Duration ABORT_WAIT = Duration.ofSeconds(60);

    /**
     * The live migration: two primaries allowed, the target promoted, libvirt's live migration, then the source
     * demoted and two primaries forbidden. Any failure is rolled back to the source (where libvirt leaves the vm
     * running): the target demoted, two primaries forbidden on both nodes, and the failure reported with what was
     * rolled back and what was not.
     *
     * <p>The step's deadline reaches this thread as an interrupt (the executor's): the migration job is then aborted
     * (virDomainAbortJob), the migration call awaited (at most {@link #ABORT_WAIT}) and the same rollback done. The
     * executor keeps both nodes held until this returns.
     */
    private String migrateLive(Step step, MigrateLive migration, NodePrimitives source) throws NodeException {
        String name = migration.name();
        String target = migration.target();
        StoragePrimitives here = storage.of(step.node());
        StoragePrimitives there = storage.of(target);
        Map<String, Integer> resources = migration.resources(); // resource -> minor
        // its persistent definition, read before anything changes: defined on the target right after the move (libvirt's
        // PERSIST_DEST would write it while the vm is still paused, about 100 ms of downtime on the lab)
        String definition = source.definition(name).orElseThrow(() -> new NodeException(step.node(), "domain " + name
                + " is not defined on " + step.node() + ", so it cannot migrate from there; nothing was changed", null));
        String late = "";
        AtomicReference<String> pastDeadline = new AtomicReference<>();
        try {
            for (Map.Entry<String, Integer> r : resources.entrySet()) {
                here.drbd().allowTwoPrimaries(r.getKey(), true);
                there.drbd().promote(r.getValue(), r.getKey());
            }
            late = migrate(step, migration, source, pastDeadline);
        } catch (NodeException | RuntimeException e) {
            // a deadline that came while the resources were being prepared must not stop the rollback's commands
            boolean deadline = Thread.interrupted();
            if (deadline && pastDeadline.get() == null) {
                pastDeadline.set("passed its deadline while it was being prepared (" + e.getMessage() + ")");
            }
            String rollback = rollBack(step.node(), target, name, source, here, there, resources);
            throw new NodeException(step.node(), "the live migration of " + name + " to " + target
                    + (pastDeadline.get() != null ? " " + pastDeadline.get() : " failed: " + e.getMessage()) + "; "
                    + rollback, e);
        }
        if (Thread.interrupted() && late.isEmpty()) {
            // the deadline came just as the migration completed: the source still steps down
            late = "; it completed as its deadline passed";
        }
        // the vm runs on the target, transient there and still defined here: made persistent there first, so that it
        // is never defined on no node; the source's definition goes only once the target has it
        String persisted = persist(step.node(), target, name, definition, source);
        for (Map.Entry<String, Integer> r : resources.entrySet()) {
            here.drbd().demote(r.getValue(), r.getKey());
            here.drbd().allowTwoPrimaries(r.getKey(), false);
        }
        // the vm runs on the target now: what follows is reported, never a failure of the migration
        String note = late + persisted;
        try {
            saveCopies(target, name, migration.copies(), libvirt(target));
        } catch (NodeException e) {
            note += "; the copy of its definition was not saved (the next define saves it): " + e.getMessage();
        }
        String downtime;
        try {
            downtime = there.jobs().completedMigrationDowntime(name);
        } catch (NodeException e) {
            downtime = null;
        }
        return (downtime == null ? "running on " + target : "running on " + target + "; downtime " + downtime
                + " as libvirt reports it") + note;
    }

    /**
     * After a live move: defines the vm on the target with the source's definition (the vm runs there as a transient
     * domain until then), then undefines it on the source. Returns "" or a note of what was left: a failure here is not
     * a failure of the move, and the source keeps its definition unless the target has one.
     */
    private String persist(String source, String target, String name, String definition, NodePrimitives here) {
        try {
            libvirt(target).defineDomain(definition);
        } catch (NodeException | RuntimeException e) {
            return "; its definition could not be made persistent on " + target + " (" + e.getMessage() + "): it runs"
                    + " there as a transient domain and stays defined on " + source + "; the next plan defines it on "
                    + target + " once the manifest puts it there";
        }
        try {
            here.undefineDomain(name);
        } catch (NodeException | RuntimeException e) {
            return "; it is still defined on " + source + " as well (" + e.getMessage() + "); the next plan undefines"
                    + " it there";
        }
        return "";
    }

    /**
     * libvirt's migration call, on a thread of its own so that this thread can hear the deadline (an interrupt) while
     * the native call blocks. Returns a note for a migration that completed although the deadline had passed; when the
     * deadline passed and the migration did not complete, says so in pastDeadline and throws.
     */
    private String migrate(Step step, MigrateLive migration, NodePrimitives source,
                           AtomicReference<String> pastDeadline) throws NodeException {
        String name = migration.name();
        String target = migration.target();
        NodePrimitives targetNode = libvirt(target);
        if (Thread.interrupted()) {
            pastDeadline.set("passed its deadline before libvirt's migration began");
            throw new NodeException(step.node(), pastDeadline.get(), null);
        }
        CompletableFuture<Void> job = new CompletableFuture<>();
        Thread call = new Thread(() -> {
            try {
                source.migrateLive(name, targetNode, migration.migrationUri(), migration.maxDowntimeMs(),
                        migration.autoConverge(), message -> progress.progress(step, message));
                job.complete(null);
            } catch (Throwable e) {
                job.completeExceptionally(e);
            }
        }, "mcvirt-" + step.node() + "-migrate-" + name);
        call.setDaemon(true);
        call.start();
        try {
            job.get();
            return "";
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        } catch (InterruptedException deadline) {
            // the step's deadline passed; the interrupt is consumed here: the rollback that follows must run
            String aborted;
            try {
                source.abortJob(name);
                aborted = "its migration job was aborted";
            } catch (NodeException | RuntimeException e) {
                aborted = "its migration job could not be aborted (" + e.getMessage() + ")";
            }
            try {
                awaitUninterruptibly(job, ABORT_WAIT);
                return "; it completed after its deadline had passed (the abort came too late)";
            } catch (ExecutionException e) {
                pastDeadline.set("passed its deadline; " + aborted + ": " + e.getCause().getMessage());
                throw new NodeException(step.node(), pastDeadline.get(), e.getCause());
            } catch (TimeoutException e) {
                pastDeadline.set("passed its deadline; " + aborted + ", and the migration call had not returned "
                        + Deadline.describe(ABORT_WAIT) + " later");
                throw new NodeException(step.node(), pastDeadline.get(), null);
            }
        }
    }

    private static void awaitUninterruptibly(CompletableFuture<Void> job, Duration limit)
            throws ExecutionException, TimeoutException {
        long until = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                job.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                return;
            } catch (InterruptedException again) {
                // already past the deadline: finish the abort and the rollback
            }
        }
    }

    private static NodeException rethrown(Throwable cause) {
        if (cause instanceof NodeException node) {
            return node;
        }
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException(cause);
    }

    /**
     * Puts the resources back as they were before the migration: the target demoted, and two primaries forbidden on
     * the source and on the target (separately: when one node refuses, or does not answer, the other is still told).
     * Returns what was rolled back, or what was left, and whether libvirt left the vm paused on the source.
     */
    private static String rollBack(String node, String target, String name, NodePrimitives source,
                                   StoragePrimitives here, StoragePrimitives there, Map<String, Integer> resources) {
        List<String> left = new ArrayList<>();
        boolean paused = false;
        try {
            if (!source.domainActive(name)) {
                left.add("the vm is not running on " + node + " any more");
            } else {
                paused = source.domainPaused(name);
            }
        } catch (NodeException | RuntimeException e) {
            left.add("cannot tell whether the vm still runs on " + node + ": " + e.getMessage());
        }
        for (Map.Entry<String, Integer> r : resources.entrySet()) {
            try {
                there.drbd().demote(r.getValue(), r.getKey());
            } catch (NodeException | RuntimeException e) {
                left.add(r.getKey() + " may still be primary on " + target + ": " + e.getMessage());
            }
            try {
                here.drbd().allowTwoPrimaries(r.getKey(), false);
            } catch (NodeException | RuntimeException e) {
                left.add("two primaries may still be allowed for " + r.getKey() + " on " + node + ": "
                        + e.getMessage());
            }
            try {
                there.drbd().allowTwoPrimaries(r.getKey(), false);
            } catch (NodeException | RuntimeException e) {
                left.add("two primaries may still be allowed for " + r.getKey() + " on " + target + ": "
                        + e.getMessage());
            }
        }
        String outcome = left.isEmpty() ? "rolled back: the vm runs on " + node + ", and " + String.join(", ",
                resources.keySet()) + " is primary there only" : "rollback incomplete: " + String.join("; ", left);
        return paused ? outcome + "; the vm is paused on " + node + " (libvirt left it paused): resume it with"
                + " 'virsh resume " + name + "' once its disks are known to be good" : outcome;
    }

    /** The resource file text with the secret where the plan has its placeholder. */
    private static String withSecret(String node, WriteDrbdConfig file) throws NodeException {
        String text = file.text();
        if (!text.contains(Views.SECRET_PLACEHOLDER)) {
            return text;
        }
        DrbdSpec.SecretRef reference = new DrbdSpec.SecretRef(file.secretFile(), file.secretEnv());
        try {
            return text.replace(Views.SECRET_PLACEHOLDER, Secrets.resolve(reference));
        } catch (Secrets.SecretException e) {
            throw new NodeException(node, "cannot write the resource file of " + file.resource()
                    + ": the DRBD secret: " + e.getMessage(), e);
        }
    }

    private interface Primitive {
        void run() throws NodeException;
    }

    /** Runs a primitive that has nothing to add to the progress line. */
    private static String done(Primitive primitive) throws NodeException {
        primitive.run();
        return "";
    }

    /**
     * The rules first and then the access driver, so that libvirtd never checks against rules not yet written; when
     * removing, the driver first and then the rules. After a restart of libvirtd the node's libvirt connection is
     * opened again: the old one died with the daemon.
     */
    private static String configurePermissions(NodePrimitives node, org.mcvirt.node.NodeConfigPrimitives config,
                                               StepPayload.ConfigurePermissions p) throws NodeException {
        StepPayload.ConfigurePermissions.AccessDriver driver = p.accessDriver();
        List<String> done = new ArrayList<>();
        if (p.rules() != null) {
            config.writeRules(p.rulesPath(), p.rules());
            done.add("wrote " + p.rulesPath());
        }
        if (driver != StepPayload.ConfigurePermissions.AccessDriver.KEEP) {
            boolean enable = driver == StepPayload.ConfigurePermissions.AccessDriver.ENABLE;
            boolean restarted;
            try {
                restarted = config.accessDriver(p.libvirtdConf(), enable, p.cluster());
            } catch (NodeException e) {
                // libvirtd may have been restarted (and then again with the old setting) before the failure
                try {
                    node.reconnect();
                } catch (NodeException reconnect) {
                    e.addSuppressed(reconnect);
                }
                throw e;
            }
            done.add((enable ? "set" : "unset") + " libvirtd's polkit access driver"
                    + (restarted ? "; libvirtd restarted, reconnected" : " (it already was)"));
            if (restarted) {
                node.reconnect();
            }
        }
        if (p.rules() == null) {
            config.removeRules(p.rulesPath());
            done.add("removed " + p.rulesPath());
        }
        return String.join("; ", done);
    }
}
