package org.mcvirt.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.plan.Action;
import org.mcvirt.plan.AttributeChange;
import org.mcvirt.plan.Effect;
import org.mcvirt.plan.PlanFinding;
import org.mcvirt.plan.ResourceChange;
import org.mcvirt.state.Journal;
import org.mcvirt.state.NodeObservation;

/**
 * The pure part of the drift check: one {@link Drift.Inputs} into a {@link DriftReport}, object by object. A node
 * drifts when it cannot be read, when a stale cluster lock is on it or its lock cannot be read, or when the last apply
 * stopped part-way on it; a network, pool or vm when the plan has a change or a problem for it (which covers libvirt
 * attributes and unmanaged objects in the way) or when a node it lives on cannot be read. A plan problem is filed
 * under the object its typed subject names; one about none of these objects makes a cluster entry drift. Replicated
 * disks are {@link DiskDrift}'s.
 */
final class DriftAssessment {
    private DriftAssessment() {
    }

    /** The report of one read of the cluster. Pure: the same inputs give the same report. */
    static DriftReport assess(Drift.Inputs in, String controller, Duration took) {
        String cluster = in.desired().cluster().name();
        Map<String, DriftFindings> objects = new LinkedHashMap<>();
        BiFunction<DriftReport.Kind, String, DriftFindings> object = (kind, name) ->
                objects.computeIfAbsent(kind.name() + "\n" + name, k -> new DriftFindings(kind, name));
        List<String> unread = in.observed().nodes().stream().filter(n -> !n.reachable()).map(NodeObservation::node)
                .toList();

        for (NodeSpec node : in.desired().nodes()) {
            object.apply(DriftReport.Kind.NODE, node.name());
            for (StorageSpec storage : node.storage()) {
                if (storage.type() == StorageSpec.StorageType.FILE) {
                    DriftFindings pool = object.apply(DriftReport.Kind.POOL, storage.name() + "@" + node.name());
                    if (unread.contains(node.name())) {
                        pool.add("not-checked", "not checked: node " + node.name() + " could not be read");
                    }
                }
            }
        }
        for (NetworkSpec network : in.desired().networks()) {
            DriftFindings findings = object.apply(DriftReport.Kind.NETWORK, network.name());
            in.desired().nodes().stream().map(NodeSpec::name).filter(unread::contains).forEach(n -> findings.add(
                    "not-checked", "not checked on node " + n + ": it could not be read"));
        }
        for (VmSpec vm : in.desired().vms()) {
            DriftFindings findings = object.apply(DriftReport.Kind.VM, vm.name());
            if (unread.contains(vm.node())) {
                findings.add("not-checked", "not checked: its node " + vm.node() + " could not be read");
            }
        }

        for (ResourceChange change : in.plan().changes()) {
            DriftReport.Kind kind = switch (change.kind()) {
                case VM -> DriftReport.Kind.VM;
                case NETWORK -> DriftReport.Kind.NETWORK;
                case STORAGE -> DriftReport.Kind.POOL;
                case NODE, IMAGE -> DriftReport.Kind.NODE; // an image a node lacks is that node's drift
            };
            String name = kind == DriftReport.Kind.POOL ? change.name() + "@" + change.node()
                    : kind == DriftReport.Kind.NODE ? change.node() : change.name();
            object.apply(kind, name).add("change", changeMessage(change), changeLines(change));
        }
        for (PlanFinding problem : in.plan().problems()) {
            Subject subject = subjectOf(problem, cluster);
            object.apply(subject.kind(), subject.name()).add("problem", problem.message());
        }
        // a warning the plan only shows, but which is drift: a resource file edited on a node beyond its handlers
        for (PlanFinding warning : in.plan().warnings()) {
            if (warning.code() == PlanFinding.Code.DRBD_FILE_DIFFERS) {
                Subject subject = subjectOf(warning, cluster);
                object.apply(subject.kind(), subject.name()).add("resource-file", warning.message());
            } else if (warning.code() == PlanFinding.Code.IMAGE_CHANGED) {
                Subject subject = subjectOf(warning, cluster);
                object.apply(subject.kind(), subject.name()).add("image-changed", warning.message());
            }
        }

        locks(in, object, unread);
        interruptedApply(in, object);
        DiskDrift.disks(in, object);

        List<DriftReport.Item> items = objects.values().stream().map(DriftFindings::item).toList();
        return new DriftReport(cluster, in.at().toString(), controller, took.toMillis(), items);
    }

    private static void locks(Drift.Inputs in, BiFunction<DriftReport.Kind, String, DriftFindings> object,
                              List<String> unread) {
        for (ClusterLock.NodeLock lock : in.locks()) {
            DriftFindings node = object.apply(DriftReport.Kind.NODE, lock.node());
            if (lock.error() != null) {
                if (!unread.contains(lock.node())) { // an unread node already drifts for that
                    node.add("lock-not-read", "the cluster lock cannot be read: " + lock.error());
                }
            } else if (lock.holder() != null) {
                String holder = "cluster lock held by " + ClusterLock.describe(lock.holder()) + "; " + lock.state();
                if (lock.state().startsWith("stale") || lock.state().startsWith("possibly stale")) {
                    node.add("stale-lock", "stale " + holder);
                } else {
                    node.note(holder);
                }
            }
        }
    }

    /** The last apply stopped part-way: every node it wrote journal lines on drifts. */
    private static void interruptedApply(Drift.Inputs in,
                                         BiFunction<DriftReport.Kind, String, DriftFindings> object) {
        if (in.interrupted().isEmpty()) {
            return;
        }
        Journal.Interrupted interrupted = in.interrupted().get();
        List<String> nodes = in.observed().nodes().stream().filter(n -> n.journal().stream()
                .anyMatch(e -> interrupted.apply().equals(e.apply()))).map(NodeObservation::node).toList();
        if (nodes.isEmpty() && interrupted.lastNode() != null) {
            nodes = List.of(interrupted.lastNode());
        }
        nodes.forEach(n -> object.apply(DriftReport.Kind.NODE, n).add("interrupted-apply", interrupted.describe()));
    }

    private static String changeMessage(ResourceChange change) {
        boolean differs = switch (change.action()) {
            case UPDATE, REPLACE, MIGRATE -> !change.attributes().isEmpty();
            case NOOP, CREATE, DELETE -> false;
        };
        String attributes = !differs ? "" : " (" + String.join(", ", change.attributes().stream()
                .map(AttributeChange::name).toList()) + ")";
        return change.reason() + attributes + (change.node() == null ? "" : " on node " + change.node())
                + ": apply would " + change.action().verb();
    }

    /** The change and its attributes, as the plan text shows them. */
    private static List<String> changeLines(ResourceChange change) {
        List<String> lines = new ArrayList<>();
        int width = change.attributes().stream().mapToInt(a -> a.name().length()).max().orElse(0);
        int valueWidth = change.attributes().stream().mapToInt(a -> value(a).length()).max().orElse(0);
        for (AttributeChange attribute : change.attributes()) {
            String marker = attribute.before() == null ? "+" : attribute.after() == null ? "-" : "~";
            StringBuilder line = new StringBuilder("    ").append(marker).append(' ')
                    .append(pad(attribute.name(), width)).append(" = ");
            if (change.action() == Action.UPDATE || attribute.effect() == Effect.DATA_LOSS) {
                line.append(pad(value(attribute), valueWidth)).append("   (").append(attribute.effect().label())
                        .append(')');
            } else {
                line.append(value(attribute));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static String value(AttributeChange attribute) {
        return attribute.before() == null ? attribute.after()
                : attribute.after() == null ? attribute.before()
                : attribute.before() + " -> " + attribute.after();
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }

    /** Which object a plan problem is about. */
    record Subject(DriftReport.Kind kind, String name) {
    }

    /** The object a problem is about, from its typed subject; a problem about no object is the cluster's. */
    static Subject subjectOf(PlanFinding problem, String cluster) {
        PlanFinding.Subject subject = problem.subject();
        if (subject.name() == null) {
            return new Subject(DriftReport.Kind.CLUSTER, cluster);
        }
        return switch (subject.kind()) {
            case CLUSTER -> new Subject(DriftReport.Kind.CLUSTER, cluster);
            case NODE -> new Subject(DriftReport.Kind.NODE, subject.name());
            case NETWORK -> new Subject(DriftReport.Kind.NETWORK, subject.name());
            case STORAGE -> new Subject(DriftReport.Kind.POOL, subject.name() + "@" + subject.node());
            case VM -> new Subject(DriftReport.Kind.VM, subject.name());
        };
    }

}
