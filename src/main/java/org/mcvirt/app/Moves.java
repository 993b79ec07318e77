package org.mcvirt.app;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.mcvirt.manifest.ManifestEditor;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.plan.Planner;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedState;

/**
 * The old MCVirt's migrate and register: each an apply of one vm with the manifest changed by a {@link Scope} (its
 * node, or its placement), checked under the lock; and the manifest line that names the vm's node afterwards.
 */
public final class Moves {
    private final ClusterAccess access;

    public Moves(ClusterAccess access) {
        this.access = access;
    }

    /**
     * Moves a vm to the other node of its DRBD pair under the cluster lock, planned and applied like any change (the
     * plan's checks and steps), with only that vm in the plan. The manifests are not changed (see
     * {@link #manifestNodeField}).
     */
    public ApplyResult migrate(MigrateRequest request, ApplyOptions options, ApplyProgress listener,
                               Interaction interaction, Consumer<String> progress) throws McvirtException {
        DesiredState desired = access.validate();
        VmSpec vm = vmOf(desired, request.vm());
        if (desired.node(request.node()).isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "node " + request.node() + " is not in the"
                    + " manifests");
        }
        if (!vm.pair().contains(request.node())) {
            throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vm.name() + " can move only between"
                    + " the nodes of its replicated disks" + (vm.pair().isEmpty() ? " (it has none)" : " ("
                    + String.join(", ", vm.pair()) + ")") + "; nothing was changed");
        }
        if (request.waitForShutdown()) {
            waitForShutdown(desired, vm.name(), request.node(), request.waitLimit(), progress);
        }
        String cluster = desired.cluster().name();
        // where the vm is when the lock is held: a vm already on the node stays as it is (nothing planned)
        AtomicReference<Boolean> alreadyThere = new AtomicReference<>();
        Scope.Precheck precheck = (d, observed) -> {
            Optional<NodeObservation> home = home(observed, cluster, vm.name());
            if (home.isPresent() && home.get().node().equals(request.node())) {
                alreadyThere.set(home.get().domain(vm.name()).orElseThrow().active());
                progress.accept("vm " + vm.name() + " is already on " + request.node() + "; nothing to move");
                return;
            }
            if (home.isEmpty()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vm.name() + " is defined on no"
                        + " node; 'mcvirt register " + vm.name() + "' puts it back; nothing was changed");
            }
            boolean running = home.get().domain(vm.name()).orElseThrow().active();
            if (running && !request.live() && !home.get().node().equals(request.node())) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vm.name() + " is running on "
                        + home.get().node() + ": shut it down first, give --wait-for-shutdown to wait until the guest"
                        + " powers itself off, or --live; nothing was changed");
            }
            if (!running && request.live()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vm.name() + " is not running, so"
                        + " it cannot migrate live; leave out --live; nothing was changed");
            }
        };
        VmSpec.PowerState state = request.live() || request.startAfter()
                ? VmSpec.PowerState.RUNNING : VmSpec.PowerState.STOPPED;
        Scope scope = new Scope(d -> d.withVm(vm.withPlacement(request.node(), alreadyThere.get() == null ? state
                : alreadyThere.get() ? VmSpec.PowerState.RUNNING : VmSpec.PowerState.STOPPED)),
                new Planner.Options(Set.of(vm.name()), request.live()), precheck);
        return new PlanApply(access).apply(Optional.empty(), true, options, listener, interaction, scope);
    }

    /**
     * The night shift's failover: plans and applies, under the lock of the other nodes, what the manifests would with
     * node declared offline, for the vms whose home it is (failover of each replicated one to its peer, with the same
     * checks; --accept-stale as in apply). node is never contacted. The manifests are not changed (see
     * {@link #updateNodeState}).
     */
    public ApplyResult failover(String node, Set<String> acceptStale, ApplyOptions options, ApplyProgress listener,
                                Interaction interaction) throws McvirtException {
        DesiredState desired = access.validate();
        NodeSpec spec = desired.node(node).orElseThrow(() -> new McvirtException(McvirtException.Category.REFUSED,
                "node " + node + " is not in the manifests; nothing was changed"));
        Set<String> vms = desired.vms().stream().filter(v -> v.node().equals(node)).map(VmSpec::name)
                .collect(java.util.stream.Collectors.toSet());
        if (vms.isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "no vm of the manifests has node " + node
                    + " as its home: there is nothing to fail over; nothing was changed");
        }
        Scope scope = new Scope(d -> d.withNode(spec.withState(NodeSpec.State.OFFLINE)),
                new Planner.Options(vms).withNodeLoss(false, acceptStale), (d, observed) -> {
                });
        return new PlanApply(access).apply(Optional.empty(), true, options, listener, interaction, scope);
    }

    /** Sets a node's state in its manifest file in place; where and what it was, or empty when it cannot. */
    public Optional<String> updateNodeState(String node, NodeSpec.State state) throws McvirtException {
        try {
            return ManifestEditor.setNodeState(access.manifests(), node, state.word());
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.MANIFEST, "cannot change node " + node + "'s state in"
                    + " its manifest: " + e.getMessage(), e);
        }
    }

    /** Waits, outside the lock, until the guest powers itself off where it is now (unless it is on target already). */
    private void waitForShutdown(DesiredState desired, String vm, String target, Duration limit,
                                 Consumer<String> progress) throws McvirtException {
        try (Cluster cluster = access.connect(desired)) {
            Optional<NodeObservation> home = home(cluster.read(), desired.cluster().name(), vm);
            if (home.isEmpty() || home.get().node().equals(target)) {
                return; // the precheck says why, or that there is nothing to move
            }
            ShutdownWait.await(cluster, home.get().node(), vm, limit, progress);
        }
    }

    /**
     * Puts back a vm that is defined on no node, from mcvirt's saved copy of its definition, on node (default: where
     * the manifests put it). Refused while its disks are primary on another node.
     */
    public ApplyResult register(String vmName, Optional<String> node, ApplyOptions options, ApplyProgress listener,
                                Interaction interaction) throws McvirtException {
        DesiredState desired = access.validate();
        VmSpec vm = vmOf(desired, vmName);
        String target = node.orElse(vm.node());
        if (!vm.pair().contains(target)) {
            throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vmName + " can be registered only on"
                    + " a node of its replicated disks" + (vm.pair().isEmpty() ? " (it has none: register works from"
                    + " the copy mcvirt keeps of a replicated vm's definition)" : " (" + String.join(", ", vm.pair())
                    + ")") + "; nothing was changed");
        }
        String cluster = desired.cluster().name();
        Scope.Precheck precheck = (d, observed) -> {
            Optional<NodeObservation> home = home(observed, cluster, vmName);
            if (home.isPresent()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vmName + " is defined on "
                        + home.get().node() + "; there is nothing to register (to move it: 'mcvirt migrate --node "
                        + target + " " + vmName + "')");
            }
            for (String other : vm.pair()) {
                if (other.equals(target)) {
                    continue;
                }
                List<String> primary = vm.disks().stream().filter(VmSpec.DiskSpec::replicated)
                        .map(disk -> Names.drbdResource(vmName, disk.name()))
                        .filter(res -> observed.node(other).map(o -> o.drbd().resource(res)).filter(l -> !l.isEmpty())
                                .map(l -> "Primary".equals(l.get(0).role())).orElse(false)).toList();
                if (!primary.isEmpty()) {
                    throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vmName + "'s disks are"
                            + " primary on " + other + " (" + String.join(", ", primary) + "), so it is not registered"
                            + " on " + target + ": something on " + other + " may be using them. Register it there"
                            + " ('mcvirt register " + vmName + " --node " + other + "'), or make them secondary there"
                            + " first ('drbdadm secondary RESOURCE'); nothing was changed");
                }
            }
        };
        Scope scope = new Scope(d -> d.withVm(vm.withPlacement(target, vm.state())),
                new Planner.Options(Set.of(vmName)), precheck);
        return new PlanApply(access).apply(Optional.empty(), true, options, listener, interaction, scope);
    }

    /**
     * Where the manifests say which node the vm is on: for the one-line change migrate prints, or makes with
     * --update-manifest.
     */
    public Optional<ManifestEditor.ScalarAt> manifestNodeField(String vm) throws McvirtException {
        try {
            return ManifestEditor.findVmField(access.manifests(), vm, "node");
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.MANIFEST, "cannot read the manifests: " + e.getMessage(),
                    e);
        }
    }

    /** Changes the vm's node in its manifest in place, keeping comments and everything else. */
    public void updateManifestNode(ManifestEditor.ScalarAt at, String node) throws McvirtException {
        try {
            ManifestEditor.replaceScalar(at, node);
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.MANIFEST, "cannot update the manifest: "
                    + e.getMessage(), e);
        }
    }

    /** Where a vm is defined now (the first node of its cluster that has it, managed), read from observed. */
    private static Optional<NodeObservation> home(ObservedState observed, String cluster, String vm) {
        return observed.nodes().stream().filter(n -> n.domain(vm).filter(d -> d.managed()
                && d.metadata().cluster().equals(cluster)).isPresent()).findFirst();
    }

    private static VmSpec vmOf(DesiredState desired, String vm) throws McvirtException {
        return desired.vm(vm).orElseThrow(() -> new McvirtException(McvirtException.Category.REFUSED, "vm " + vm
                + " is not in the manifests; mcvirt moves only vms it manages"));
    }
}
