package org.mcvirt.plan;

import java.util.List;
import java.util.TreeSet;

/**
 * A plan's step graph in Graphviz DOT: one lane (cluster) per node, one box per step labelled with its number and
 * description, an arrow from each step to the steps that wait for it. Destructive steps are red; a step that also
 * touches other nodes has a dashed box in their lanes, joined to it by a dashed line. Deterministic.
 */
public final class PlanGraph {
    private PlanGraph() {
    }

    public static String dot(Plan plan) {
        StringBuilder out = new StringBuilder();
        out.append("digraph \"mcvirt plan ").append(quote(plan.cluster())).append("\" {\n")
                .append("  rankdir=LR;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n");
        for (String node : new TreeSet<>(plan.steps().stream().flatMap(s -> s.nodes().stream()).toList())) {
            out.append("  subgraph \"cluster_").append(quote(node)).append("\" {\n    label=\"node ")
                    .append(quote(node)).append("\";\n");
            for (Step step : plan.steps()) {
                if (step.node().equals(node)) {
                    out.append("    s").append(step.id()).append(" [label=\"").append(step.id()).append(". ")
                            .append(quote(step.description())).append('"')
                            .append(step.kind().destructive() ? ", color=red, fontcolor=red" : "").append("];\n");
                } else if (step.peers().contains(node)) {
                    // a step that also touches this node (a live migration's target): a dashed box in its lane
                    out.append("    \"s").append(step.id()).append('@').append(quote(node))
                            .append("\" [label=\"").append(step.id()).append(". (also here)\", style=dashed];\n");
                }
            }
            out.append("  }\n");
        }
        for (Step step : plan.steps()) {
            for (String peer : step.peers()) {
                out.append("  s").append(step.id()).append(" -> \"s").append(step.id()).append('@')
                        .append(quote(peer)).append("\" [style=dashed, arrowhead=none];\n");
            }
            List<Integer> before = step.dependsOn();
            for (int id : before) {
                out.append("  s").append(id).append(" -> s").append(step.id()).append(";\n");
            }
        }
        return out.append("}\n").toString();
    }

    private static String quote(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
    }
}
