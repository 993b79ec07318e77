package org.mcvirt.plan;

/** What a plan does to one resource. The closed set every renderer and the executor switch over. */
public enum Action {
    NOOP("no change", " "), CREATE("create", "+"), UPDATE("update in place", "~"), REPLACE("replace", "-/+"),
    DELETE("destroy", "-"), MIGRATE("migrate", ">");

    private final String verb;
    private final String symbol;

    Action(String verb, String symbol) {
        this.verb = verb;
        this.symbol = symbol;
    }

    public String verb() {
        return verb;
    }

    public String symbol() {
        return symbol;
    }
}
