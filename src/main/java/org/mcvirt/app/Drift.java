package org.mcvirt.app;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.plan.AttributeChange;
import org.mcvirt.plan.Action;
import org.mcvirt.plan.Effect;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.PlanFinding;
import org.mcvirt.plan.Planner;
import org.mcvirt.plan.ResourceChange;
import org.mcvirt.state.Availability;
import org.mcvirt.state.DiskHealth;
import org.mcvirt.state.Journal;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.VerifyRecord;

/**
 * The drift check ({@code mcvirt drift}): reads the cluster once, plans against the manifests and tells, object by
 * object, whether it matches the manifest and is healthy. Read-only: takes no lock and changes nothing.
 *
 * <p>{@link #assess} is the pure part. A node drifts when it cannot be read, when a stale cluster lock is on it or
 * its lock cannot be read, or when the last apply stopped part-way on it; a network, pool or vm when the plan has a
 * change or a problem for it (which covers libvirt attributes and unmanaged objects in the way) or when a node it
 * lives on cannot be read; a replicated disk on a DiskHealth finding (StandAlone or split-brain, disconnected,
 * degraded, out of sync, a verify mark or a failed verify), when DRBD cannot be read on a node of its pair, when it
 * does not exist, or when its last verify is older than {@code cluster.drbd.verifyMaxAge} (or it was never verified
 * while that is set). A plan problem is filed under the object its typed subject names; one about none of these
 * objects makes a cluster entry drift.
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
        String cluster = in.desired().cluster().name();
        Map<String, Findings> objects = new LinkedHashMap<>();
        BiFunction<DriftReport.Kind, String, Findings> object = (kind, name) ->
                objects.computeIfAbsent(kind.name() + "\n" + name, k -> new Findings(kind, name));
        List<String> unread = in.observed().nodes().stream().filter(n -> !n.reachable()).map(NodeObservation::node)
                .toList();

        for (NodeSpec node : in.desired().nodes()) {
            object.apply(DriftReport.Kind.NODE, node.name());
            for (StorageSpec storage : node.storage()) {
                if (storage.type() == StorageSpec.StorageType.FILE) {
                    Findings pool = object.apply(DriftReport.Kind.POOL, storage.name() + "@" + node.name());
                    if (unread.contains(node.name())) {
                        pool.add("not-checked", "not checked: node " + node.name() + " could not be read");
                    }
                }
            }
        }
        for (NetworkSpec network : in.desired().networks()) {
            Findings findings = object.apply(DriftReport.Kind.NETWORK, network.name());
            in.desired().nodes().stream().map(NodeSpec::name).filter(unread::contains).forEach(n -> findings.add(
                    "not-checked", "not checked on node " + n + ": it could not be read"));
        }
        for (VmSpec vm : in.desired().vms()) {
            Findings findings = object.apply(DriftReport.Kind.VM, vm.name());
            if (unread.contains(vm.node())) {
                findings.add("not-checked", "not checked: its node " + vm.node() + " could not be read");
            }
        }

        for (ResourceChange change : in.plan().changes()) {
            DriftReport.Kind kind = switch (change.kind()) {
                case VM -> DriftReport.Kind.VM;
                case NETWORK -> DriftReport.Kind.NETWORK;
                case STORAGE -> DriftReport.Kind.POOL;
            };
            String name = kind == DriftReport.Kind.POOL ? change.name() + "@" + change.node() : change.name();
            object.apply(kind, name).add("change", changeMessage(change), changeLines(change));
        }
        for (PlanFinding problem : in.plan().problems()) {
            Subject subject = subjectOf(problem, cluster);
            object.apply(subject.kind(), subject.name()).add("problem", problem.message());
        }

        locks(in, object, unread);
        interruptedApply(in, object);
        disks(in, object);

        List<DriftReport.Item> items = objects.values().stream().map(Findings::item).toList();
        return new DriftReport(cluster, in.at().toString(), controller, took.toMillis(), items);
    }

    private static void locks(Inputs in, BiFunction<DriftReport.Kind, String, Findings> object,
                              List<String> unread) {
        for (ClusterLock.NodeLock lock : in.locks()) {
            Findings node = object.apply(DriftReport.Kind.NODE, lock.node());
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
    private static void interruptedApply(Inputs in,
                                         BiFunction<DriftReport.Kind, String, Findings> object) {
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

    /** One entry per replicated disk: those the manifest asks for and those mcvirt's marks show on the nodes. */
    private static void disks(Inputs in, BiFunction<DriftReport.Kind, String, Findings> object) {
        String cluster = in.desired().cluster().name();
        // what the nodes have: vm -> disk -> (its mark, the pair)
        Map<String, Map<String, VmMetadata.Disk>> marked = new TreeMap<>();
        Map<String, List<String>> pairs = new TreeMap<>();
        for (NodeObservation node : in.observed().nodes()) {
            for (ObservedDomain domain : node.domains()) {
                VmMetadata meta = domain.metadata();
                if (meta == null || !meta.cluster().equals(cluster)) {
                    continue;
                }
                meta.disks().stream().filter(VmMetadata.Disk::replicated).forEach(d -> marked
                        .computeIfAbsent(meta.name(), v -> new TreeMap<>()).put(d.name(), d));
                pairs.put(meta.name(), meta.pair().isEmpty() ? List.of(node.node()) : meta.pair());
            }
        }
        Map<String, List<String>> wanted = new TreeMap<>();
        for (VmSpec vm : in.desired().vms()) {
            vm.disks().stream().filter(VmSpec.DiskSpec::replicated).forEach(d -> wanted
                    .computeIfAbsent(vm.name(), v -> new ArrayList<>()).add(d.name()));
        }
        Map<String, List<DiskHealth.Finding>> health = new TreeMap<>();
        DiskHealth.of(in.observed(), cluster).forEach(f -> health.computeIfAbsent(f.vm() + "/" + f.disk(),
                k -> new ArrayList<>()).add(f));
        Optional<Duration> maxAge = in.desired().cluster().drbdIfEnabled()
                .map(DrbdSpec::verifyMaxAge);

        Set<String> all = new TreeSet<>();
        wanted.forEach((vm, disks) -> disks.forEach(d -> all.add(vm + "/" + d)));
        marked.forEach((vm, disks) -> disks.keySet().forEach(d -> all.add(vm + "/" + d)));
        for (String key : all) {
            String vm = key.substring(0, key.indexOf('/'));
            String diskName = key.substring(key.indexOf('/') + 1);
            Findings findings = object.apply(DriftReport.Kind.DISK, key);
            boolean inManifest = wanted.getOrDefault(vm, List.of()).contains(diskName);
            VmMetadata.Disk mark = marked.getOrDefault(vm, Map.of()).get(diskName);
            Optional<VmSpec> spec = in.desired().vm(vm);
            List<String> pair = mark != null ? pairs.get(vm)
                    : spec.map(v -> v.pair().isEmpty() ? List.of(v.node()) : v.pair()).orElse(List.of());
            List<String> unreadPair = pair.stream().filter(n -> in.observed().node(n)
                    .map(o -> !o.reachable()).orElse(true)).toList();
            unreadPair.forEach(n -> findings.add("not-checked", "not checked on node " + n + ": it could not be read"));
            if (mark == null) {
                if (unreadPair.isEmpty()) {
                    findings.add("change", "does not exist on the nodes yet: apply creates it with vm " + vm);
                }
                continue;
            }
            if (!inManifest) {
                findings.add("change", "vm " + vm + (spec.isPresent() ? " has no replicated disk " + diskName
                        + " in the manifest" : " is not in the manifest") + ": the plan removes the disk");
            }
            for (String node : pair) {
                Optional<NodeObservation> seen = in.observed().node(node).filter(NodeObservation::reachable);
                if (seen.isPresent() && seen.get().drbd().availability() != Availability.PRESENT) {
                    ObservedDrbd drbd = seen.get().drbd();
                    findings.add("drbd-not-read", "DRBD on node " + node + " cannot be read ("
                            + drbd.availability().name().toLowerCase(Locale.ROOT).replace('_', '-')
                            + (drbd.errors().isEmpty() ? "" : ": " + String.join("; ", drbd.errors())) + ")");
                }
            }
            for (DiskHealth.Finding finding : health.getOrDefault(key, List.of())) {
                if (finding.expected()) {
                    findings.note(finding.text());
                } else {
                    findings.add("disk-health", finding.text());
                }
            }
            verifyAge(in, findings, vm, mark.resource(), pair, maxAge);
        }
    }

    /** The last verify of a resource against cluster.drbd.verifyMaxAge, when that is set. */
    private static void verifyAge(Inputs in, Findings findings, String vm, String resource, List<String> pair,
                                  Optional<Duration> maxAge) {
        VerifyRecord latest = null;
        for (String node : pair) {
            Optional<VerifyRecord> record = in.observed().node(node).filter(NodeObservation::reachable)
                    .flatMap(n -> n.drbd().verification(resource));
            if (record.isPresent() && (latest == null || String.valueOf(record.get().startedAt())
                    .compareTo(String.valueOf(latest.startedAt())) > 0)) {
                latest = record.get();
            }
        }
        String fix = "; fix: 'mcvirt verify " + vm + "'";
        if (latest == null) {
            if (maxAge.isPresent()) {
                findings.add("verify-age", "never verified, and cluster.drbd.verifyMaxAge is " + age(maxAge.get())
                        + fix);
            }
            return;
        }
        String finished = latest.finishedAt() != null ? latest.finishedAt() : latest.startedAt();
        String last = "last verify " + latest.result().label() + (finished == null ? "" : " at " + finished);
        if (maxAge.isEmpty() || latest.result() == VerifyRecord.Result.FAILED || finished == null) {
            findings.note(last); // a failed verify is a DiskHealth finding already
            return;
        }
        Duration age;
        try {
            age = Duration.between(Instant.parse(finished), in.at());
        } catch (DateTimeParseException e) {
            findings.add("verify-age", "the time of its last verify cannot be read: " + finished + fix);
            return;
        }
        if (age.compareTo(maxAge.get()) > 0) {
            findings.add("verify-age", last + ", " + age(age) + " ago: older than cluster.drbd.verifyMaxAge "
                    + age(maxAge.get()) + fix);
        } else {
            findings.note(last + ", " + age(age) + " ago");
        }
    }

    /** An age as the manifest writes it, 7d, 12h, 30m, with the next unit when it is not whole: 8d 3h. */
    static String age(Duration duration) {
        long days = duration.toDays();
        int hours = duration.toHoursPart();
        if (days > 0) {
            return days + "d" + (hours > 0 ? " " + hours + "h" : "");
        }
        int minutes = duration.toMinutesPart();
        if (hours > 0) {
            return hours + "h" + (minutes > 0 ? " " + minutes + "m" : "");
        }
        return Math.max(0, duration.toMinutes()) + "m";
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

    /** What was found about one object while the report is built. */
    private static final class Findings {
        private final DriftReport.Kind kind;
        private final String name;
        private final List<String> types = new ArrayList<>();
        private final List<String> messages = new ArrayList<>();
        private final List<String> details = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();

        Findings(DriftReport.Kind kind, String name) {
            this.kind = kind;
            this.name = name;
        }

        void add(String type, String message) {
            add(type, message, List.of());
        }

        void add(String type, String message, List<String> lines) {
            String line = oneLine(message);
            types.add(type);
            messages.add(line);
            details.add(line);
            details.addAll(lines);
        }

        void note(String note) {
            notes.add(oneLine(note));
        }

        DriftReport.Item item() {
            boolean drifted = !messages.isEmpty();
            String message = !drifted ? null : messages.size() == 1 ? messages.get(0)
                    : messages.get(0) + " (and " + (messages.size() - 1) + " more)";
            return new DriftReport.Item(kind, name, drifted, drifted ? types.get(0) : null, message, details, notes);
        }

        private static String oneLine(String text) {
            return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
        }
    }
}
