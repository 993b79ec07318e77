package org.mcvirt.app;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.PlanNode;
import org.mcvirt.plan.Planner;
import org.mcvirt.state.ObservedState;

/** mcvirt plan and mcvirt apply (of the manifests, of a saved plan, or of the change an imperative command makes). */
public final class PlanApply {
    private final ClusterAccess access;

    public PlanApply(ClusterAccess access) {
        this.access = access;
    }

    /**
     * Reads the cluster and plans the named vms (every vm and the infrastructure when none is named), a running vm
     * whose node changes migrated live when live is set. Never changes anything.
     */
    public PlanView plan(Set<String> targetVms, boolean live) throws McvirtException {
        return new PlanView(plan(new Planner.Options(targetVms, live)));
    }

    /** Reads the cluster and plans. Never changes anything. */
    Plan plan(Planner.Options options) throws McvirtException {
        return access.readAndPlan(options, (desired, observed, plan, cluster) ->
                ClusterAccess.withInterruptedApply(plan, cluster, observed));
    }

    /**
     * Applies under the cluster lock: reads the cluster once, then either plans (no saved plan) or checks that the
     * saved plan is still fresh, shows the plan, refuses problems and unallowed destroys, asks, and runs the steps.
     * Planning under the lock means the plan shown is exactly what runs. Nothing changes before approval.
     *
     * <p>A saved plan is self-contained: it names its nodes, so without manifests (manifestsGiven false) apply reaches
     * the nodes from the plan alone. With manifests, they must be the ones the plan was made from. Any other apply
     * plans the manifests changed or narrowed as scope says.
     */
    public ApplyResult apply(Optional<PlanView> saved, boolean manifestsGiven, ApplyOptions options,
                             ApplyProgress progress, Interaction interaction, Scope scope) throws McvirtException {
        DesiredState desired = null;
        String clusterName;
        List<NodeSpec> nodes;
        if (saved.isPresent()) {
            Plan plan = saved.get().plan();
            if (plan.nodes().isEmpty()) {
                throw new McvirtException(McvirtException.Category.PLAN, "the saved plan names no nodes; run 'mcvirt plan"
                        + " --out' again");
            }
            if (manifestsGiven) {
                desired = access.validate();
                String digest = Planner.manifestDigest(desired);
                if (!desired.cluster().name().equals(plan.cluster()) || !digest.equals(plan.manifestDigest())) {
                    throw new McvirtException(McvirtException.Category.PLAN, "the manifests do not match the saved plan"
                            + " (it was made for cluster " + plan.cluster() + " from manifests "
                            + shortFingerprint(String.valueOf(plan.manifestDigest())) + "; these are cluster "
                            + desired.cluster().name() + ", " + shortFingerprint(digest) + "); nothing was changed. Run"
                            + " 'mcvirt plan --out' again, or apply the plan without -f");
                }
            }
            clusterName = plan.cluster();
            nodes = plan.nodes().stream().map(PlanNode::toSpec).toList();
        } else {
            desired = access.validate();
            clusterName = desired.cluster().name();
            nodes = desired.nodes();
        }
        DesiredState manifests = desired;
        try (Cluster cluster = Cluster.connect(clusterName, nodes, access.nodeTimeout())) {
            return Locks.holding(cluster, options.command(), lock -> applyLocked(cluster, lock, manifests,
                    saved.map(PlanView::plan), options, progress, interaction, scope));
        }
    }

    private ApplyResult applyLocked(Cluster cluster, ClusterLock lock, DesiredState desired, Optional<Plan> saved,
                                    ApplyOptions options, ApplyProgress progress, Interaction interaction, Scope scope)
            throws McvirtException {
        ObservedState observed = cluster.read();
        if (desired != null) {
            scope.precheck().check(desired, observed);
        }
        Plan plan;
        if (saved.isPresent()) {
            plan = saved.get();
            if (!observed.fingerprint().equals(plan.fingerprint())) {
                throw new McvirtException(McvirtException.Category.PLAN, "the plan is stale: the cluster changed since"
                        + " it was made (fingerprint " + shortFingerprint(plan.fingerprint()) + ", now "
                        + shortFingerprint(observed.fingerprint()) + "); run 'mcvirt plan' again");
            }
        } else {
            plan = ClusterAccess.withInterruptedApply(access.plan(scope.desired().apply(desired), observed,
                    scope.options()), cluster, observed);
        }
        PlanView view = new PlanView(plan);
        interaction.show(view);
        if (!plan.problems().isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "the plan has problems; nothing was changed:\n  "
                    + String.join("\n  ", plan.problemMessages()));
        }
        if (saved.isEmpty()) {
            scope.postcheck().check(plan);
        }
        StepExecution execution = new StepExecution(cluster, lock, desired);
        if (!plan.hasChanges()) {
            // nothing to do is also an apply that ended: a journal that showed one stopped part-way is settled
            if (ClusterAccess.interruptedApply(cluster, observed).isPresent()) {
                execution.settle(options.command());
            }
            return new ApplyResult(plan, List.of(), Map.of(), List.of());
        }
        if (plan.destroys() && !options.allowDestroy()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "the plan destroys resources ("
                    + plan.summary().destroy() + " to destroy); nothing was changed. Re-run with --allow-destroy"
                    + " to allow it");
        }
        if (!interaction.approve(view)) {
            throw new McvirtException(McvirtException.Category.REFUSED, "apply cancelled; nothing was changed");
        }
        StepExecution.Run run = execution.run(plan, options, progress);
        lock.close();
        return new ApplyResult(plan, run.outcomes(), run.stalled(), lock.leftOn());
    }

    private static String shortFingerprint(String fingerprint) {
        return fingerprint.substring(0, Math.min(12, fingerprint.length()));
    }
}
