package org.mcvirt.app;

import java.util.List;
import java.util.Map;
import org.mcvirt.apply.StepOutcome;
import org.mcvirt.plan.AttributeChange;
import org.mcvirt.plan.Effect;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.ResourceChange;

/**
 * The plan that was applied, what happened to each of its steps (empty when it had no changes), the nodes that
 * stopped answering (with why) and the nodes where the cluster lock could not be released.
 */
public record ApplyResult(Plan plan, List<StepOutcome> outcomes, Map<String, String> stalled,
                          List<String> lockLeftOn) {

    /** A change whose attributes take effect only when the vm is next started. */
    public record PendingRestart(String address, List<String> attributes) {
    }

    /** Whether any step ran (a plan without changes runs none). */
    public boolean ran() {
        return !outcomes.isEmpty();
    }

    public long done() {
        return count(StepOutcome.Status.DONE);
    }

    public long failed() {
        return count(StepOutcome.Status.FAILED);
    }

    public long skipped() {
        return count(StepOutcome.Status.SKIPPED);
    }

    private long count(StepOutcome.Status status) {
        return outcomes.stream().filter(o -> o.status() == status).count();
    }

    /** The changes with restart-only attributes, in plan order. */
    public List<PendingRestart> pendingRestarts() {
        return plan.changes().stream().map(ApplyResult::pending).filter(p -> !p.attributes().isEmpty()).toList();
    }

    private static PendingRestart pending(ResourceChange change) {
        return new PendingRestart(change.address(), change.attributes().stream()
                .filter(a -> a.effect() == Effect.RESTART).map(AttributeChange::name).toList());
    }
}
