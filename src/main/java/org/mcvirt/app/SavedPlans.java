package org.mcvirt.app;

import java.util.Optional;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Planner;
import org.mcvirt.plan.SavedPlanCheck;
import org.mcvirt.state.ObservedState;

/**
 * The checks of a saved plan before apply runs it (a plan file is an artefact anyone with write access to it can
 * edit): it must be exactly the plan mcvirt makes itself from the same manifests and the same cluster. Before any node
 * is contacted, the manifests must be the ones it was made from and its connection data what they give; under the
 * lock, the cluster must not have changed since, and planning again must give the same steps, arguments included.
 * What apply then runs, and decides --allow-destroy on, is the plan made afresh.
 */
final class SavedPlans {
    private static final String AGAIN = "; nothing was changed. Make the plan again with 'mcvirt plan --out' and"
            + " review it";

    private SavedPlans() {
    }

    /** Plans with the manifests the saved plan was made from, in the cluster as read under the lock. */
    @FunctionalInterface
    interface Replan {
        Plan plan(Planner.Options options) throws McvirtException;
    }

    /** Before any node is contacted: the manifests are the ones the plan was made from, and so are its nodes. */
    static void beforeConnecting(Plan saved, DesiredState desired) throws McvirtException {
        String digest = Planner.manifestDigest(desired);
        if (!desired.cluster().name().equals(saved.cluster()) || !digest.equals(saved.manifestDigest())) {
            throw new McvirtException(McvirtException.Category.PLAN, "the manifests do not match the saved plan"
                    + " (it was made for cluster " + saved.cluster() + " from manifests "
                    + shortFingerprint(String.valueOf(saved.manifestDigest())) + "; these are cluster "
                    + desired.cluster().name() + ", " + shortFingerprint(digest) + "); nothing was changed. Run"
                    + " 'mcvirt plan --out' again with these manifests, or apply the plan with the ones it was made"
                    + " from");
        }
        Optional<String> connection = SavedPlanCheck.connectionDifference(saved, desired);
        if (connection.isPresent()) {
            throw new McvirtException(McvirtException.Category.PLAN, "the saved plan's connection data is not what"
                    + " the manifests give (" + connection.get() + ")" + AGAIN);
        }
    }

    /**
     * Under the lock, with the cluster as read: the plan is fresh and is what mcvirt plans now. Returns the plan made
     * afresh (equal to the saved one but for its warnings, which describe the cluster as it is now).
     */
    static Plan afterReading(Plan saved, ObservedState observed, Replan replan) throws McvirtException {
        if (!observed.fingerprint().equals(saved.fingerprint())) {
            throw new McvirtException(McvirtException.Category.PLAN, "the plan is stale: the cluster changed since"
                    + " it was made (fingerprint " + shortFingerprint(saved.fingerprint()) + ", now "
                    + shortFingerprint(observed.fingerprint()) + "); run 'mcvirt plan' again");
        }
        Plan fresh = replan.plan(saved.options());
        Optional<String> difference = SavedPlanCheck.firstDifference(saved, fresh);
        if (difference.isPresent()) {
            throw new McvirtException(McvirtException.Category.PLAN, "the saved plan is not what mcvirt plans from"
                    + " these manifests and this cluster (first difference: " + difference.get() + ")" + AGAIN);
        }
        return fresh;
    }

    static String shortFingerprint(String fingerprint) {
        return fingerprint.substring(0, Math.min(12, fingerprint.length()));
    }
}
