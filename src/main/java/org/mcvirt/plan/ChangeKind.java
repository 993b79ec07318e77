package org.mcvirt.plan;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The kind of resource a {@link ResourceChange} is about; in JSON its lower-case label. */
public enum ChangeKind {
    VM("vm"), NETWORK("network"), STORAGE("storage"),
    /** Something of the cluster on a node as a whole (the scheduled verify). */
    NODE("node"),
    /** A base image kept on a node for the vms that are made from it. */
    IMAGE("image");

    private final String label;

    ChangeKind(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }

    @JsonCreator
    public static ChangeKind of(String label) {
        for (ChangeKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("no change kind '" + label + "'");
    }
}
