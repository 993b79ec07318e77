package org.mcvirt.app;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Planner;
import org.mcvirt.plan.StepEffects;
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
        return plan(targetVms, live, false, Set.of());
    }

    /**
     * As {@link #plan(Set, boolean)}, with --allow-downtime (a vm that cannot leave a node in maintenance is stopped
     * there) and --accept-stale (disks, VM/DISK, taken over in a failover although their copy was not UpToDate).
     */
    public PlanView plan(Set<String> targetVms, boolean live, boolean allowDowntime, Set<String> acceptStale)
            throws McvirtException {
        return new PlanView(plan(new Planner.Options(targetVms, live).withNodeLoss(allowDowntime, acceptStale)));
    }

    /** Reads the cluster and plans. Never changes anything. */
    Plan plan(Planner.Options options) throws McvirtException {
        return access.readAndPlan(options, (desired, observed, plan, cluster) ->
                ClusterAccess.withInterruptedApply(plan, cluster, observed));
    }

    /**
     * Applies under the cluster lock: reads the cluster once, then either plans (no saved plan) or checks the saved
     * plan, shows the plan, refuses problems and unallowed destroys, asks, and runs the steps. Planning under the lock
     * means the plan shown is exactly what runs. Nothing changes before approval.
     *
     * <p>A saved plan is applied with the manifests it was made from (manifestsGiven false: the default ones), and
     * only when it is exactly what mcvirt plans itself ({@link SavedPlans}): its connection data is checked against
     * the manifests before any node is contacted, the nodes are reached as the manifests say, and under the lock the
     * plan is made again and must equal it. What runs, and what --allow-destroy is decided on, is the plan made again.
     */
    public ApplyResult apply(Optional<PlanView> saved, boolean manifestsGiven, ApplyOptions options,
                             ApplyProgress progress, Interaction interaction, Scope scope) throws McvirtException {
        DesiredState desired = manifests(saved.isPresent(), manifestsGiven);
        if (saved.isPresent()) {
            SavedPlans.beforeConnecting(saved.get().plan(), desired);
        }
        // the nodes as the scope has them: failover declares one offline, and it is then never contacted
        DesiredState reached = saved.isPresent() ? desired : scope.desired().apply(desired);
        try (Cluster cluster = Cluster.connect(desired.cluster().name(), reached.nodes(), access.nodeTimeout())
                .readingPermissionsOf(desired).probingImagesOf(desired)) {
            return Locks.holding(cluster, options.command(), lock -> applyLocked(cluster, lock, desired,
                    saved.map(PlanView::plan), options, progress, interaction, scope));
        }
    }

    /** The manifests; for a saved plan, missing ones are explained (the plan is checked by planning it again). */
    private DesiredState manifests(boolean forSavedPlan, boolean manifestsGiven) throws McvirtException {
        try {
            return access.validate();
        } catch (McvirtException e) {
            if (!forSavedPlan || manifestsGiven || e.category() != McvirtException.Category.MANIFEST) {
                throw e;
            }
            throw new McvirtException(McvirtException.Category.MANIFEST, "a saved plan is applied with the manifests"
                    + " it was made from, to check that it is what mcvirt plans: give them with -f (" + e.getMessage()
                    + ")", e);
        }
    }

    private ApplyResult applyLocked(Cluster cluster, ClusterLock lock, DesiredState desired, Optional<Plan> saved,
                                    ApplyOptions options, ApplyProgress progress, Interaction interaction, Scope scope)
            throws McvirtException {
        ObservedState observed = cluster.read();
        scope.precheck().check(desired, observed);
        Plan plan;
        if (saved.isPresent()) {
            plan = SavedPlans.afterReading(saved.get(), observed, made -> ClusterAccess.withInterruptedApply(
                    access.plan(desired, observed, made), cluster, observed));
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
        List<String> destroys = StepEffects.destroys(plan, observed);
        if (!destroys.isEmpty() && !options.allowDestroy()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "the plan destroys resources ("
                    + plan.summary().destroy() + " to destroy); nothing was changed. Re-run with --allow-destroy"
                    + " to allow it. It destroys:\n  " + String.join("\n  ", destroys));
        }
        if (!interaction.approve(view)) {
            throw new McvirtException(McvirtException.Category.REFUSED, "apply cancelled; nothing was changed");
        }
        StepExecution.Run run = execution.run(plan, options, progress);
        lock.close();
        return new ApplyResult(plan, run.outcomes(), run.stalled(), lock.leftOn());
    }
}
