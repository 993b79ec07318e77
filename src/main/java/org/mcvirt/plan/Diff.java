package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * What one {@link ResourceDiffer} found: the changes it plans, the step drafts that carry them out, and the
 * problems that make a safe plan impossible. Immutable; the {@link Planner} concatenates the diffs of all differs,
 * sorts changes and problems, and orders the drafts with {@link StepOrder}.
 */
record Diff(List<ResourceChange> changes, List<StepDraft> drafts, List<PlanFinding> problems) {
    static final Diff EMPTY = new Diff(List.of(), List.of(), List.of());

    Diff {
        changes = List.copyOf(changes);
        drafts = List.copyOf(drafts);
        problems = List.copyOf(problems);
    }

    static Diff problems(List<PlanFinding> problems) {
        return new Diff(List.of(), List.of(), problems);
    }

    /** This diff followed by another: each list keeps its order, this one's entries first. */
    Diff plus(Diff other) {
        return new Diff(concat(changes, other.changes), concat(drafts, other.drafts), concat(problems, other.problems));
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first.size() + second.size());
        all.addAll(first);
        all.addAll(second);
        return all;
    }

    /** Collects one differ's findings during one call; never shared between calls or differs. */
    static final class Builder {
        private final List<ResourceChange> changes = new ArrayList<>();
        private final List<StepDraft> drafts = new ArrayList<>();
        private final List<PlanFinding> problems = new ArrayList<>();

        void change(ResourceChange change) {
            changes.add(change);
        }

        void step(String node, String subject, List<String> uses, String change, String description,
                  StepPayload payload) {
            drafts.add(new StepDraft(node, subject, uses, change, description, payload));
        }

        /** A step that also touches other nodes (the executor reserves them; each gets a journal line). */
        void step(String node, List<String> peers, String subject, List<String> uses, String change,
                  String description, StepPayload payload) {
            drafts.add(new StepDraft(node, subject, uses, change, description, payload, peers));
        }

        void problem(PlanFinding.Code code, PlanFinding.Subject subject, String message) {
            problems.add(new PlanFinding(code, subject, message));
        }

        void problem(PlanFinding problem) {
            problems.add(problem);
        }

        /** Everything another diff found, after what this one has. */
        void add(Diff other) {
            changes.addAll(other.changes());
            drafts.addAll(other.drafts());
            problems.addAll(other.problems());
        }

        Diff build() {
            return new Diff(changes, drafts, problems);
        }
    }
}
