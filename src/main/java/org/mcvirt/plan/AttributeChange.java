package org.mcvirt.plan;

import java.util.Objects;

/** One attribute of a resource, before and after; null means absent. */
public record AttributeChange(String name, String before, String after, Effect effect) {
    public AttributeChange {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(effect, "effect");
    }
}
