package org.mcvirt.manifest;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A YAML document as a tree whose every node remembers where it was written. */
final class YamlTree {
    private YamlTree() {
    }

    sealed interface Node permits MapNode, ListNode, ScalarNode {
        Location location();

        String kind();
    }

    record Entry(String key, Location keyLocation, Node value) {
    }

    record MapNode(Location location, List<Entry> entries) implements Node {
        MapNode {
            entries = List.copyOf(entries);
        }

        Optional<Entry> entry(String key) {
            return entries.stream().filter(e -> e.key().equals(key)).findFirst();
        }

        @Override
        public String kind() {
            return "a mapping";
        }
    }

    record ListNode(Location location, List<Node> items) implements Node {
        ListNode {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "a list";
        }
    }

    /** A scalar; text is null for YAML null (~, null or nothing). */
    record ScalarNode(Location location, String text) implements Node {
        ScalarNode {
            Objects.requireNonNull(location, "location");
        }

        @Override
        public String kind() {
            return text == null ? "null" : "a scalar";
        }
    }
}
