package org.mcvirt.apply;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.Secrets;
import org.mcvirt.node.StoragePrimitives;
import org.mcvirt.render.Views;
import org.mcvirt.node.NodeException;
import org.mcvirt.node.NodePrimitives;
import org.mcvirt.plan.Step;

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
        // a switch expression: a step kind without a case here does not compile
        return switch (step.kind()) {
            case CREATE_POOL -> done(() -> node.createPool(step.argument("name"), step.argument("xml")));
            case START_POOL -> done(() -> node.startPool(step.argument("name")));
            case CREATE_VOLUME -> done(() -> node.createVolume(step.argument("pool"), step.argument("name"),
                    step.argument("xml")));
            case CREATE_NETWORK -> done(() -> node.createNetwork(step.argument("name"), step.argument("xml")));
            case START_NETWORK -> done(() -> node.startNetwork(step.argument("name")));
            case DELETE_NETWORK -> done(() -> node.deleteNetwork(step.argument("name")));
            case DEFINE_DOMAIN -> {
                node.defineDomain(step.argument("xml"));
                yield saveCopies(step, node);
            }
            case MIGRATE_LIVE -> migrateLive(step, node);
            case UNDEFINE_MIGRATED -> {
                String target = step.argument("target");
                java.util.Optional<String> there = libvirt(target).domainUuid(step.argument("name"));
                if (there.isEmpty() || !there.get().equalsIgnoreCase(step.argument("uuid"))) {
                    throw new NodeException(step.node(), "domain " + step.argument("name") + " is not undefined here:"
                            + " node " + target + " does not have it defined" + there.map(u -> " with UUID "
                            + step.argument("uuid") + " (it has " + u + ")").orElse("") + ", so it would be defined"
                            + " on no node", null);
                }
                node.undefineDomain(step.argument("name"));
                yield "";
            }
            case REGISTER_DOMAIN -> {
                String from = step.argument("copyNode");
                String copy = storage.of(from).definitions()
                        .readDefinition(step.argument("copyDirectory"), step.argument("name"))
                        .orElseThrow(() -> new NodeException(from, "the saved definition of domain "
                                + step.argument("name") + " is gone", null));
                if (!sha256(copy).equals(step.argument("sha256"))) {
                    throw new NodeException(from, "the saved definition of domain " + step.argument("name")
                            + " changed since the plan was made; run 'mcvirt plan' again", null);
                }
                node.defineDomain(copy);
                yield saveCopies(step, node);
            }
            case SET_MEMORY_LIVE -> done(() -> node.setLiveMemory(step.argument("name"),
                    Long.parseLong(step.argument("kib"))));
            case ATTACH_DEVICE_LIVE -> done(() -> node.attachDeviceLive(step.argument("name"), step.argument("xml")));
            case DETACH_DEVICE_LIVE -> done(() -> node.detachDeviceLive(step.argument("name"), step.argument("xml")));
            case SET_AUTOSTART -> done(() -> node.setDomainAutostart(step.argument("name"),
                    Boolean.parseBoolean(step.argument("autostart"))));
            case START_DOMAIN -> done(() -> node.startDomain(step.argument("name")));
            case SHUTDOWN_DOMAIN -> node.shutdownDomain(step.argument("name"), shutdownTimeoutSeconds,
                    message -> progress.progress(step, message))
                    ? "the guest did not shut down within " + shutdownTimeoutSeconds + "s; powered off" : "";
            case UNDEFINE_DOMAIN -> {
                node.undefineDomain(step.argument("name"));
                for (Map.Entry<String, String> forget : prefixed(step, "forget.").entrySet()) {
                    storage.of(forget.getKey()).definitions()
                            .forgetDefinition(forget.getValue(), step.argument("name"));
                }
                yield "";
            }
            case DELETE_VOLUME -> done(() -> node.deleteVolume(step.argument("pool"), step.argument("name")));
            case GROW_VOLUME -> node.growVolume(step.argument("pool"), step.argument("name"), step.argument("domain"),
                    step.argument("path"), Long.parseLong(step.argument("bytes")));
            case GROW_DRBD -> {
                long bytes = storage.of(step.node()).drbd().resize(Integer.parseInt(step.argument("minor")),
                        step.argument("resource"), Long.parseLong(step.argument("minimumBytes")));
                yield node.blockResizeIfRunning(step.argument("domain"), step.argument("device"), bytes)
                        ? "grown to " + bytes + " bytes; the running vm sees it" : "grown to " + bytes + " bytes";
            }
            case CREATE_LV, WRITE_DRBD_CONFIG, CREATE_DRBD_METADATA, DRBD_UP, DRBD_INITIAL_SYNC, DRBD_PROMOTE,
                 DRBD_DEMOTE, DELETE_DRBD, DELETE_LV, GROW_LV -> runStorage(step, storage.of(step.node()));
        };
    }

    private String runStorage(Step step, StoragePrimitives node) throws NodeException {
        String resource = step.arguments().get("resource");
        return switch (step.kind()) {
            case CREATE_LV -> node.lvm().createLogicalVolume(step.argument("volumeGroup"), step.argument("name"),
                    Long.parseLong(step.argument("bytes")), step.argument("tag")) ? "" : "it was already there";
            case WRITE_DRBD_CONFIG -> done(() -> node.drbd().writeResourceFile(step.argument("configDirectory"),
                    step.argument("stateDirectory"), resource, withSecret(step)));
            case CREATE_DRBD_METADATA -> node.drbd().createMetadata(resource) ? "" : "its metadata was already there";
            case DRBD_UP -> done(() -> node.drbd().up(resource));
            case DRBD_INITIAL_SYNC -> {
                int minor = Integer.parseInt(step.argument("minor"));
                boolean started = node.drbd().startInitialSync(minor, resource);
                node.drbd().awaitInSync(minor, resource, syncTimeout, message -> progress.progress(step, message));
                yield started ? "in sync" : "its data was already the good copy; in sync";
            }
            case DRBD_PROMOTE -> done(() -> node.drbd().promote(Integer.parseInt(step.argument("minor")), resource));
            case DRBD_DEMOTE -> done(() -> {
                node.drbd().demote(Integer.parseInt(step.argument("minor")), resource);
                if (step.arguments().containsKey("forbidTwoPrimaries")) {
                    node.drbd().allowTwoPrimaries(resource, false);
                }
            });
            case DELETE_DRBD -> done(() -> {
                node.drbd().down(resource);
                node.drbd().wipeMetadata(resource);
                node.drbd().removeResourceFile(step.argument("configDirectory"), resource);
                String state = step.arguments().get("stateDirectory");
                if (state != null) { // plans saved before it was an argument
                    node.drbd().forgetVerify(state, resource);
                }
            });
            case GROW_LV -> node.lvm().growLogicalVolume(step.argument("volumeGroup"), step.argument("name"),
                    Long.parseLong(step.argument("bytes")), step.argument("tag")) ? "" : "it was already that large";
            case DELETE_LV -> node.lvm().removeLogicalVolume(step.argument("volumeGroup"), step.argument("name"),
                    step.argument("tag")) ? "" : "it was already gone";
            case CREATE_POOL, START_POOL, CREATE_VOLUME, CREATE_NETWORK, START_NETWORK, DELETE_NETWORK, DEFINE_DOMAIN,
                 SET_MEMORY_LIVE, ATTACH_DEVICE_LIVE, DETACH_DEVICE_LIVE, SET_AUTOSTART, START_DOMAIN, SHUTDOWN_DOMAIN,
                 UNDEFINE_DOMAIN, DELETE_VOLUME, GROW_VOLUME, GROW_DRBD, MIGRATE_LIVE, UNDEFINE_MIGRATED,
                 REGISTER_DOMAIN ->
                    throw new IllegalStateException(step.kind() + " is not a storage step");
        };
    }

    /** The step's arguments that start with prefix, by the rest of their name (a node), in name order. */
    private static Map<String, String> prefixed(Step step, String prefix) {
        Map<String, String> found = new java.util.TreeMap<>();
        step.arguments().forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                found.put(key.substring(prefix.length()), value);
            }
        });
        return found;
    }

    /**
     * After a define: the definition as libvirt now keeps it, saved in the state directory of each node the step
     * names ({@code copy.NODE}: a replicated vm's pair), for 'mcvirt register'.
     */
    private String saveCopies(Step step, NodePrimitives node) throws NodeException {
        Map<String, String> copies = prefixed(step, "copy.");
        if (copies.isEmpty()) {
            return "";
        }
        String name = step.argument("name");
        String xml = node.definition(name).orElseThrow(() -> new NodeException(step.node(), "domain " + name
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

    /**
     * The live migration: two primaries allowed, the target promoted, libvirt's live migration, then the source
     * demoted and two primaries forbidden. Any failure is rolled back to the source (where libvirt leaves the vm
     * running): the target demoted, two primaries forbidden, and the failure reported with what was rolled back.
     */
    private String migrateLive(Step step, NodePrimitives source) throws NodeException {
        String name = step.argument("name");
        String target = step.argument("target");
        StoragePrimitives here = storage.of(step.node());
        StoragePrimitives there = storage.of(target);
        Map<String, String> resources = prefixed(step, "resource."); // resource -> minor
        try {
            for (Map.Entry<String, String> r : resources.entrySet()) {
                here.drbd().allowTwoPrimaries(r.getKey(), true);
                there.drbd().promote(Integer.parseInt(r.getValue()), r.getKey());
            }
            source.migrateLive(name, libvirt(target), step.argument("migrationUri"),
                    message -> progress.progress(step, message));
        } catch (NodeException | RuntimeException e) {
            String rollback = rollBack(step, source, here, there, resources);
            throw new NodeException(step.node(), "the live migration of " + name + " to " + target + " failed: "
                    + e.getMessage() + "; " + rollback, e);
        }
        for (Map.Entry<String, String> r : resources.entrySet()) {
            here.drbd().demote(Integer.parseInt(r.getValue()), r.getKey());
            here.drbd().allowTwoPrimaries(r.getKey(), false);
        }
        // the vm runs on the target now: what follows is reported, never a failure of the migration
        String note = "";
        try {
            saveCopies(new Step(step.id(), step.kind(), target, step.subject(), step.uses(), step.change(),
                    step.description(), step.arguments(), step.dependsOn(), step.peers()), libvirt(target));
        } catch (NodeException e) {
            note = "; the copy of its definition was not saved (the next define saves it): " + e.getMessage();
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

    private static String rollBack(Step step, NodePrimitives source, StoragePrimitives here, StoragePrimitives there,
                                   Map<String, String> resources) {
        List<String> left = new java.util.ArrayList<>();
        try {
            if (!source.domainActive(step.argument("name"))) {
                left.add("the vm is not running on " + step.node() + " any more");
            }
        } catch (NodeException e) {
            left.add("cannot tell whether the vm still runs on " + step.node() + ": " + e.getMessage());
        }
        for (Map.Entry<String, String> r : resources.entrySet()) {
            try {
                there.drbd().demote(Integer.parseInt(r.getValue()), r.getKey());
                here.drbd().allowTwoPrimaries(r.getKey(), false);
            } catch (NodeException | RuntimeException e) {
                left.add(r.getKey() + " may still be primary on both nodes: " + e.getMessage());
            }
        }
        return left.isEmpty() ? "rolled back: the vm runs on " + step.node() + ", and " + String.join(", ",
                resources.keySet()) + " is primary there only" : "rollback incomplete: " + String.join("; ", left);
    }

    /** The resource file text with the secret where the plan has its placeholder. */
    private static String withSecret(Step step) throws NodeException {
        String text = step.argument("text");
        if (!text.contains(Views.SECRET_PLACEHOLDER)) {
            return text;
        }
        DrbdSpec.SecretRef reference = new DrbdSpec.SecretRef(step.arguments().get("secretFile"),
                step.arguments().get("secretEnv"));
        try {
            return text.replace(Views.SECRET_PLACEHOLDER, Secrets.resolve(reference));
        } catch (Secrets.SecretException e) {
            throw new NodeException(step.node(), "cannot write the resource file of " + step.argument("resource")
                    + ": the DRBD secret: " + e.getMessage(), e);
        }
    }

    private interface Primitive {
        void run() throws NodeException;
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a primitive that has nothing to add to the progress line. */
    private static String done(Primitive primitive) throws NodeException {
        primitive.run();
        return "";
    }
}
