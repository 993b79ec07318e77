package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link StepOrder#order} must give exactly what the first, quadratic version gave: the same steps in the same
 * order with the same dependencies, and a cycle where it found one. That version is kept here as the oracle and
 * both run on randomized drafts: few subjects so that rules match often, repeated (kind, subject, description)
 * so that ties in the ready queue are exercised. Nothing here measures time.
 */
class StepOrderEquivalenceTest {
    private static final StepKind[] KINDS = StepKind.values();

    @Test
    void ordersRandomDraftsExactlyLikeTheReferenceAlgorithm() {
        Random random = new Random(20261126L);
        int ordered = 0;
        int cycles = 0;
        for (int round = 0; round < 3000; round++) {
            List<StepDraft> drafts = randomDrafts(random, 1 + random.nextInt(round < 2500 ? 25 : 200));
            List<Step> expected;
            try {
                expected = referenceOrder(drafts);
            } catch (IllegalStateException cycle) {
                cycles++;
                List<StepDraft> copy = drafts;
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> StepOrder.order(copy))
                        .isInstanceOf(IllegalStateException.class).hasMessage(cycle.getMessage());
                continue;
            }
            assertThat(StepOrder.order(drafts)).as("round %d, drafts %s", round, drafts).isEqualTo(expected);
            ordered++;
        }
        // the random input must give mostly orderable plans
        assertThat(ordered).isGreaterThan(1500);
        // the rule table has no cycle: since define no longer waits for its network (only start and hot-plug do), no
        // random plan forms one, and the oracle and StepOrder agree on every set
        assertThat(cycles).isZero();
    }

    @Test
    void ordersAPlanShapedInputExactlyLikeTheReferenceAlgorithm() {
        // what a plan looks like: pools, networks, and many vms each with a volume, define, autostart and start
        List<StepDraft> drafts = new ArrayList<>();
        drafts.add(draft(StepKind.CREATE_POOL, "pool:n1/p", "create pool"));
        drafts.add(draft(StepKind.CREATE_NETWORK, "network:n1/net", "create net"));
        drafts.add(draft(StepKind.DELETE_NETWORK, "network:n1/old", "delete old"));
        for (int i = 299; i >= 0; i--) {
            String domain = "domain:n1/vm" + i;
            String volume = "volume:n1/p/vm" + i + "-root";
            String network = i % 3 == 0 ? "network:n1/old" : "network:n1/net";
            drafts.add(draft(StepKind.CREATE_VOLUME, volume, "create volume " + i, "pool:n1/p"));
            drafts.add(draft(StepKind.DEFINE_DOMAIN, domain, "define " + i, volume, network));
            if (i % 3 == 0) {
                drafts.add(draft(StepKind.UNDEFINE_DOMAIN, domain, "undefine " + i, network));
            } else {
                drafts.add(draft(StepKind.SET_AUTOSTART, domain, "autostart " + i));
                drafts.add(draft(StepKind.START_DOMAIN, domain, "start " + i, network));
            }
        }
        assertThat(StepOrder.order(drafts)).isEqualTo(referenceOrder(drafts));
    }

    private static List<StepDraft> randomDrafts(Random random, int count) {
        String[] subjects = {"pool:n1/p", "volume:n1/p/a", "volume:n1/p/b", "network:n1/x", "network:n1/y",
            "domain:n1/a", "domain:n1/b", "domain:n2/a"};
        int pool = 2 + random.nextInt(subjects.length - 1);
        List<StepDraft> drafts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StepKind kind = KINDS[random.nextInt(KINDS.length)];
            String subject = subjects[random.nextInt(pool)];
            List<String> uses = new ArrayList<>();
            int usesCount = random.nextInt(4);
            for (int u = 0; u < usesCount; u++) {
                uses.add(subjects[random.nextInt(subjects.length)]); // repeats allowed, and a draft may use itself
            }
            drafts.add(draft(kind, subject, "d" + random.nextInt(3), uses.toArray(String[]::new)));
        }
        return drafts;
    }

    private static StepDraft draft(StepKind kind, String subject, String description, String... uses) {
        return new StepDraft("n1", subject, List.of(uses), "change", description, SamplePayloads.of(kind));
    }

    /** The first version of StepOrder.order, unchanged: every pair of drafts against every rule. */
    static List<Step> referenceOrder(List<StepDraft> drafts) {
        int n = drafts.size();
        List<Set<Integer>> predecessors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            predecessors.add(new TreeSet<>());
        }
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (a == b) {
                    continue;
                }
                for (StepOrder.Rule rule : StepOrder.RULES) {
                    if (related(rule, drafts.get(a), drafts.get(b))) {
                        predecessors.get(b).add(a);
                    }
                }
            }
        }
        Comparator<Integer> readyOrder = Comparator.comparing((Integer i) -> drafts.get(i).kind())
                .thenComparing(i -> drafts.get(i).subject()).thenComparing(i -> drafts.get(i).description());
        PriorityQueue<Integer> ready = new PriorityQueue<>(readyOrder);
        int[] waiting = new int[n];
        for (int i = 0; i < n; i++) {
            waiting[i] = predecessors.get(i).size();
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
            for (int b = 0; b < n; b++) {
                if (predecessors.get(b).contains(next) && --waiting[b] == 0) {
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
            List<Integer> dependsOn = predecessors.get(index).stream().map(p -> idOf[p]).sorted().toList();
            steps.add(new Step(idOf[index], d.node(), d.subject(), d.uses(), d.change(), d.description(),
                    d.payload(), dependsOn));
        }
        return steps;
    }

    private static boolean related(StepOrder.Rule rule, StepDraft before, StepDraft after) {
        if (rule.before() != before.kind() || rule.after() != after.kind()) {
            return false;
        }
        return switch (rule.relation()) {
            case SAME_SUBJECT -> before.subject().equals(after.subject());
            case AFTER_USES_BEFORE -> after.uses().contains(before.subject());
            case BEFORE_USES_AFTER -> before.uses().contains(after.subject());
        };
    }
}
