package org.mcvirt.plan;

import java.util.List;
import java.util.Objects;

/**
 * A planned change to one resource. address is unique and sortable, for example {@code vm.web1} or
 * {@code network.lab@node1}; reason is for humans and never drives apply.
 */
public record ResourceChange(String address, ChangeKind kind, String name, String node, Action action,
                             List<AttributeChange> attributes, String reason) {
    public ResourceChange {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(action, "action");
        attributes = List.copyOf(attributes);
    }

    public boolean destroysData() {
        boolean removesTheResource = switch (action) {
            case DELETE, REPLACE -> true;
            case NOOP, CREATE, UPDATE, MIGRATE -> false;
        };
        return removesTheResource || attributes.stream().anyMatch(a -> a.effect() == Effect.DATA_LOSS);
    }
}
