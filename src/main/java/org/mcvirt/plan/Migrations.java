package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.MigrationSpec;
import org.mcvirt.model.Names;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.node.StateDirectory;
import org.mcvirt.state.DiskHealth;
import org.mcvirt.state.FailoverRecord;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedState;

/**
 * A vm that is not where the manifest puts it: moved between the two nodes of its DRBD pair (offline or live),
 * a migration that stopped part-way completed, or a vm defined on no node registered again from mcvirt's saved copy
 * of its definition.
 *
 * <p>Offline: shut down on the source, demote there, promote on the target, define there (the source's definition,
 * unchanged), undefine on the source once the target has it, then start when the manifest says running. At no moment
 * is the vm defined on no node, or defined on both while its disks are primary on both. Every step is planned from
 * what is observed, so a migration killed at any step boundary is completed by the next plan.
 *
 * <p>Live: one step on both nodes ({@link StepKind#MIGRATE_LIVE}), with dual-primary on only while it runs.
 */
final class Migrations {
    private final DesiredState desired;
    private final ObservedState observed;
    private final Planner.Options options;
    private final boolean skipNetworkCheck;

    Migrations(DesiredState desired, ObservedState observed, Planner.Options options) {
        this.desired = desired;
        this.observed = observed;
        this.options = options;
        this.skipNetworkCheck = options.skipMigrationNetworkCheck();
    }

    private String network(String manifestName) {
        return Names.networkName(desired.cluster().name(), manifestName);
    }

    private static String stateDirectory(DesiredState desired, String node) {
        return desired.node(node).map(NodeSpec::stateDirectory).orElse("/var/lib/mcvirt");
    }

    /**
     * Where each node of the pair keeps a copy of a definition: node -> state directory, in node order; not a node
     * declared offline (never contacted).
     */
    static Map<String, String> copies(DesiredState desired, List<String> pair) {
        Map<String, String> copies = new TreeMap<>();
        contacted(desired, pair).forEach(n -> copies.put(n, stateDirectory(desired, n)));
        return copies;
    }

    /** The nodes of a pair that mcvirt contacts: all but those the manifest declares offline. */
    static List<String> contacted(DesiredState desired, List<String> pair) {
        return pair.stream().filter(n -> desired.node(n).map(NodeSpec::contacted).orElse(true)).toList();
    }

    /** The role of one side of a resource, or null when it is not up there. */
    private String role(String node, String resource) {
        return observed.node(node).map(NodeObservation::drbd).map(d -> d.resource(resource))
                .filter(l -> !l.isEmpty()).map(l -> l.get(0).role()).orElse(null);
    }

    /**
     * Plans moving vm from source (where its domain is) to target (where the manifest puts it); refuses with a problem
     * when a precondition fails.
     */
    void migrate(VmSpec vm, NodeSpec target, NodeObservation targetObs, NodeObservation sourceObs,
                 ObservedDomain domain, Diff.Builder diff) {
        String source = sourceObs.node();
        String name = vm.name();
        String move = "vm " + name + " is on node " + source + " and the manifest puts it on " + target.name();
        VmMetadata meta = domain.metadata();
        List<VmMetadata.Disk> disks = meta.disks();
        List<String> refused = new ArrayList<>();
        if (disks.isEmpty() || disks.stream().anyMatch(d -> !d.replicated())) {
            refused.add("only a vm whose disks are all replicated between the two nodes can move"
                    + disks.stream().filter(d -> !d.replicated()).map(d -> " (disk " + d.name() + " is "
                    + d.source() + " on " + source + " only)").findFirst().orElse(disks.isEmpty() ? " (it has no disk)"
                    : ""));
        } else {
            List<String> pair = meta.pair().isEmpty() ? vm.pair() : meta.pair();
            if (!pair.contains(target.name()) || !pair.contains(source)) {
                refused.add("its disks are replicated between " + String.join(" and ", pair) + ", so it can move only"
                        + " between those nodes");
            }
        }
        if (domain.definition() != null && (domain.definition().contains("<nvram")
                || domain.definition().contains("<loader") && domain.definition().contains("type='pflash'"))) {
            refused.add("it keeps UEFI variables (nvram) on " + source + ", which mcvirt does not copy");
        }
        List<String> recorded = disks.stream().map(VmMetadata.Disk::name).sorted().toList();
        List<String> wanted = vm.disks().stream().map(VmSpec.DiskSpec::name).sorted().toList();
        if (!recorded.equals(wanted)) {
            refused.add("its disks change too (" + recorded + " -> " + wanted + "): change them in a plan of their"
                    + " own, before or after the move");
        }
        List<String> syncing = new ArrayList<>();
        for (DiskHealth.Finding finding : DiskHealth.of(observed, desired.cluster().name(), name)) {
            (finding.kind() == DiskHealth.Kind.SYNCING ? syncing : refused).add(unhealthy(finding));
        }
        if (refused.isEmpty() && !syncing.isEmpty()) {
            // a resync runs (a node back after a failover, or a disk replaced): the move waits for it, nothing fails
            diff.problem(PlanFinding.Code.MOVE_DEFERRED, PlanFinding.Subject.vm(name, target.name()), move
                    + "; it moves once its disks are in sync: " + String.join("; ", syncing));
            return;
        }
        refused.addAll(syncing);
        boolean live = domain.active() && vm.state() == VmSpec.PowerState.RUNNING
                && (vm.migration() == VmSpec.Migration.LIVE || options.live());
        boolean runsThere = vm.state() == VmSpec.PowerState.RUNNING;
        if (!skipNetworkCheck) {
            for (VmSpec.NicSpec nic : vm.nics()) {
                String net = network(nic.network());
                boolean present = targetObs.network(net).filter(n -> n.active()).isPresent();
                boolean planned = options.includesInfrastructure()
                        && desired.networks().stream().anyMatch(n -> n.name().equals(nic.network()));
                if (!present && !planned) {
                    refused.add("node " + target.name() + " has no active network " + net + " for its nic " + nic.mac());
                }
            }
        }
        Optional<String> seed = domain.definition() == null ? Optional.empty()
                : DomainEditor.seedSource(domain.definition(), name);
        // the target needs the seed the vm's CD-ROM names: written there first when the manifest still makes that seed
        org.mcvirt.model.CloudInitSeed seedToWrite = null;
        if (seed.isPresent() && targetObs.pools().stream().flatMap(p -> p.volumes().stream())
                .noneMatch(v -> seed.get().equals(v.path()))) {
            org.mcvirt.model.CloudInitSeed manifests = vm.cloudInit() == null || domain.uuid() == null ? null
                    : org.mcvirt.model.CloudInitSeed.of(vm, domain.uuid());
            boolean same = manifests != null && seed.get().endsWith("/" + manifests.volumeName(name))
                    && target.storage(vm.cloudInit().storage()).isPresent();
            if (same) {
                seedToWrite = manifests;
            } else {
                refused.add("node " + target.name() + " does not have its cloud-init seed " + seed.get() + " (its"
                        + " CD-ROM), and the manifest's seed differs from it: change the seed in a plan of its own,"
                        + " before the move");
            }
        }
        Optional<String> iso = domain.definition() == null ? Optional.empty()
                : DomainEditor.isoSource(domain.definition());
        // the target needs the ISO the vm's CD-ROM names: this plan uploads it there first when it is the manifest's
        String isoUpload = null;
        if (iso.isPresent() && targetObs.pools().stream().flatMap(p -> p.volumes().stream())
                .noneMatch(v -> iso.get().equals(v.path()))) {
            Optional<org.mcvirt.model.IsoSpec> spec = Optional.ofNullable(vm.cdrom()).flatMap(desired::iso);
            Optional<org.mcvirt.model.StorageSpec> storage = spec.flatMap(s -> target.storage(s.storage()));
            if (options.includesInfrastructure() && spec.isPresent() && storage.isPresent()
                    && iso.get().equals(storage.get().path() + "/" + spec.get().volumeName())) {
                isoUpload = Subjects.volume(target.name(), org.mcvirt.model.Names.poolName(desired.cluster().name(),
                        storage.get().name()), spec.get().volumeName());
            } else {
                refused.add("node " + target.name() + " does not have its installer ISO " + iso.get() + " (its"
                        + " CD-ROM): apply the manifest with the vm where it is first (it uploads the ISO to every node"
                        + " of the vm's pair), or eject it (remove 'cdrom')");
            }
        }
        if (runsThere && targetObs.freeMemoryBytes() != null && targetObs.freeMemoryBytes() < vm.memoryBytes()) {
            refused.add("node " + target.name() + " has " + Sizes.format(targetObs.freeMemoryBytes())
                    + " of memory available and the vm needs " + Sizes.format(vm.memoryBytes()));
        }
        if (!refused.isEmpty()) {
            refused.forEach(r -> diff.problem(PlanFinding.Code.MIGRATION_REFUSED, PlanFinding.Subject.vm(name,
                    target.name()), move + "; it cannot move: " + r));
            return;
        }
        String address = "vm." + name;
        String from = Subjects.domain(source, name);
        String to = Subjects.domain(target.name(), name);
        List<String> networks = new ArrayList<>(vm.nics().stream().map(n -> Subjects.network(target.name(),
                network(n.network()))).distinct().toList());
        // what the target's definition names that this plan puts there first: the ISO (ImageDiffer's upload), the seed
        List<String> files = new ArrayList<>();
        if (isoUpload != null) {
            files.add(isoUpload);
        }
        if (seedToWrite != null) {
            files.addAll(VmDiffer.seed(desired, vm, seedToWrite, List.of(target.name()), address, diff).values());
        }
        networks.addAll(files);
        List<AttributeChange> attributes = new ArrayList<>();
        attributes.add(new AttributeChange("node", source, target.name(), Effect.LIVE));
        attributes.add(new AttributeChange("mode", null, live ? "live" : "offline", Effect.LIVE));
        if (domain.active() != runsThere) {
            attributes.add(new AttributeChange("state", domain.runState(), runsThere ? "running" : "stopped",
                    Effect.LIVE));
        }
        String how;
        if (live) {
            Map<String, Integer> resources = new TreeMap<>();
            disks.forEach(d -> resources.put(d.resource(), d.minor()));
            MigrationSpec settings = desired.cluster().migration();
            StepPayload.MigrateLive migration = new StepPayload.MigrateLive(name, target.name(),
                    "tcp://" + migrationAddress(target), resources, copies(desired, List.of(source, target.name())),
                    settings.maxDowntimeMs(), settings.autoConverge());
            List<String> uses = new ArrayList<>(networks);
            diff.step(source, List.of(target.name()), from, uses, address,
                    "migrate domain " + name + " live from " + source + " to " + target.name() + " (dual-primary on "
                            + String.join(", ", migration.resources().keySet()) + " only while it runs; paused at"
                            + " most " + settings.maxDowntimeMs() + " ms" + (settings.autoConverge()
                            ? ", auto-converge" : "") + ")", migration);
            how = "live: it keeps running; its disks are primary on both nodes only during the migration";
        } else {
            offline(vm, target.name(), source, domain, disks, address, from, to, networks, files, diff);
            how = "offline: " + (domain.active() ? "shut down on " + source + " (powered off after apply's"
                    + " --shutdown-timeout), " : "") + "moved, " + (runsThere ? "then started on " + target.name()
                    : "left stopped");
        }
        if (vm.libvirtAutostart()) {
            diff.step(target.name(), to, List.of(from), address,
                    "enable autostart of domain " + name + " on " + target.name(),
                    new StepPayload.SetAutostart(name, true));
        }
        boolean serviced = desired.node(source).filter(n -> n.state() == NodeSpec.State.MAINTENANCE).isPresent();
        diff.change(new ResourceChange(address, ChangeKind.VM, name, target.name(), Action.MIGRATE, attributes,
                (serviced ? source + " is in maintenance, so the vm moves to its peer " + target.name()
                        : "the manifest moves it from " + source + " to " + target.name()) + "; " + how
                        + "; any other change to it is planned once it is there"));
    }

    /** Why a disk's health stops a move, a register or a promote on the vm's node (the checks of a migration). */
    private static String unhealthy(DiskHealth.Finding finding) {
        return finding.kind() == DiskHealth.Kind.VERIFY_MARK || finding.kind() == DiskHealth.Kind.VERIFY_FAILED
                ? "its last verify did not pass: " + finding.text() : "its disks are not UpToDate and Connected on"
                + " both nodes: " + finding.text();
    }

    /**
     * A problem for each health finding of a vm's disks, about a register or a promote on its node that is therefore
     * not planned; true when there was one. With a StandAlone or Outdated pair, the copy on the vm's node may be the
     * stale one: promoting and starting it there would run the vm on it.
     */
    private static boolean refusedForHealth(List<DiskHealth.Finding> findings, String vm, String node, String what,
                                            Diff.Builder diff) {
        for (DiskHealth.Finding finding : findings) {
            diff.problem(PlanFinding.Code.DISK_NOT_HEALTHY, PlanFinding.Subject.vm(vm, node), "vm " + vm + " is not "
                    + what + ": " + unhealthy(finding));
        }
        return !findings.isEmpty();
    }

    private static String migrationAddress(NodeSpec target) {
        return target.clusterIp() != null ? target.clusterIp() : target.drbdIp() != null ? target.drbdIp()
                : target.address();
    }

    private void offline(VmSpec vm, String target, String source, ObservedDomain domain, List<VmMetadata.Disk> disks,
                         String address, String from, String to, List<String> networks, List<String> files,
                         Diff.Builder diff) {
        String name = vm.name();
        if (domain.active()) {
            diff.step(source, from, List.of(), address, "shut down domain " + name
                    + " on " + source + " to move it to " + target, new StepPayload.ShutdownDomain(name));
        }
        List<String> targetSides = new ArrayList<>();
        // the target defines the vm only once the source has stopped it and stepped down
        List<String> defineUses = new ArrayList<>(List.of(from));
        for (VmMetadata.Disk disk : disks) {
            String resource = disk.resource();
            int minor = disk.minor();
            String sourceSide = Subjects.drbd(source, resource);
            String targetSide = Subjects.drbd(target, resource);
            targetSides.add(targetSide);
            defineUses.add(sourceSide);
            String sourceRole = role(source, resource);
            boolean targetPrimary = "Primary".equals(role(target, resource));
            if (targetPrimary && (domain.active() || "Primary".equals(sourceRole))) {
                // primary on both (a live migration stopped part-way): the target steps down first, and takes over
                // again only once the source has stopped and stepped down
                diff.step(target, targetSide, List.of(), address, "make " + resource
                        + " secondary on " + target + " and forbid two primaries (it is primary on both nodes)",
                        new StepPayload.DrbdDemote(resource, minor, true));
                targetPrimary = false;
            }
            if (!"Secondary".equals(sourceRole)) {
                diff.step(source, sourceSide, List.of(from), address, "make " + resource
                        + " secondary on " + source, new StepPayload.DrbdDemote(resource, minor, false));
            }
            if (!targetPrimary) {
                diff.step(target, targetSide, List.of(sourceSide), address, "make " + resource
                        + " primary on " + target, new StepPayload.DrbdPromote(resource, minor));
            }
        }
        defineUses.addAll(targetSides);
        defineUses.addAll(files);
        StepPayload.DefineDomain define = new StepPayload.DefineDomain(name, domain.definition(),
                copies(desired, List.of(source, target)));
        diff.step(target, List.of(source), to, defineUses, address, "define domain " + name
                + " on " + target + " (its definition from " + source + ")", define);
        undefineSource(name, source, target, domain, address, diff);
        if (vm.state() == VmSpec.PowerState.RUNNING) {
            List<String> uses = new ArrayList<>(networks);
            uses.addAll(targetSides);
            diff.step(target, to, uses, address, "start domain " + name + " on " + target,
                    new StepPayload.StartDomain(name));
        }
    }

    private static void undefineSource(String name, String source, String target, ObservedDomain domain,
                                       String address, Diff.Builder diff) {
        diff.step(source, List.of(target), Subjects.domain(source, name),
                List.of(Subjects.domain(target, name)), address, "undefine domain " + name + " on " + source
                        + " (checked first: " + target + " has it, UUID " + domain.uuid() + ")",
                new StepPayload.UndefineMigrated(name, target, domain.uuid()));
    }

    /**
     * The vm is defined where the manifest puts it and also, managed, on other: what a migration that stopped between
     * defining on the target and undefining on the source leaves. Completes it, or refuses when the copy on other
     * runs.
     */
    void leftover(VmSpec vm, String node, ObservedDomain here, NodeObservation other, ObservedDomain there,
                  Diff.Builder diff) {
        String name = vm.name();
        if (there.active() && !there.persistent() && !here.active()) {
            // a live move to other finished, but its definition was not made persistent there (the step said so)
            diff.problem(PlanFinding.Code.DEFINED_TWICE, PlanFinding.Subject.vm(name, node), "vm " + name
                    + " runs on " + other.node() + " as a transient domain (a live move there finished without its"
                    + " definition being made persistent) and is defined, not running, on " + node + "; put it on "
                    + other.node() + " in the manifest (node: " + other.node() + ") and plan again: mcvirt defines it"
                    + " there and undefines it on " + node);
            return;
        }
        if (there.active()) {
            diff.problem(PlanFinding.Code.DEFINED_TWICE, PlanFinding.Subject.vm(name, node), "vm " + name
                    + " is defined on both " + node + " and " + other.node() + ", and runs on "
                    + other.node() + (here.active() ? " and on " + node + " (both may be writing its disks: check"
                    + " them now)" : "") + "; shut it down on " + other.node() + " ('virsh shutdown " + name
                    + "'), then plan again: mcvirt completes the move to " + node);
            return;
        }
        if (!there.uuid().equalsIgnoreCase(here.uuid())) {
            diff.problem(PlanFinding.Code.DEFINED_TWICE, PlanFinding.Subject.vm(name, node), "vm " + name
                    + " is defined on both " + node + " and " + other.node() + " with different"
                    + " UUIDs (" + here.uuid() + ", " + there.uuid() + "); mcvirt does not choose: undefine the wrong"
                    + " one by hand");
            return;
        }
        String address = "vm." + name;
        for (VmMetadata.Disk disk : there.metadata().disks()) {
            if (disk.replicated() && "Primary".equals(role(other.node(), disk.resource()))) {
                diff.step(other.node(), Subjects.drbd(other.node(), disk.resource()),
                        List.of(Subjects.domain(other.node(), name)), address, "make " + disk.resource()
                                + " secondary on " + other.node(), new StepPayload.DrbdDemote(disk.resource(),
                                disk.minor(), false));
            }
        }
        if (!here.persistent()) {
            // it runs here as a transient domain: defined here (the other node's definition) before that one goes
            diff.step(node, List.of(other.node()), Subjects.domain(node, name), List.of(), address, "define domain "
                    + name + " on " + node + " (it runs there as a transient domain; its definition from "
                    + other.node() + ")", new StepPayload.DefineDomain(name, there.definition(),
                    copies(desired, List.of(other.node(), node))));
        }
        undefineSource(name, other.node(), node, there, address, diff);
        String why = here.persistent()
                ? "it is defined on both nodes (a move between them stopped part-way); the manifest puts it on " + node
                        + ", so the copy on " + other.node() + " is undefined"
                : "it runs on " + node + " as a transient domain and is defined on " + other.node() + " (a live move"
                        + " finished part-way); the manifest puts it on " + node + ", so it is defined on " + node
                        + " and the copy on " + other.node() + " is undefined";
        diff.change(new ResourceChange(address, ChangeKind.VM, name, node, Action.MIGRATE, List.of(new AttributeChange("node",
                other.node() + " and " + node, node, Effect.LIVE)), why));
    }

    /**
     * The vm is defined on its node, but a replicated disk is Secondary there: what a migration stopped part-way and
     * rolled back by the manifest leaves (or a demote by hand). The disk is made primary here again, once the peer has
     * stepped down (a start uses the disk, so it waits for this).
     */
    void primaryHere(VmSpec vm, String node, ObservedDomain domain, Diff.Builder diff) {
        if (domain.metadata() == null) {
            return;
        }
        Optional<String> peer = vm.peer();
        List<AttributeChange> attributes = new ArrayList<>();
        List<VmMetadata.Disk> promoted = domain.metadata().disks().stream().filter(d -> d.replicated()
                && ("Secondary".equals(role(node, d.resource())) || Replicas.comesUp(desired, observed, node, d)))
                .toList();
        if (!promoted.isEmpty() && refusedForHealth(DiskHealth.of(observed, desired.cluster().name(), vm.name())
                .stream().filter(f -> !mendedByBringUp(domain.metadata(), f)).toList(), vm.name(), node, "made primary on its node "
                + node, diff)) {
            return;
        }
        boolean afterReboot = false;
        for (VmMetadata.Disk disk : promoted) {
            boolean comesUp = role(node, disk.resource()) == null;
            afterReboot |= comesUp;
            List<String> uses = peer.map(p -> List.of(Subjects.drbd(p, disk.resource()))).orElse(List.of());
            attributes.add(new AttributeChange("disk." + disk.name() + ".primary", peer.filter(p -> "Primary".equals(
                    role(p, disk.resource()))).orElse("none"), node, Effect.LIVE));
            diff.step(node, Subjects.drbd(node, disk.resource()), uses, "vm." + vm.name(),
                    "make " + disk.resource() + " primary on " + node + " (the vm's node" + (comesUp ? "; once it is"
                            + " up and its copy UpToDate" : "") + ")",
                    new StepPayload.DrbdPromote(disk.resource(), disk.minor()));
        }
        if (!attributes.isEmpty()) {
            diff.change(new ResourceChange("vm." + vm.name() + ".primary", ChangeKind.VM, vm.name(), node, Action.UPDATE,
                    attributes, "its disks are not primary on its node " + node + (afterReboot ? " (not up there: the"
                            + " node rebooted or lost power): they are made primary there once up and UpToDate"
                            : " (a move stopped part-way and undone, or a demote by hand): they are made primary there"
                            + " again")));
        }
    }

    /**
     * Whether a health finding about one of the disks of a vm's mark is what the plan's own bring-up of a side mends
     * ({@link Replicas#comesUp}): that side not up, or the other side of the same resource waiting for it
     * (WFConnection, nothing worse). Such a finding does not stop a promote on the vm's node: the promote step makes
     * primary only a copy that is UpToDate once connected (node.DrbdNode#promote), never with --force.
     */
    private boolean mendedByBringUp(VmMetadata meta, DiskHealth.Finding finding) {
        Optional<VmMetadata.Disk> disk = meta.disks().stream().filter(d -> d.replicated()
                && d.resource().equals(finding.resource())).findFirst();
        if (finding.node() == null || disk.isEmpty()) {
            return false;
        }
        return switch (finding.kind()) {
            case NOT_UP -> Replicas.comesUp(desired, observed, finding.node(), disk.get());
            case DISCONNECTED -> side(observed, finding.node(), finding.resource())
                    .filter(s -> "WFConnection".equals(s.connectionState())).isPresent()
                    && meta.pair().stream().filter(n -> !n.equals(finding.node()))
                    .anyMatch(n -> Replicas.comesUp(desired, observed, n, disk.get()));
            case STANDALONE, DEGRADED, SYNCING, OUT_OF_SYNC, VERIFY_MARK, VERIFY_FAILED -> false;
        };
    }

    /**
     * The vm is defined on its node only, but a disk is primary on the peer too, or still allows two primaries: what
     * a live migration killed before its last step leaves. The peer is demoted and two primaries forbidden again.
     */
    void singlePrimary(VmSpec vm, String node, ObservedDomain domain, Diff.Builder diff) {
        Optional<String> peer = vm.peer();
        if (peer.isEmpty() || domain.metadata() == null) {
            return;
        }
        String address = "vm." + vm.name();
        List<AttributeChange> attributes = new ArrayList<>();
        for (VmMetadata.Disk disk : domain.metadata().disks()) {
            if (!disk.replicated()) {
                continue;
            }
            String resource = disk.resource();
            boolean peerPrimary = "Primary".equals(role(peer.get(), resource));
            boolean twoAllowed = List.of(node, peer.get()).stream().map(observed::node).flatMap(Optional::stream)
                    .map(o -> o.drbd().resource(resource)).filter(l -> !l.isEmpty())
                    .anyMatch(l -> "yes".equals(l.get(0).netOptions().get("allow-two-primaries")));
            if (!peerPrimary && !twoAllowed) {
                continue;
            }
            attributes.add(new AttributeChange("disk." + disk.name() + ".primary", peerPrimary ? node + " and "
                    + peer.get() : node + " (two primaries allowed)", node, Effect.LIVE));
            diff.step(peer.get(), Subjects.drbd(peer.get(), resource), List.of(), address,
                    "make " + resource + " secondary on " + peer.get() + " and forbid two primaries",
                    new StepPayload.DrbdDemote(resource, disk.minor(), true));
        }
        if (!attributes.isEmpty()) {
            diff.change(new ResourceChange(address + ".disks", ChangeKind.VM, vm.name(), node, Action.UPDATE, attributes,
                    "its disks are primary on " + peer.get() + " too, or allow two primaries: a live migration"
                            + " stopped part-way; " + peer.get() + " is made secondary"));
        }
    }

    /** The node of the vm's pair with a saved copy of its definition: its own first, then the others by name. */
    private static Optional<NodeObservation> copyNode(VmSpec vm, String node, ObservedState observed) {
        return vm.pair().stream().sorted((a, b) -> a.equals(node) ? -1 : b.equals(node) ? 1 : a.compareTo(b))
                .map(observed::node).flatMap(Optional::stream)
                .filter(o -> o.reachable() && o.savedDefinitions().containsKey(vm.name())).findFirst();
    }

    /** The side of a replicated disk's resource on a node, if it is up there. */
    private static Optional<ObservedDrbd.Resource> side(ObservedState observed, String node, String resource) {
        return observed.node(node).map(NodeObservation::drbd).map(d -> d.resource(resource))
                .filter(l -> !l.isEmpty()).map(l -> l.get(0));
    }

    /**
     * Whether a vm defined on no node can be registered on its node again: it has replicated disks, a node of its
     * pair has a saved copy of its definition, and every replicated disk is up on its node (otherwise it is a
     * creation, or a problem the differs report).
     */
    static boolean registrable(VmSpec vm, String node, ObservedState observed) {
        return vm.replicated() && copyNode(vm, node, observed).isPresent() && vm.disks().stream()
                .filter(VmSpec.DiskSpec::replicated)
                .allMatch(d -> side(observed, node, DrbdAllocation.resourceName(vm.name(), d.name())).isPresent());
    }

    /**
     * The vm is defined on no node and {@link #registrable}: plans registering it on its node from the saved copy of
     * its definition, its disks made primary there first.
     */
    void register(VmSpec vm, NodeSpec node, Diff.Builder diff) {
        NodeObservation from = copyNode(vm, node.name(), observed).orElseThrow();
        String name = vm.name();
        String address = "vm." + name;
        String to = Subjects.domain(node.name(), name);
        List<String> sides = new ArrayList<>();
        List<String> primaryElsewhere = new ArrayList<>();
        Optional<String> peer = vm.peer();
        List<VmMetadata.Disk> replicated = vm.disks().stream().filter(VmSpec.DiskSpec::replicated)
                .map(d -> new VmMetadata.Disk(d.name(), d.storage(), "", "", DrbdAllocation.resourceName(name,
                        d.name()), null, null)).toList();
        if (refusedForHealth(DiskHealth.ofDisks(observed, name, node.name(), vm.pair(), replicated), name, node.name(),
                "registered on " + node.name() + " from mcvirt's saved copy of its definition", diff)) {
            return;
        }
        for (VmSpec.DiskSpec disk : vm.disks()) {
            if (!disk.replicated()) {
                continue;
            }
            String resource = DrbdAllocation.resourceName(vm.name(), disk.name());
            ObservedDrbd.Resource side = side(observed, node.name(), resource).orElseThrow();
            int minor = side.minor();
            String targetSide = Subjects.drbd(node.name(), resource);
            sides.add(targetSide);
            List<String> uses = new ArrayList<>();
            if (peer.isPresent() && "Primary".equals(role(peer.get(), resource))) {
                primaryElsewhere.add(resource);
                String peerSide = Subjects.drbd(peer.get(), resource);
                uses.add(peerSide);
                sides.add(peerSide);
                diff.step(peer.get(), peerSide, List.of(), address, "make " + resource
                        + " secondary on " + peer.get(), new StepPayload.DrbdDemote(resource, minor, false));
            }
            if (!"Primary".equals(side.role())) {
                diff.step(node.name(), targetSide, uses, address, "make " + resource
                        + " primary on " + node.name(), new StepPayload.DrbdPromote(resource, minor));
            }
        }
        StepPayload.RegisterDomain arguments = new StepPayload.RegisterDomain(name, from.node(),
                stateDirectory(desired, from.node()), from.savedDefinitions().get(name), copies(desired, vm.pair()));
        diff.step(node.name(), contacted(desired, vm.pair()), to, sides, address, "define domain " + name
                + " on " + node.name() + " from mcvirt's saved copy of its definition (on " + from.node() + ")",
                arguments);
        if (vm.libvirtAutostart()) {
            diff.step(node.name(), to, List.of(), address, "enable autostart of domain "
                    + name, new StepPayload.SetAutostart(name, true));
        }
        if (vm.state() == VmSpec.PowerState.RUNNING) {
            List<String> uses = new ArrayList<>(vm.nics().stream().map(n -> Subjects.network(node.name(),
                    network(n.network()))).toList());
            uses.addAll(sides);
            diff.step(node.name(), to, uses, address, "start domain " + name,
                    new StepPayload.StartDomain(name));
        }
        List<AttributeChange> attributes = new ArrayList<>();
        attributes.add(new AttributeChange("defined", "nowhere", node.name(), Effect.LIVE));
        attributes.add(new AttributeChange("state", null, vm.state().name().toLowerCase(Locale.ROOT), Effect.LIVE));
        diff.change(new ResourceChange(address, ChangeKind.VM, name, node.name(), Action.CREATE, attributes,
                "vm " + name + " is defined on no node" + (primaryElsewhere.isEmpty() ? "" : "; its disks are primary"
                        + " on " + peer.orElse("?")) + ": registered again from mcvirt's saved copy of its definition"
                        + " (its disks are kept)"));
    }

    /**
     * What a failover onto node still lacks (for the problem of a {@link Placement.Kind#FAILOVER_BLOCKED} vm): mcvirt's
     * saved copy of its definition there, and each replicated disk up there.
     */
    static String failoverNeeds(VmSpec vm, String node, ObservedState observed) {
        List<String> needs = new ArrayList<>();
        if (observed.node(node).filter(o -> o.savedDefinitions().containsKey(vm.name())).isEmpty()) {
            needs.add("mcvirt's saved copy of its definition on " + node + " (there is none)");
        }
        for (VmSpec.DiskSpec disk : vm.disks()) {
            String resource = DrbdAllocation.resourceName(vm.name(), disk.name());
            if (disk.replicated() && side(observed, node, resource).isEmpty()) {
                needs.add("disk " + disk.name() + " (" + resource + ") up on " + node + " (it is not: 'drbdadm up "
                        + resource + "' there)");
            }
        }
        return needs.isEmpty() ? "what it has" : String.join(" and ", needs);
    }

    /** What the data on a copy that is not UpToDate would be, for the problem that refuses taking it over. */
    private static String staleData(String diskState) {
        return switch (diskState == null ? "" : diskState) {
            case "Inconsistent" -> "a copy a resync was still writing: its blocks are a mix of old and new, and a file"
                    + " system on it may be damaged";
            case "Outdated" -> "a copy DRBD marked outdated: it lacks the writes made after the link dropped";
            case "Consistent" -> "a consistent copy of unknown age: it may lack the last writes made on the other node";
            default -> "a copy in state " + diskState + ", which may lack the other node's last writes";
        };
    }

    /**
     * The vm's home (or the other node of its pair) is declared offline and it is defined on no node mcvirt reads: it
     * is taken over on node from its replicated disks there and mcvirt's saved copy of its definition. The survivor
     * records the failover first, then makes each disk primary (forced for a copy taken with --accept-stale), defines
     * the vm and starts it when the manifest says running. Refused, naming the disk, when the survivor's copy is not
     * UpToDate (unless --accept-stale VM/DISK) or the vm's last verify did not pass.
     */
    void failover(VmSpec vm, NodeSpec node, Diff.Builder diff) {
        String name = vm.name();
        String survivor = node.name();
        String lost = vm.pair().stream().filter(n -> !n.equals(survivor)).findFirst().orElse("?");
        List<String> refused = new ArrayList<>();
        for (DiskHealth.Finding finding : DiskHealth.of(observed, desired.cluster().name(), name)) {
            if (finding.kind() == DiskHealth.Kind.VERIFY_MARK || finding.kind() == DiskHealth.Kind.VERIFY_FAILED) {
                refused.add("its last verify did not pass: " + finding.aboutDisk());
            }
        }
        List<String> stale = new ArrayList<>();
        Map<String, ObservedDrbd.Resource> sides = new TreeMap<>();
        for (VmSpec.DiskSpec disk : vm.disks()) {
            if (!disk.replicated()) {
                continue;
            }
            String resource = DrbdAllocation.resourceName(name, disk.name());
            ObservedDrbd.Resource side = side(observed, survivor, resource).orElseThrow();
            sides.put(resource, side);
            if ("UpToDate".equals(side.diskState()) || "Primary".equals(side.role())) {
                continue;
            }
            String key = name + "/" + disk.name();
            if (options.acceptStale().contains(key)) {
                stale.add(key);
            } else {
                refused.add("disk " + disk.name() + " (" + resource + ") on " + survivor + " is " + side.diskState()
                        + ", not UpToDate, so it was not in sync when " + lost + " was lost: running the vm on it would"
                        + " run it on " + staleData(side.diskState()) + "; apply with --accept-stale " + key
                        + " to take it over anyway");
            }
        }
        if (!refused.isEmpty()) {
            refused.forEach(r -> diff.problem(PlanFinding.Code.FAILOVER_REFUSED, PlanFinding.Subject.vm(name, survivor),
                    "vm " + name + " cannot fail over from " + lost + " (declared offline) to " + survivor + ": " + r));
            return;
        }
        NodeObservation from = copyNode(vm, survivor, observed).orElseThrow();
        String address = "vm." + name;
        String record = Subjects.failover(survivor, name);
        boolean recorded = observed.node(survivor).flatMap(o -> o.drbd().failover(name))
                .filter(r -> r.from().equals(lost) && r.resources().equals(List.copyOf(sides.keySet()))
                        && r.stale().containsAll(stale)).isPresent();
        if (!recorded) {
            // a failover that stopped part-way has its record already: it is not written again
            diff.step(survivor, record, List.of(), address, "record on " + survivor + " that it takes vm " + name
                    + " over from " + lost + " (its copy of the disks is the good one from now on)",
                    new StepPayload.RecordFailover(name, lost, stateDirectory(desired, survivor),
                            List.copyOf(sides.keySet()), stale));
        }
        List<String> uses = new ArrayList<>(List.of(record));
        for (Map.Entry<String, ObservedDrbd.Resource> side : sides.entrySet()) {
            String resource = side.getKey();
            String subject = Subjects.drbd(survivor, resource);
            uses.add(subject);
            if ("Primary".equals(side.getValue().role())) {
                continue;
            }
            boolean force = !"UpToDate".equals(side.getValue().diskState());
            diff.step(survivor, subject, List.of(record), address, "make " + resource + " primary on " + survivor
                    + (force ? " (forced: its copy is " + side.getValue().diskState() + ", taken with --accept-stale)"
                    : ""), new StepPayload.DrbdPromote(resource, side.getValue().minor(), force));
        }
        String to = Subjects.domain(survivor, name);
        diff.step(survivor, List.of(), to, uses, address, "define domain " + name + " on " + survivor
                + " from mcvirt's saved copy of its definition (on " + from.node() + ")",
                new StepPayload.RegisterDomain(name, from.node(), stateDirectory(desired, from.node()),
                        from.savedDefinitions().get(name), copies(desired, vm.pair())));
        if (vm.libvirtAutostart()) {
            diff.step(survivor, to, List.of(), address, "enable autostart of domain " + name,
                    new StepPayload.SetAutostart(name, true));
        }
        if (vm.state() == VmSpec.PowerState.RUNNING) {
            List<String> startUses = new ArrayList<>(vm.nics().stream().map(n -> Subjects.network(survivor,
                    network(n.network()))).toList());
            startUses.addAll(uses);
            diff.step(survivor, to, startUses, address, "start domain " + name + " on " + survivor,
                    new StepPayload.StartDomain(name));
        }
        List<AttributeChange> attributes = new ArrayList<>();
        attributes.add(new AttributeChange("node", lost + " (declared offline)", survivor, Effect.LIVE));
        attributes.add(new AttributeChange("state", null, vm.state().name().toLowerCase(Locale.ROOT), Effect.LIVE));
        diff.change(new ResourceChange(address, ChangeKind.VM, name, survivor, Action.MIGRATE, attributes,
                "failover: " + lost + " is declared offline; the vm is taken over on " + survivor + " from its"
                        + " replicated disks there" + (stale.isEmpty() ? " (UpToDate)" : " (" + String.join(", ", stale)
                        + " taken although not UpToDate: --accept-stale)") + " and mcvirt's saved copy of its"
                        + " definition; " + lost + "'s copy becomes stale"));
    }

    /**
     * The vm's node is back after the vm failed over to survivor (whose record says when): the vm is shut down here if
     * something started it, its stale definition here undefined (checked first: the survivor has it), and each of its
     * resources here made secondary and connected discarding this node's copy, which the survivor's then overwrites;
     * the record goes once connected. The vm stays on the survivor: once its disks are in sync, the next plan moves it
     * home. Shown as data loss: what this node wrote after the failover is discarded (--allow-destroy).
     */
    void returning(VmSpec vm, NodeSpec node, Optional<ObservedDomain> here, NodeObservation survivor,
                   Diff.Builder diff) {
        String name = vm.name();
        String back = node.name();
        FailoverRecord record = survivor.drbd().failover(name).orElseThrow();
        Optional<ObservedDomain> running = survivor.domain(name);
        if (running.isEmpty()) {
            diff.problem(PlanFinding.Code.FAILOVER_REFUSED, PlanFinding.Subject.vm(name, back), "vm " + name
                    + " failed over from " + back + " to " + survivor.node() + " at " + record.at() + " (the record"
                    + " on " + survivor.node() + "), but " + survivor.node() + " does not have it defined: mcvirt does"
                    + " not discard " + back + "'s copy of its disks while it may be the only one; look at both nodes"
                    + " and remove " + new StateDirectory(stateDirectory(desired, survivor.node()))
                    .failoverRecord(name) + " on " + survivor.node() + " once you have decided");
            return;
        }
        String address = "vm." + name;
        String domainHere = Subjects.domain(back, name);
        List<String> uses = new ArrayList<>();
        if (here.isPresent() && here.get().active()) {
            diff.step(back, domainHere, List.of(), address, "shut down domain " + name + " on " + back + " (it runs"
                    + " on " + survivor.node() + " since the failover; this copy is stale)",
                    new StepPayload.ShutdownDomain(name));
        }
        if (here.isPresent()) {
            diff.step(back, List.of(survivor.node()), domainHere, List.of(Subjects.domain(survivor.node(), name)),
                    address, "undefine the stale definition of domain " + name + " on " + back + " (checked first: "
                    + survivor.node() + " has it, UUID " + running.get().uuid() + ")",
                    new StepPayload.UndefineMigrated(name, survivor.node(), running.get().uuid()));
            uses.add(domainHere);
        }
        Map<String, Integer> resources = new TreeMap<>();
        List<AttributeChange> attributes = new ArrayList<>();
        for (VmSpec.DiskSpec disk : vm.disks()) {
            String resource = DrbdAllocation.resourceName(name, disk.name());
            if (!disk.replicated() || !record.resources().contains(resource)) {
                continue;
            }
            Optional<ObservedDrbd.Resource> side = side(observed, survivor.node(), resource);
            if (side.isEmpty()) {
                diff.problem(PlanFinding.Code.FAILOVER_REFUSED, PlanFinding.Subject.vm(name, back), "vm " + name
                        + " disk " + disk.name() + " (" + resource + ") is not up on " + survivor.node() + ", which"
                        + " has the good copy since the failover: bring it up there first ('drbdadm up " + resource
                        + "'); " + back + "'s copy is not discarded meanwhile");
                return;
            }
            resources.put(resource, side.get().minor());
            attributes.add(new AttributeChange("disk." + disk.name() + "." + back, "stale since " + record.at(),
                    "discarded, resynced from " + survivor.node(), Effect.DATA_LOSS));
        }
        uses.addAll(resources.keySet().stream().map(r -> Subjects.drbd(survivor.node(), r)).toList());
        diff.step(back, List.of(survivor.node()), Subjects.failover(back, name), uses, address, "connect "
                + String.join(", ", resources.keySet()) + " on " + back + " discarding " + back + "'s copy (resynced"
                + " from " + survivor.node() + "), then remove " + survivor.node() + "'s failover record",
                new StepPayload.RejoinStaleCopy(name, survivor.node(), stateDirectory(desired, survivor.node()),
                        resources));
        diff.change(new ResourceChange(address + ".return", ChangeKind.VM, name, back, Action.UPDATE, attributes,
                back + " is back after vm " + name + " failed over to " + survivor.node() + " at " + record.at() + ": "
                        + String.join(", ", vm.disks().stream().filter(VmSpec.DiskSpec::replicated).map(d -> back
                        + "'s copy of " + name + "/" + d.name() + " after " + record.at()).toList())
                        + " is discarded; the vm stays on " + survivor.node() + " until its disks are in sync, then"
                        + " moves home"));
    }
}
