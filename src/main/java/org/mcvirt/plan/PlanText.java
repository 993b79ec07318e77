package org.mcvirt.plan;

import java.util.List;

/** Renders a plan as Terraform-like text. Colour only when asked for (the CLI decides: tty, NO_COLOR). */
public final class PlanText {
    private static final String RESET = "\u001b[0m";

    private PlanText() {
    }

    public static String render(Plan plan, boolean colour) {
        StringBuilder out = new StringBuilder();
        // a node declared offline is said before anything else: the operator must know it is not contacted
        for (PlanFinding warning : plan.warnings()) {
            if (warning.code() == PlanFinding.Code.NODE_OFFLINE) {
                out.append(paint("Warning: ", "\u001b[1;33m", colour)).append(warning.message()).append('\n');
            }
        }
        for (PlanFinding problem : plan.problems()) {
            out.append(paint("Error: ", "\u001b[1;31m", colour)).append(problem.message()).append('\n');
        }
        for (PlanFinding warning : plan.warnings()) {
            if (warning.code() == PlanFinding.Code.NODE_OFFLINE) {
                continue;
            }
            out.append(paint("Warning: ", "\u001b[1;33m", colour)).append(warning.message()).append('\n');
        }
        if (!plan.problems().isEmpty() || !plan.warnings().isEmpty()) {
            out.append('\n');
        }
        if (plan.changes().isEmpty()) {
            out.append(plan.problems().isEmpty() ? "No changes. The cluster matches the manifest.\n"
                    : "No changes can be planned until the problems above are solved.\n");
            return out.toString();
        }
        out.append("mcvirt will perform the following actions:\n");
        for (ResourceChange change : plan.changes()) {
            out.append('\n');
            out.append("  # ").append(change.address());
            if (change.node() != null) {
                out.append(" on node ").append(change.node());
            }
            out.append(" will be ").append(past(change.action())).append(" (").append(change.reason()).append(")\n");
            String symbol = change.action().symbol();
            out.append("  ").append(paint(symbol, colourOf(change.action()), colour)).append(' ')
                    .append(change.kind().label()).append(" \"").append(change.name()).append("\"\n");
            int width = change.attributes().stream().mapToInt(a -> a.name().length()).max().orElse(0);
            int valueWidth = change.attributes().stream().mapToInt(a -> value(a).length()).max().orElse(0);
            for (AttributeChange attribute : change.attributes()) {
                String marker = attribute.before() == null ? "+" : attribute.after() == null ? "-" : "~";
                out.append("      ").append(paint(marker, colourOf(marker), colour)).append(' ')
                        .append(pad(attribute.name(), width)).append(" = ");
                if (change.action() == Action.UPDATE || attribute.effect() == Effect.DATA_LOSS) {
                    out.append(pad(value(attribute), valueWidth)).append("   (").append(paint(attribute.effect().label(),
                            attribute.effect() == Effect.DATA_LOSS ? "\u001b[1;31m" : "\u001b[2m", colour)).append(')');
                } else {
                    out.append(value(attribute));
                }
                out.append('\n');
            }
        }
        out.append("\nSteps:\n");
        int width = Integer.toString(plan.steps().size()).length();
        for (Step step : plan.steps()) {
            out.append("  ").append(pad(Integer.toString(step.id()), width, true)).append(". [").append(step.node())
                    .append("] ").append(step.description());
            if (!step.dependsOn().isEmpty()) {
                out.append(" (after ").append(join(step.dependsOn())).append(')');
            }
            out.append('\n');
        }
        Plan.Summary s = plan.summary();
        out.append('\n').append(paint("Plan:", "\u001b[1m", colour)).append(' ').append(s.create()).append(" to create, ")
                .append(s.change()).append(" to change, ").append(s.migrate()).append(" to migrate, ")
                .append(s.destroy()).append(" to destroy.\n");
        if (!plan.problems().isEmpty()) {
            out.append(paint("Error:", "\u001b[1;31m", colour)).append(" the plan has ").append(plan.problems().size())
                    .append(" problem(s) listed at the top; apply refuses it until they are solved.\n");
        }
        if (plan.destroys()) {
            out.append(paint("Warning:", "\u001b[1;33m", colour))
                    .append(" this plan destroys resources; apply needs --allow-destroy.\n");
        }
        return out.toString();
    }

    private static String value(AttributeChange attribute) {
        return attribute.before() == null ? attribute.after()
                : attribute.after() == null ? attribute.before()
                : attribute.before() + " -> " + attribute.after();
    }

    private static String past(Action action) {
        return switch (action) {
            case NOOP -> "left as it is";
            case CREATE -> "created";
            case UPDATE -> "updated in place";
            case REPLACE -> "replaced";
            case DELETE -> "destroyed";
            case MIGRATE -> "migrated";
        };
    }

    private static String colourOf(Action action) {
        return switch (action) {
            case CREATE -> "\u001b[32m";
            case UPDATE, MIGRATE -> "\u001b[33m";
            case DELETE, REPLACE -> "\u001b[31m";
            case NOOP -> "";
        };
    }

    private static String colourOf(String marker) {
        return switch (marker) {
            case "+" -> "\u001b[32m";
            case "-" -> "\u001b[31m";
            default -> "\u001b[33m";
        };
    }

    private static String paint(String text, String code, boolean colour) {
        return colour && !code.isEmpty() ? code + text + RESET : text;
    }

    private static String pad(String text, int width) {
        return pad(text, width, false);
    }

    private static String pad(String text, int width, boolean left) {
        String padding = " ".repeat(Math.max(0, width - text.length()));
        return left ? padding + text : text + padding;
    }

    private static String join(List<Integer> ids) {
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(out.length() == 0 ? "" : ", ").append(id);
        }
        return out.toString();
    }
}
