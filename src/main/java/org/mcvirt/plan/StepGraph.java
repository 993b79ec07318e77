package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules a plan's steps must follow for apply to walk them: ids are unique, every dependency is a step of the
 * plan, and no step waits for itself, directly or through others. The planner always builds such a graph; a saved
 * plan edited by hand may not, and the executor would then wait forever for a step that never becomes ready.
 */
public final class StepGraph {
    private StepGraph() {
    }

    /** A step graph apply cannot walk. */
    public static final class InvalidStepGraphException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidStepGraphException(String message) {
            super(message);
        }
    }

    /** Throws {@link InvalidStepGraphException} naming the steps at fault; the first fault found, in step order. */
    public static void validate(List<Step> steps) {
        Map<Integer, Step> byId = new HashMap<>();
        for (Step step : steps) {
            if (byId.putIfAbsent(step.id(), step) != null) {
                throw new InvalidStepGraphException("two steps have the id " + step.id());
            }
        }
        for (Step step : steps) {
            for (int dependency : step.dependsOn()) {
                if (!byId.containsKey(dependency)) {
                    throw new InvalidStepGraphException("step " + step.id() + " depends on step " + dependency
                            + ", which is not in the plan");
                }
                if (dependency == step.id()) {
                    throw new InvalidStepGraphException("step " + step.id() + " depends on itself");
                }
            }
        }
        Set<Integer> finished = new HashSet<>();
        for (Step step : steps) {
            List<Integer> cycle = cycleFrom(step.id(), byId, finished, new ArrayList<>());
            if (cycle != null) {
                StringBuilder message = new StringBuilder("step " + cycle.get(0));
                for (int i = 1; i < cycle.size(); i++) {
                    message.append(i == 1 ? " depends on step " : ", which depends on step ").append(cycle.get(i));
                }
                throw new InvalidStepGraphException(message + ": the steps form a cycle");
            }
        }
    }

    /**
     * Depth-first search along dependencies. Returns the cycle as ids (first id repeated at the end) when one is
     * reachable from id through steps not yet finished, else null. Plans are small, so recursion depth is too.
     */
    private static List<Integer> cycleFrom(int id, Map<Integer, Step> byId, Set<Integer> finished, List<Integer> path) {
        if (finished.contains(id)) {
            return null;
        }
        int onPath = path.indexOf(id);
        if (onPath >= 0) {
            List<Integer> cycle = new ArrayList<>(path.subList(onPath, path.size()));
            cycle.add(id);
            return cycle;
        }
        path.add(id);
        for (int dependency : byId.get(id).dependsOn()) {
            List<Integer> cycle = cycleFrom(dependency, byId, finished, path);
            if (cycle != null) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        finished.add(id);
        return null;
    }
}
