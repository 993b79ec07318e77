package org.mcvirt.app;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Collectors;
import org.mcvirt.apply.ApplyListener;
import org.mcvirt.apply.Executor;
import org.mcvirt.apply.JournalingStepRunner;
import org.mcvirt.apply.LibvirtStepRunner;
import org.mcvirt.apply.StepOutcome;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.node.NodeException;
import org.mcvirt.node.StoragePrimitives;
import org.mcvirt.node.ssh.SshException;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Step;
import org.mcvirt.plan.StepKind;

/**
 * The one place apply's steps are run: the executor over the journaling runner over the libvirt runner, each step's
 * time limit from its kind, and the nodes that stop answering. Runs under the cluster lock its token comes from.
 */
final class StepExecution {
    private final Cluster cluster;
    private final ClusterLock lock;
    private final String lockToken;
    private final Map<String, String> stateDirectories = new HashMap<>();
    private final DesiredState desired;

    StepExecution(Cluster cluster, ClusterLock lock) {
        this(cluster, lock, null);
    }

    /** desired: the manifests of the apply (null for a saved plan applied without them), for register's check. */
    StepExecution(Cluster cluster, ClusterLock lock, DesiredState desired) {
        this.desired = desired;
        this.cluster = cluster;
        this.lock = lock;
        this.lockToken = lock.holder().token();
        cluster.nodeNames().forEach(n -> stateDirectories.put(n, cluster.spec(n).stateDirectory()));
    }

    /** The steps run, and the nodes that stopped answering meanwhile (with why). */
    record Run(List<StepOutcome> outcomes, Map<String, String> stalled) {
    }

    /**
     * Runs the plan's steps, with an apply-started and an apply-finished journal line on every node they touch. Each
     * step runs only while this apply still holds the cluster lock on its nodes: once it is lost, no further step
     * runs and the apply fails naming the node.
     */
    Run run(Plan plan, ApplyOptions options, ApplyProgress progress) throws McvirtException {
        ApplyListener listener = listener(progress);
        // a saved definition is checked before register defines it (SavedDefinitionGuard)
        JournalingStepRunner runner = new JournalingStepRunner(new SavedDefinitionGuard(
                new LibvirtStepRunner(cluster.nodes(), this::storage, options.shutdownTimeoutSeconds(),
                        options.syncTimeout(), listener), plan.cluster(),
                // the manifest's nodes, a node declared offline among them (a pair still names it)
                desired.nodes().stream().map(NodeSpec::name).collect(Collectors.toSet()), desired,
                node -> storage(node).definitions()), cluster::transport, stateDirectories, lockToken,
                lock.stepCheck());
        List<String> touched = plan.steps().stream().flatMap(s -> s.nodes().stream()).distinct().sorted()
                .toList();
        runner.applyStarted(touched, plan.steps().size(), options.command());
        Map<String, String> stalled = new ConcurrentSkipListMap<>();
        Executor.Limits limits = new Executor.Limits(
                step -> timeout(step, options),
                node -> cluster.nodes().containsKey(node) ? cluster.nodes().get(node).activity() : null,
                (node, why) -> {
                    stalled.put(node, why);
                    cluster.markStalled(node, why);
                });
        List<StepOutcome> outcomes = new Executor(new LockGuard(lock, runner), options.parallelism(), listener, limits)
                .execute(plan);
        long failed = outcomes.stream().filter(o -> o.status() != StepOutcome.Status.DONE).count();
        lock.check(touched); // a lock lost during the last step is reported too
        runner.applyFinished(touched.stream().filter(n -> cluster.stalled(n) == null).toList(),
                (failed == 0 ? "done" : failed + " of " + outcomes.size() + " steps not done")
                        + lock.lost().map(why -> " (the cluster lock was lost)").orElse(""));
        if (lock.lost().isPresent()) {
            throw new McvirtException(McvirtException.Category.LOCKED, lock.lost().get() + ". The apply stopped: "
                    + (outcomes.size() - failed) + " of " + outcomes.size() + " steps done, no step was started after"
                    + " the lock was lost. See 'mcvirt lock status'; 'mcvirt plan' shows what is left.");
        }
        return new Run(outcomes, Map.copyOf(stalled));
    }

    /**
     * An apply with nothing to do also ended: journal lines on every answering node settle a journal that showed an
     * apply stopped part-way.
     */
    void settle(String command) {
        List<String> answering = cluster.nodes().keySet().stream().filter(n -> cluster.stalled(n) == null)
                .sorted().toList();
        JournalingStepRunner journal = new JournalingStepRunner(step -> "", cluster::transport, stateDirectories,
                lockToken);
        journal.applyStarted(answering, 0, command);
        journal.applyFinished(answering, "no changes");
    }

    /**
     * How long one step may take: its kind's, except a define that first checks the SHA-256 of a file it attaches (an
     * installer ISO of some GiB), which may take as long as a transfer.
     */
    static Duration timeout(org.mcvirt.plan.Step step, ApplyOptions options) {
        if (step.payload() instanceof org.mcvirt.plan.StepPayload.DefineDomain define && !define.checks().isEmpty()) {
            return options.stepTimeout().plus(options.syncTimeout());
        }
        return timeout(step.kind(), options);
    }

    /** How long one step of kind may take, from its kind's category and the options. */
    static Duration timeout(StepKind kind, ApplyOptions options) {
        return switch (kind.timeout()) {
            case PLAIN -> options.stepTimeout();
            case SHUTDOWN -> options.stepTimeout().plusSeconds(options.shutdownTimeoutSeconds());
            case SYNC, MIGRATION, TRANSFER -> options.stepTimeout().plus(options.syncTimeout());
        };
    }

    /** The LVM/DRBD operations of a node, over its command transport. */
    private StoragePrimitives storage(String node) throws NodeException {
        try {
            return StoragePrimitives.over(node, cluster.transport(node));
        } catch (SshException e) {
            throw NodeException.unresponsive(node, "cannot reach it for LVM and DRBD: " + e.getMessage(), e);
        }
    }

    /** The executor's listener, telling progress about each step by its number, node and description. */
    private static ApplyListener listener(ApplyProgress progress) {
        return new ApplyListener() {
            @Override
            public void started(Step step) {
                progress.started(line(step));
            }

            @Override
            public void finished(Step step, long millis, String note) {
                progress.finished(line(step), millis, note);
            }

            @Override
            public void failed(Step step, long millis, String error) {
                progress.failed(line(step), millis, error);
            }

            @Override
            public void skipped(Step step, String why) {
                progress.skipped(line(step), why);
            }

            @Override
            public void progress(Step step, String message) {
                progress.progress(line(step), message);
            }
        };
    }

    private static ApplyProgress.StepLine line(Step step) {
        return new ApplyProgress.StepLine(step.id(), step.node(), step.description());
    }
}
