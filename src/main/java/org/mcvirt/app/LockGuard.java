package org.mcvirt.app;

import java.util.Optional;
import org.mcvirt.apply.StepRunner;
import org.mcvirt.node.NodeException;
import org.mcvirt.plan.Step;

/**
 * Runs each step only while its command still holds the cluster lock: once the lock is lost anywhere (broken, removed,
 * or taken by another holder) no further step runs, each fails at once, naming the node and the lock file. The lock
 * file on the step's own nodes is read there just before the step, by the step's first journal line
 * ({@link ClusterLock#stepCheck()}, JournalingStepRunner): in the same round trip.
 */
final class LockGuard implements StepRunner {
    private final ClusterLock lock;
    private final StepRunner inner;

    LockGuard(ClusterLock lock, StepRunner inner) {
        this.lock = lock;
        this.inner = inner;
    }

    @Override
    public String run(Step step) throws NodeException {
        Optional<String> lost = lock.lost();
        if (lost.isPresent()) {
            throw new NodeException(step.node(), "not run: " + lost.get(), null);
        }
        return inner.run(step);
    }
}
