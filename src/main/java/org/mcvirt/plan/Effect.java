package org.mcvirt.plan;

/** How an attribute change lands. */
public enum Effect {
    /** Takes effect now: on the running VM, or in the definition of a stopped one. */
    LIVE("applies live"),
    /** Written to the persistent definition; the running VM sees it after its next restart. */
    RESTART("needs restart"),
    /** Deletes stored data (a disk volume). Needs --allow-destroy. */
    DATA_LOSS("destroys data");

    private final String label;

    Effect(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
