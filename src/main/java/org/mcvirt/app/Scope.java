package org.mcvirt.app;

import java.util.Set;
import java.util.function.UnaryOperator;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Planner;
import org.mcvirt.state.ObservedState;

/**
 * What an imperative command (migrate, register, import --adopt) plans instead of the manifests as they are: the
 * desired state with its one change, the vms it plans, a check of the observed state under the lock before planning
 * and a check of the plan made there.
 */
public record Scope(UnaryOperator<DesiredState> desired, Planner.Options options, Precheck precheck,
                    Postcheck postcheck) {
    public Scope(UnaryOperator<DesiredState> desired, Planner.Options options, Precheck precheck) {
        this(desired, options, precheck, plan -> {
        });
    }

    /** The manifests as they are. */
    public static final Scope ALL = new Scope(d -> d, Planner.Options.all(), (d, o) -> {
    });

    /** The manifests as they are, a running vm whose node changes migrated live. */
    public static Scope live() {
        return new Scope(d -> d, new Planner.Options(Set.of(), true), (d, o) -> {
        });
    }

    /** This scope planned with --allow-downtime and --accept-stale (a node in maintenance or declared offline). */
    public Scope withNodeLoss(boolean allowDowntime, Set<String> acceptStale) {
        return new Scope(desired, options.withNodeLoss(allowDowntime, acceptStale), precheck, postcheck);
    }

    /** Refuses, before anything is planned, what an imperative command cannot do in the state observed. */
    @FunctionalInterface
    public interface Precheck {
        void check(DesiredState desired, ObservedState observed) throws McvirtException;
    }

    /** Refuses a plan (made under the lock, already shown) that is not what the imperative command is for. */
    @FunctionalInterface
    public interface Postcheck {
        void check(Plan plan) throws McvirtException;
    }
}
