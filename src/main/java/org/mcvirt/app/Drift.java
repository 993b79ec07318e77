package org.mcvirt.app;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Planner;
import org.mcvirt.state.Journal;
import org.mcvirt.state.ObservedState;

/**
 * The drift check ({@code mcvirt drift}): reads the cluster once, plans against the manifests and tells, object by
 * object, whether it matches the manifest and is healthy. Read-only: takes no lock and changes nothing.
 *
 * <p>{@link #assess} is the pure part: {@link DriftAssessment} (nodes, networks, pools, vms and the cluster),
 * {@link DiskDrift} (replicated disks) and {@link VerifyAge} (a replicated disk's last verify).
 */
public final class Drift {
    private final ClusterAccess access;

    public Drift(ClusterAccess access) {
        this.access = access;
    }

    /** Reads the cluster, plans and assesses every object. Never changes anything. */
    public DriftReport check() throws McvirtException {
        Instant started = Instant.now();
        return access.readAndPlan(Planner.Options.all(),
                (desired, observed, plan, cluster) -> {
                    List<ClusterLock.NodeLock> locks = ClusterLock.status(cluster);
                    Optional<Journal.Interrupted> interrupted = ClusterAccess.interruptedApply(cluster, observed);
                    return assess(new Inputs(desired, observed, plan, locks, interrupted, started),
                            ClusterLock.localHost(), Duration.between(started, Instant.now()));
                });
    }

    /** Everything one assessment looks at, read at {@code at}. */
    public record Inputs(DesiredState desired, ObservedState observed, Plan plan, List<ClusterLock.NodeLock> locks,
                         Optional<Journal.Interrupted> interrupted, Instant at) {
        public Inputs {
            locks = List.copyOf(locks);
        }
    }

    /** The report of one read of the cluster. Pure: the same inputs give the same report. */
    public static DriftReport assess(Inputs in, String controller, Duration took) {
        return DriftAssessment.assess(in, controller, took);
    }
}
