package org.mcvirt.plan;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The plan as data: a versioned, JSON-able record of changes, the ordered steps, the fingerprint of the observed
 * state it was built from, the digest of the manifests it was made from and how to reach each node, so a saved plan
 * is self-contained. The human text and --json are both rendered from this value. madeWith: the options it was
 * planned with when they narrow or change it ({@code plan --target}, {@code --live}), null otherwise, so apply of a
 * saved plan can plan it again the same way.
 */
public record Plan(int formatVersion, String cluster, String fingerprint, String manifestDigest, List<PlanNode> nodes,
                   List<ResourceChange> changes, List<Step> steps, List<PlanFinding> problems,
                   List<PlanFinding> warnings, Summary summary,
                   @JsonInclude(JsonInclude.Include.NON_NULL) MadeWith madeWith) {
    public static final int FORMAT_VERSION = 3;

    @JsonCreator
    public Plan {
        Objects.requireNonNull(fingerprint, "fingerprint");
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        changes = List.copyOf(changes);
        steps = List.copyOf(steps);
        StepGraph.validate(steps);
        problems = List.copyOf(problems);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        madeWith = madeWith == null || madeWith.isDefault() ? null : madeWith;
    }

    /** A plan made with every vm and the migration modes of the manifests. */
    public Plan(int formatVersion, String cluster, String fingerprint, String manifestDigest, List<PlanNode> nodes,
                List<ResourceChange> changes, List<Step> steps, List<PlanFinding> problems,
                List<PlanFinding> warnings, Summary summary) {
        this(formatVersion, cluster, fingerprint, manifestDigest, nodes, changes, steps, problems, warnings, summary,
                null);
    }

    /** A plan that carries no nodes and no manifest digest (tests of the walk and the text). */
    public Plan(int formatVersion, String cluster, String fingerprint, List<ResourceChange> changes, List<Step> steps,
                List<PlanFinding> problems, Summary summary) {
        this(formatVersion, cluster, fingerprint, null, List.of(), changes, steps, problems, List.of(), summary);
    }

    /** The problems' messages, in order. */
    public List<String> problemMessages() {
        return problems.stream().map(PlanFinding::message).toList();
    }

    /** This plan with one more warning at the end. */
    public Plan withWarning(PlanFinding warning) {
        List<PlanFinding> more = new ArrayList<>(warnings);
        more.add(warning);
        return new Plan(formatVersion, cluster, fingerprint, manifestDigest, nodes, changes, steps, problems, more,
                summary, madeWith);
    }

    /** The options to plan this plan again with (a saved plan checked by apply). */
    public Planner.Options options() {
        return madeWith == null ? Planner.Options.all()
                : new Planner.Options(Set.copyOf(madeWith.targets()), madeWith.live())
                .withNodeLoss(madeWith.allowDowntime(), Set.copyOf(madeWith.acceptStale()));
    }

    /** The planning options a plan was made with: the vms it is narrowed to (none: all) and --live. */
    public record MadeWith(List<String> targets, boolean live,
                           @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean allowDowntime,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> acceptStale) {
        public MadeWith {
            allowDowntime = allowDowntime != null && allowDowntime;
            targets = targets == null ? List.of() : targets.stream().sorted().distinct().toList();
            acceptStale = acceptStale == null ? List.of() : acceptStale.stream().sorted().distinct().toList();
        }

        public MadeWith(List<String> targets, boolean live) {
            this(targets, live, false, List.of());
        }

        static MadeWith of(Planner.Options options) {
            return new MadeWith(List.copyOf(options.targetVms()), options.live(), options.allowDowntime(),
                    List.copyOf(options.acceptStale()));
        }

        boolean isDefault() {
            return targets.isEmpty() && !live && !allowDowntime && acceptStale.isEmpty();
        }
    }

    public boolean hasChanges() {
        return !steps.isEmpty();
    }

    public boolean destroys() {
        return changes.stream().anyMatch(ResourceChange::destroysData)
                || steps.stream().anyMatch(s -> s.kind().destructive());
    }

    /** Counts per action; a replace counts as one create and one destroy. */
    public record Summary(int create, int change, int migrate, int destroy) {
        static Summary of(List<ResourceChange> changes) {
            int create = 0;
            int change = 0;
            int migrate = 0;
            int destroy = 0;
            for (ResourceChange c : changes) {
                Summary counted = switch (c.action()) {
                    case CREATE -> new Summary(1, 0, 0, 0);
                    case UPDATE -> new Summary(0, 1, 0, 0);
                    case MIGRATE -> new Summary(0, 0, 1, 0);
                    case DELETE -> new Summary(0, 0, 0, 1);
                    case REPLACE -> new Summary(1, 0, 0, 1);
                    case NOOP -> new Summary(0, 0, 0, 0);
                };
                create += counted.create();
                change += counted.change();
                migrate += counted.migrate();
                destroy += counted.destroy();
            }
            return new Summary(create, change, migrate, destroy);
        }
    }
}
