package org.mcvirt.manifest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.mcvirt.model.Names;

/**
 * Typed, located access to the keys of one YAML mapping. Every problem becomes a {@link Diagnostic}; a getter
 * that finds a problem returns empty so binding can go on and report everything at once.
 */
final class Fields {
    static final Pattern NAME = Names.NAME;
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(KiB|MiB|GiB|TiB)");

    private final YamlTree.MapNode map;
    private final String what;
    private final List<Diagnostic> problems;

    private Fields(YamlTree.MapNode map, String what, List<Diagnostic> problems) {
        this.map = map;
        this.what = what;
        this.problems = problems;
    }

    /** Wraps a node that must be a mapping with only the given keys; reports unknown keys with a suggestion. */
    static Optional<Fields> of(YamlTree.Node node, String what, Set<String> keys, List<Diagnostic> problems) {
        if (!(node instanceof YamlTree.MapNode map)) {
            problems.add(new Diagnostic(node.location(), what + " must be a mapping, found " + node.kind()));
            return Optional.empty();
        }
        for (YamlTree.Entry entry : map.entries()) {
            if (!keys.contains(entry.key())) {
                problems.add(new Diagnostic(entry.keyLocation(),
                        "unknown key '" + entry.key() + "' in " + what + suggestion(entry.key(), keys)));
            }
        }
        return Optional.of(new Fields(map, what, problems));
    }

    static String suggestion(String wrong, Set<String> candidates) {
        if (candidates.isEmpty()) {
            return "";
        }
        return candidates.stream()
                .filter(c -> distance(wrong.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT))
                        <= Math.max(1, c.length() / 3))
                .min(Comparator.comparingInt((String c) -> distance(wrong, c)).thenComparing(c -> c))
                .map(c -> " (did you mean '" + c + "'?)")
                .orElse(" (expected one of: " + String.join(", ", new TreeSet<>(candidates)) + ")");
    }

    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    Location location() {
        return map.location();
    }

    /** Where the value of key is, or the mapping itself when the key is absent. */
    Location location(String key) {
        return map.entry(key).map(e -> e.value().location()).orElse(map.location());
    }

    boolean has(String key) {
        return map.entry(key).isPresent();
    }

    void error(String key, String message) {
        problems.add(new Diagnostic(location(key), message));
    }

    Optional<YamlTree.Node> node(String key) {
        return map.entry(key).map(YamlTree.Entry::value);
    }

    Optional<String> string(String key) {
        Optional<YamlTree.Node> node = node(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (node.get() instanceof YamlTree.ScalarNode scalar) {
            if (scalar.text() == null) {
                return Optional.empty();
            }
            return Optional.of(scalar.text());
        }
        error(key, "'" + key + "' in " + what + " must be a single value, found " + node.get().kind());
        return Optional.empty();
    }

    Optional<String> requiredString(String key) {
        if (!has(key) || node(key).filter(n -> n instanceof YamlTree.ScalarNode s && s.text() == null).isPresent()) {
            problems.add(new Diagnostic(location(key), what + " needs '" + key + "'"));
            return Optional.empty();
        }
        return string(key);
    }

    /** A name that becomes a libvirt or file name: lowercase letters, digits and '-'. */
    Optional<String> name(String key) {
        return requiredString(key).filter(value -> {
            if (NAME.matcher(value).matches()) {
                return true;
            }
            error(key, "'" + value + "' is not a valid " + key
                    + ": use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit");
            return false;
        });
    }

    Optional<Integer> integer(String key, int min, int max) {
        return string(key).flatMap(text -> {
            try {
                int value = Integer.parseInt(text.strip());
                if (value < min || value > max) {
                    error(key, "'" + key + "' must be between " + min + " and " + max + ", found " + value);
                    return Optional.empty();
                }
                return Optional.of(value);
            } catch (NumberFormatException e) {
                error(key, "'" + key + "' must be a whole number, found '" + text + "'");
                return Optional.empty();
            }
        });
    }

    boolean bool(String key, boolean absent) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return absent;
        }
        return switch (text.get()) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                error(key, "'" + key + "' must be true or false, found '" + text.get() + "'");
                yield absent;
            }
        };
    }

    /** A size with a binary unit: 512MiB, 20GiB. A number without a unit is refused as ambiguous. */
    Optional<Long> size(String key, long minimumBytes) {
        return string(key).flatMap(text -> {
            var matcher = SIZE.matcher(text.strip());
            if (!matcher.matches()) {
                error(key, "'" + key + "' must be a size with a unit (KiB, MiB, GiB or TiB), for example 2GiB; found '"
                        + text + "'");
                return Optional.empty();
            }
            int shift = switch (matcher.group(2)) {
                case "KiB" -> 10;
                case "MiB" -> 20;
                case "GiB" -> 30;
                default -> 40;
            };
            long number;
            try {
                number = Long.parseLong(matcher.group(1));
            } catch (NumberFormatException e) {
                number = Long.MAX_VALUE;
            }
            if (number > (Long.MAX_VALUE >> shift)) {
                error(key, "'" + key + "' is too large: " + text);
                return Optional.empty();
            }
            long bytes = number << shift;
            if (bytes < minimumBytes) {
                error(key, "'" + key + "' must be at least " + (minimumBytes >> 20) + "MiB, found " + text);
                return Optional.empty();
            }
            if (bytes % (1L << 20) != 0) {
                error(key, "'" + key + "' must be a whole number of MiB, found " + text);
                return Optional.empty();
            }
            return Optional.of(bytes);
        });
    }

    <E extends Enum<E>> Optional<E> enumeration(String key, Class<E> type) {
        return string(key).flatMap(text -> {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().toLowerCase(Locale.ROOT).equals(text)) {
                    return Optional.of(constant);
                }
            }
            Set<String> allowed = new TreeSet<>();
            for (E constant : type.getEnumConstants()) {
                allowed.add(constant.name().toLowerCase(Locale.ROOT));
            }
            error(key, "'" + key + "' must be one of " + String.join(", ", allowed) + ", found '" + text + "'"
                    + suggestion(text, allowed).replaceFirst(" \\(expected.*", ""));
            return Optional.empty();
        });
    }

    /** The items of a list; absent gives an empty list, anything else but a list is an error. */
    List<YamlTree.Node> list(String key) {
        Optional<YamlTree.Node> node = node(key);
        if (node.isEmpty() || node.get() instanceof YamlTree.ScalarNode s && s.text() == null) {
            return List.of();
        }
        if (node.get() instanceof YamlTree.ListNode list) {
            return list.items();
        }
        error(key, "'" + key + "' in " + what + " must be a list, found " + node.get().kind());
        return List.of();
    }

    /** A list of plain strings, each checked against a pattern. */
    List<String> strings(String key, Pattern pattern, String rule) {
        List<String> values = new ArrayList<>();
        for (YamlTree.Node item : list(key)) {
            if (item instanceof YamlTree.ScalarNode scalar && scalar.text() != null) {
                if (pattern.matcher(scalar.text()).matches()) {
                    values.add(scalar.text());
                } else {
                    problems.add(new Diagnostic(item.location(), "'" + scalar.text() + "' in '" + key + "' " + rule));
                }
            } else {
                problems.add(new Diagnostic(item.location(), "items of '" + key + "' must be strings"));
            }
        }
        return values;
    }
}
