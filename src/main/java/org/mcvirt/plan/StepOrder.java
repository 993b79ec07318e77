package org.mcvirt.plan;

import static org.mcvirt.plan.StepKind.ATTACH_DEVICE_LIVE;
import static org.mcvirt.plan.StepKind.DELETE_LV;
import static org.mcvirt.plan.StepKind.DELETE_DRBD;
import static org.mcvirt.plan.StepKind.DRBD_PROMOTE;
import static org.mcvirt.plan.StepKind.DRBD_INITIAL_SYNC;
import static org.mcvirt.plan.StepKind.DRBD_UP;
import static org.mcvirt.plan.StepKind.CREATE_DRBD_METADATA;
import static org.mcvirt.plan.StepKind.WRITE_DRBD_CONFIG;
import static org.mcvirt.plan.StepKind.CREATE_LV;
import static org.mcvirt.plan.StepKind.CREATE_NETWORK;
import static org.mcvirt.plan.StepKind.CREATE_POOL;
import static org.mcvirt.plan.StepKind.CREATE_VOLUME;
import static org.mcvirt.plan.StepKind.DEFINE_DOMAIN;
import static org.mcvirt.plan.StepKind.DELETE_NETWORK;
import static org.mcvirt.plan.StepKind.DELETE_VOLUME;
import static org.mcvirt.plan.StepKind.DETACH_DEVICE_LIVE;
import static org.mcvirt.plan.StepKind.SET_AUTOSTART;
import static org.mcvirt.plan.StepKind.SET_MEMORY_LIVE;
import static org.mcvirt.plan.StepKind.SHUTDOWN_DOMAIN;
import static org.mcvirt.plan.StepKind.START_DOMAIN;
import static org.mcvirt.plan.StepKind.START_NETWORK;
import static org.mcvirt.plan.StepKind.START_POOL;
import static org.mcvirt.plan.StepKind.UNDEFINE_DOMAIN;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Orders steps by one table of dependency rules. A rule says: a step of kind {@code before} runs before a step
 * of kind {@code after} when the two are related in the given way. The order is deterministic: among steps
 * that are ready, the one with the smallest (kind, subject) runs first.
 */
final class StepOrder {
    enum Relation {
        /** Both act on the same object. */
        SAME_SUBJECT,
        /** The later step uses (needs) what the earlier one acts on. */
        AFTER_USES_BEFORE,
        /** The earlier step uses (releases) what the later one acts on. */
        BEFORE_USES_AFTER
    }

    record Rule(StepKind before, StepKind after, Relation relation, String why) {
    }

    static final List<Rule> RULES = List.of(
            new Rule(CREATE_POOL, CREATE_VOLUME, Relation.AFTER_USES_BEFORE, "a volume lives in its pool"),
            new Rule(START_POOL, CREATE_VOLUME, Relation.AFTER_USES_BEFORE, "a volume is created in an active pool"),
            new Rule(CREATE_VOLUME, DEFINE_DOMAIN, Relation.AFTER_USES_BEFORE, "volume before define"),
            new Rule(CREATE_VOLUME, ATTACH_DEVICE_LIVE, Relation.AFTER_USES_BEFORE, "volume before hot-plug"),
            // images: uploaded into an active pool, then disks made from them and seeds written before the define
            new Rule(CREATE_POOL, StepKind.UPLOAD_IMAGE, Relation.AFTER_USES_BEFORE, "an image lives in its pool"),
            new Rule(START_POOL, StepKind.UPLOAD_IMAGE, Relation.AFTER_USES_BEFORE, "an image goes into an active pool"),
            new Rule(CREATE_POOL, StepKind.CREATE_VOLUME_FROM_IMAGE, Relation.AFTER_USES_BEFORE,
                    "a volume lives in its pool"),
            new Rule(START_POOL, StepKind.CREATE_VOLUME_FROM_IMAGE, Relation.AFTER_USES_BEFORE,
                    "a volume is created in an active pool"),
            new Rule(StepKind.UPLOAD_IMAGE, DEFINE_DOMAIN, Relation.AFTER_USES_BEFORE,
                    "an installer ISO is on the node before the definition names it"),
            new Rule(StepKind.UPLOAD_IMAGE, StepKind.MIGRATE_LIVE, Relation.AFTER_USES_BEFORE,
                    "an installer ISO is on the target before the vm moves there"),
            new Rule(StepKind.UPLOAD_IMAGE, StepKind.CREATE_VOLUME_FROM_IMAGE, Relation.AFTER_USES_BEFORE,
                    "the image is on the node before a disk is made from it"),
            new Rule(StepKind.CREATE_VOLUME_FROM_IMAGE, DEFINE_DOMAIN, Relation.AFTER_USES_BEFORE, "volume before define"),
            new Rule(CREATE_POOL, StepKind.WRITE_SEED, Relation.AFTER_USES_BEFORE, "a seed lives in its pool"),
            new Rule(START_POOL, StepKind.WRITE_SEED, Relation.AFTER_USES_BEFORE, "a seed goes into an active pool"),
            new Rule(StepKind.WRITE_SEED, DEFINE_DOMAIN, Relation.AFTER_USES_BEFORE, "the seed before the define"),
            new Rule(StepKind.WRITE_SEED, START_DOMAIN, Relation.AFTER_USES_BEFORE, "the seed before the start"),
            new Rule(StepKind.WRITE_SEED, StepKind.MIGRATE_LIVE, Relation.AFTER_USES_BEFORE,
                    "the seed on the target before the vm moves there"),
            new Rule(DRBD_INITIAL_SYNC, StepKind.WRITE_IMAGE, Relation.SAME_SUBJECT,
                    "the disk is the good copy, Primary, before the image is written onto it"),
            new Rule(StepKind.UPLOAD_IMAGE, StepKind.WRITE_IMAGE, Relation.AFTER_USES_BEFORE,
                    "the image is on the node before it is written"),
            new Rule(DEFINE_DOMAIN, StepKind.DELETE_SEED, Relation.AFTER_USES_BEFORE,
                    "the definition names the new seed before an old one goes"),
            new Rule(UNDEFINE_DOMAIN, StepKind.DELETE_SEED, Relation.AFTER_USES_BEFORE,
                    "undefine before the seeds go"),
            new Rule(SHUTDOWN_DOMAIN, StepKind.DELETE_SEED, Relation.AFTER_USES_BEFORE, "stop before the seeds go"),
            new Rule(StepKind.WRITE_IMAGE, DEFINE_DOMAIN, Relation.AFTER_USES_BEFORE, "the image before the define"),
            new Rule(StepKind.WRITE_IMAGE, START_DOMAIN, Relation.AFTER_USES_BEFORE, "the image before the start"),
            new Rule(CREATE_NETWORK, START_DOMAIN, Relation.AFTER_USES_BEFORE, "network before start"),
            new Rule(START_NETWORK, START_DOMAIN, Relation.AFTER_USES_BEFORE, "active network before start"),
            new Rule(CREATE_NETWORK, ATTACH_DEVICE_LIVE, Relation.AFTER_USES_BEFORE, "network before hot-plug"),
            new Rule(START_NETWORK, ATTACH_DEVICE_LIVE, Relation.AFTER_USES_BEFORE, "active network before hot-plug"),
            new Rule(DELETE_NETWORK, CREATE_NETWORK, Relation.SAME_SUBJECT, "a replaced network goes first"),
            new Rule(DEFINE_DOMAIN, START_DOMAIN, Relation.SAME_SUBJECT, "define before start"),
            new Rule(DEFINE_DOMAIN, SET_AUTOSTART, Relation.SAME_SUBJECT, "define before autostart"),
            new Rule(DEFINE_DOMAIN, SET_MEMORY_LIVE, Relation.SAME_SUBJECT, "definition before live memory"),
            new Rule(DEFINE_DOMAIN, ATTACH_DEVICE_LIVE, Relation.SAME_SUBJECT, "definition before hot-plug"),
            new Rule(DETACH_DEVICE_LIVE, DEFINE_DOMAIN, Relation.SAME_SUBJECT, "unplug before the new definition"),
            new Rule(SHUTDOWN_DOMAIN, UNDEFINE_DOMAIN, Relation.SAME_SUBJECT, "stop before undefine"),
            new Rule(SHUTDOWN_DOMAIN, DEFINE_DOMAIN, Relation.SAME_SUBJECT, "stop before redefine"),
            new Rule(DEFINE_DOMAIN, DELETE_VOLUME, Relation.AFTER_USES_BEFORE, "drop the disk from the definition first"),
            new Rule(DETACH_DEVICE_LIVE, DELETE_VOLUME, Relation.BEFORE_USES_AFTER, "unplug before deleting"),
            new Rule(UNDEFINE_DOMAIN, DELETE_VOLUME, Relation.AFTER_USES_BEFORE, "undefine before deleting its disks"),
            new Rule(SHUTDOWN_DOMAIN, DELETE_NETWORK, Relation.BEFORE_USES_AFTER, "stop users of a network first"),
            new Rule(UNDEFINE_DOMAIN, DELETE_NETWORK, Relation.BEFORE_USES_AFTER, "undefine users of a network first"),
            new Rule(DETACH_DEVICE_LIVE, DELETE_NETWORK, Relation.BEFORE_USES_AFTER, "unplug from a network first"),
            new Rule(DEFINE_DOMAIN, DELETE_NETWORK, Relation.BEFORE_USES_AFTER, "redefine away from a network first"),
            // replicated disks: LV, resource file, metadata, up on both nodes; the initial sync needs the peer up; the
            // domain uses the resource only once its node's copy is the good one
            new Rule(CREATE_LV, WRITE_DRBD_CONFIG, Relation.AFTER_USES_BEFORE, "the backing disk before its resource"),
            new Rule(StepKind.GROW_LV, StepKind.GROW_DRBD, Relation.AFTER_USES_BEFORE,
                    "both backing disks grown before the resource (drbdadm resize does nothing otherwise)"),
            new Rule(WRITE_DRBD_CONFIG, CREATE_DRBD_METADATA, Relation.SAME_SUBJECT, "the resource file before create-md"),
            new Rule(CREATE_DRBD_METADATA, DRBD_UP, Relation.SAME_SUBJECT, "metadata before up"),
            new Rule(WRITE_DRBD_CONFIG, DRBD_UP, Relation.SAME_SUBJECT, "the resource file before up"),
            new Rule(DRBD_UP, DRBD_INITIAL_SYNC, Relation.SAME_SUBJECT, "up before the sync"),
            new Rule(DRBD_UP, DRBD_INITIAL_SYNC, Relation.AFTER_USES_BEFORE, "the peer up before the sync"),
            new Rule(DRBD_UP, DRBD_PROMOTE, Relation.SAME_SUBJECT, "up before primary"),
            new Rule(DRBD_UP, DRBD_PROMOTE, Relation.AFTER_USES_BEFORE,
                    "the peer up before primary (after a reboot the copy here is UpToDate only once they connect)"),
            new Rule(DRBD_INITIAL_SYNC, DEFINE_DOMAIN, Relation.AFTER_USES_BEFORE, "the good copy before the vm uses it"),
            new Rule(DRBD_UP, DEFINE_DOMAIN, Relation.AFTER_USES_BEFORE, "the resource up before the vm uses it"),
            new Rule(DRBD_PROMOTE, DEFINE_DOMAIN, Relation.AFTER_USES_BEFORE, "primary before the vm uses it"),
            new Rule(DRBD_PROMOTE, START_DOMAIN, Relation.AFTER_USES_BEFORE, "primary before the vm starts"),
            new Rule(DRBD_INITIAL_SYNC, START_DOMAIN, Relation.AFTER_USES_BEFORE, "the good copy before the vm starts"),
            new Rule(SHUTDOWN_DOMAIN, DELETE_DRBD, Relation.AFTER_USES_BEFORE, "stop the vm before its replicas go"),
            new Rule(UNDEFINE_DOMAIN, DELETE_DRBD, Relation.AFTER_USES_BEFORE, "undefine before the replicas go"),
            new Rule(DEFINE_DOMAIN, DELETE_DRBD, Relation.AFTER_USES_BEFORE, "drop the disk from the definition first"),
            new Rule(DETACH_DEVICE_LIVE, DELETE_DRBD, Relation.BEFORE_USES_AFTER, "unplug before the replicas go"),
            new Rule(DELETE_DRBD, DELETE_LV, Relation.AFTER_USES_BEFORE, "the resource down before its backing disk"),
            // migration: the source stops and steps down before the target takes over; the target has the vm
            // before the source lets it go; it starts on the target only once the source no longer has it
            new Rule(SHUTDOWN_DOMAIN, StepKind.DRBD_DEMOTE, Relation.AFTER_USES_BEFORE, "stop the vm before demoting"),
            new Rule(StepKind.DRBD_DEMOTE, DRBD_PROMOTE, Relation.AFTER_USES_BEFORE,
                    "the old primary steps down before the new one takes over"),
            new Rule(SHUTDOWN_DOMAIN, DEFINE_DOMAIN, Relation.AFTER_USES_BEFORE,
                    "the source stops the vm before the target defines it"),
            new Rule(StepKind.DRBD_DEMOTE, DEFINE_DOMAIN, Relation.AFTER_USES_BEFORE,
                    "the source steps down before the target defines the vm"),
            new Rule(StepKind.DRBD_DEMOTE, DRBD_PROMOTE, Relation.SAME_SUBJECT,
                    "a side primary on both nodes steps down before it takes over in order"),
            new Rule(StepKind.DRBD_DEMOTE, START_DOMAIN, Relation.AFTER_USES_BEFORE,
                    "the peer steps down before the vm starts"),
            new Rule(DEFINE_DOMAIN, StepKind.UNDEFINE_MIGRATED, Relation.AFTER_USES_BEFORE,
                    "the target has the vm before the source lets it go"),
            new Rule(SHUTDOWN_DOMAIN, StepKind.UNDEFINE_MIGRATED, Relation.SAME_SUBJECT, "stop before undefine"),
            new Rule(StepKind.DRBD_DEMOTE, StepKind.UNDEFINE_MIGRATED, Relation.BEFORE_USES_AFTER,
                    "demote the source before it lets the vm go"),
            new Rule(StepKind.UNDEFINE_MIGRATED, START_DOMAIN, Relation.BEFORE_USES_AFTER,
                    "start on the target only once the source no longer has the vm"),
            new Rule(StepKind.UNDEFINE_MIGRATED, SET_AUTOSTART, Relation.BEFORE_USES_AFTER,
                    "autostart on the target once the source no longer has the vm"),
            new Rule(CREATE_NETWORK, StepKind.MIGRATE_LIVE, Relation.AFTER_USES_BEFORE, "network before migration"),
            new Rule(START_NETWORK, StepKind.MIGRATE_LIVE, Relation.AFTER_USES_BEFORE, "active network before migration"),
            new Rule(StepKind.MIGRATE_LIVE, SET_AUTOSTART, Relation.AFTER_USES_BEFORE,
                    "autostart on the target after the migration"),
            new Rule(StepKind.DRBD_DEMOTE, StepKind.REGISTER_DOMAIN, Relation.AFTER_USES_BEFORE,
                    "the peer steps down before the vm is registered"),
            new Rule(DRBD_PROMOTE, StepKind.REGISTER_DOMAIN, Relation.AFTER_USES_BEFORE,
                    "primary before the vm is registered"),
            new Rule(StepKind.REGISTER_DOMAIN, START_DOMAIN, Relation.SAME_SUBJECT, "register before start"),
            new Rule(StepKind.REGISTER_DOMAIN, SET_AUTOSTART, Relation.SAME_SUBJECT, "register before autostart"),
            // failover: the survivor records the takeover before its copy becomes the primary one
            new Rule(StepKind.RECORD_FAILOVER, DRBD_PROMOTE, Relation.AFTER_USES_BEFORE,
                    "the failover is recorded before the survivor's copy is made primary"),
            new Rule(StepKind.RECORD_FAILOVER, StepKind.REGISTER_DOMAIN, Relation.AFTER_USES_BEFORE,
                    "the failover is recorded before the vm is registered on the survivor"),
            // a node back after a failover: its stale definition goes before its copy is connected and overwritten
            new Rule(StepKind.UNDEFINE_MIGRATED, StepKind.REJOIN_STALE_COPY, Relation.AFTER_USES_BEFORE,
                    "the stale definition goes before the stale copy is reconnected"));

    private StepOrder() {
    }

    static boolean related(Rule rule, StepDraft before, StepDraft after) {
        if (rule.before() != before.kind() || rule.after() != after.kind()) {
            return false;
        }
        return switch (rule.relation()) {
            case SAME_SUBJECT -> before.subject().equals(after.subject());
            case AFTER_USES_BEFORE -> after.uses().contains(before.subject());
            case BEFORE_USES_AFTER -> before.uses().contains(after.subject());
        };
    }

    /** The rules by the kind of their later step: a draft looks up only the rules it can be the later step of. */
    private static final Map<StepKind, List<Rule>> RULES_BY_AFTER = new EnumMap<>(StepKind.class);

    static {
        for (Rule rule : RULES) {
            RULES_BY_AFTER.computeIfAbsent(rule.after(), k -> new ArrayList<>()).add(rule);
        }
    }

    /**
     * Numbers the drafts 1..n in a valid order and records each step's direct dependencies. The drafts are indexed
     * by (kind, subject) and by (kind, used subject), so each rule finds the partners of a draft by lookup instead
     * of by comparing every pair; {@link #related} still decides every dependency.
     */
    static List<Step> order(List<StepDraft> drafts) {
        int n = drafts.size();
        Map<StepKind, Map<String, List<Integer>>> bySubject = new EnumMap<>(StepKind.class);
        Map<StepKind, Map<String, List<Integer>>> byUse = new EnumMap<>(StepKind.class);
        for (int i = 0; i < n; i++) {
            StepDraft draft = drafts.get(i);
            bySubject.computeIfAbsent(draft.kind(), k -> new HashMap<>())
                    .computeIfAbsent(draft.subject(), s -> new ArrayList<>()).add(i);
            for (String used : new LinkedHashSet<>(draft.uses())) {
                byUse.computeIfAbsent(draft.kind(), k -> new HashMap<>())
                        .computeIfAbsent(used, s -> new ArrayList<>()).add(i);
            }
        }
        int[][] predecessors = new int[n][];
        int[] successorCount = new int[n];
        List<Integer> found = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            StepDraft after = drafts.get(b);
            found.clear();
            for (Rule rule : RULES_BY_AFTER.getOrDefault(after.kind(), List.of())) {
                switch (rule.relation()) {
                    case SAME_SUBJECT -> found.addAll(lookup(bySubject, rule.before(), after.subject()));
                    case AFTER_USES_BEFORE -> after.uses().forEach(u -> found.addAll(lookup(bySubject, rule.before(), u)));
                    case BEFORE_USES_AFTER -> found.addAll(lookup(byUse, rule.before(), after.subject()));
                }
            }
            int index = b;
            predecessors[b] = found.stream().mapToInt(Integer::intValue).sorted().distinct()
                    .filter(a -> a != index && RULES_BY_AFTER.get(after.kind()).stream()
                            .anyMatch(rule -> related(rule, drafts.get(a), after)))
                    .toArray();
            for (int a : predecessors[b]) {
                successorCount[a]++;
            }
        }
        // successors in ascending order, so the ready queue sees the same additions as a scan of all drafts would
        int[][] successors = new int[n][];
        for (int a = 0; a < n; a++) {
            successors[a] = new int[successorCount[a]];
            successorCount[a] = 0;
        }
        for (int b = 0; b < n; b++) {
            for (int a : predecessors[b]) {
                successors[a][successorCount[a]++] = b;
            }
        }
        Comparator<Integer> readyOrder = Comparator.comparing((Integer i) -> drafts.get(i).kind())
                .thenComparing(i -> drafts.get(i).subject()).thenComparing(i -> drafts.get(i).description());
        PriorityQueue<Integer> ready = new PriorityQueue<>(readyOrder);
        int[] waiting = new int[n];
        for (int i = 0; i < n; i++) {
            waiting[i] = predecessors[i].length;
            if (waiting[i] == 0) {
                ready.add(i);
            }
        }
        int[] idOf = new int[n];
        List<Integer> sequence = new ArrayList<>();
        while (!ready.isEmpty()) {
            int next = ready.poll();
            sequence.add(next);
            idOf[next] = sequence.size();
            for (int b : successors[next]) {
                if (--waiting[b] == 0) {
                    ready.add(b);
                }
            }
        }
        if (sequence.size() != n) {
            throw new IllegalStateException("dependency rules form a cycle among the planned steps");
        }
        List<Step> steps = new ArrayList<>();
        for (int index : sequence) {
            StepDraft d = drafts.get(index);
            List<Integer> dependsOn = Arrays.stream(predecessors[index]).map(p -> idOf[p]).sorted().boxed().toList();
            steps.add(new Step(idOf[index], d.node(), d.subject(), d.uses(), d.change(), d.description(),
                    d.payload(), dependsOn, d.peers()));
        }
        return steps;
    }

    private static List<Integer> lookup(Map<StepKind, Map<String, List<Integer>>> index, StepKind kind, String key) {
        return index.getOrDefault(kind, Map.of()).getOrDefault(key, List.of());
    }
}
