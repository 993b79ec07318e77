package org.mcvirt.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;

/**
 * Reads YAML with Jackson's streaming YAML parser into a {@link YamlTree} that keeps line and column of
 * every node. Scalars keep their text: the binder converts them, so {@code 52:54:00:12:34:56} stays a MAC
 * address instead of becoming a YAML 1.1 sexagesimal number.
 */
final class YamlReader {
    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    private YamlReader() {
    }

    /** Parses one document; syntax errors and duplicate keys are added to {@code problems}. */
    static Optional<YamlTree.Node> read(String file, String text, List<Diagnostic> problems) {
        return read(file, text, problems, null);
    }

    /**
     * As {@link #read(String, String, List)}; topLevel (when not null) is told each top-level key and its value as
     * soon as that value is read, before the rest of the document is, so a caller can act on an early section.
     */
    static Optional<YamlTree.Node> read(String file, String text, List<Diagnostic> problems,
                                        java.util.function.BiConsumer<String, YamlTree.Node> topLevel) {
        refuseAnchors(file, text, problems);
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return Optional.empty();
            }
            YamlTree.Node root = readValue(file, parser, problems, topLevel);
            if (parser.nextToken() != null) {
                problems.add(new Diagnostic(location(file, parser.currentTokenLocation()),
                        "only one YAML document per file is supported; split the documents into files"));
            }
            return Optional.of(root);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                Mark mark = marked.getProblemMark();
                String context = marked.getContext() == null ? "" : " " + marked.getContext().strip();
                problems.add(new Diagnostic(new Location(file, mark.getLine() + 1, mark.getColumn() + 1),
                        "invalid YAML: " + marked.getProblem().strip() + context));
                return Optional.empty();
            }
            JsonLocation where = e.getLocation();
            Location location = where == null ? new Location(file, 1, 1) : location(file, where);
            problems.add(new Diagnostic(location, "invalid YAML: " + e.getOriginalMessage().strip()));
            return Optional.empty();
        } catch (IOException e) {
            problems.add(new Diagnostic(new Location(file, 1, 1), "cannot read: " + e.getMessage()));
            return Optional.empty();
        }
    }

    private static YamlTree.Node readValue(String file, JsonParser parser, List<Diagnostic> problems)
            throws IOException {
        return readValue(file, parser, problems, null);
    }

    private static YamlTree.Node readValue(String file, JsonParser parser, List<Diagnostic> problems,
                                           java.util.function.BiConsumer<String, YamlTree.Node> onEntry)
            throws IOException {
        Location here = location(file, parser.currentTokenLocation());
        JsonToken token = parser.currentToken();
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            return new YamlTree.ScalarNode(here, null); // refused by refuseAnchors; never read as its name
        }
        switch (token) {
            case START_OBJECT -> {
                List<YamlTree.Entry> entries = new ArrayList<>();
                Map<String, Location> seen = new HashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    Location keyLocation = location(file, parser.currentTokenLocation());
                    parser.nextToken();
                    YamlTree.Node value = readValue(file, parser, problems);
                    if (onEntry != null) {
                        onEntry.accept(key, value);
                    }
                    Location earlier = seen.putIfAbsent(key, keyLocation);
                    if (earlier != null) {
                        problems.add(new Diagnostic(keyLocation,
                                "duplicate key '" + key + "' (first at " + earlier + ")"));
                    } else {
                        entries.add(new YamlTree.Entry(key, keyLocation, value));
                    }
                }
                return new YamlTree.MapNode(here, entries);
            }
            case START_ARRAY -> {
                List<YamlTree.Node> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(readValue(file, parser, problems));
                }
                return new YamlTree.ListNode(here, items);
            }
            case VALUE_NULL -> {
                return new YamlTree.ScalarNode(here, null);
            }
            default -> {
                return new YamlTree.ScalarNode(here, parser.getText());
            }
        }
    }

    /**
     * Anchors and aliases are refused with their place: Jackson hands an alias over as a plain string holding its
     * name (and forgets the anchor of a value in a mapping), so {@code node: *n} would silently read as "n". Refusing
     * them is simpler and clearer than resolving them. Read from SnakeYAML's events; a syntax error here is left to
     * the parse that follows, which reports it.
     */
    private static void refuseAnchors(String file, String text, List<Diagnostic> problems) {
        if (text.indexOf('&') < 0 && text.indexOf('*') < 0) {
            return;
        }
        try {
            for (Event event : new Yaml().parse(new StringReader(text))) {
                if (event instanceof NodeEvent node && node.getAnchor() != null) {
                    Mark mark = event.getStartMark();
                    problems.add(new Diagnostic(new Location(file, mark.getLine() + 1, mark.getColumn() + 1),
                            "YAML anchors and aliases are not supported ('" + (event instanceof AliasEvent ? "*" : "&")
                                    + node.getAnchor() + "'); write the value out"));
                }
            }
        } catch (YAMLException e) {
            // reported by the parse that follows
        }
    }

    private static Location location(String file, JsonLocation location) {
        return new Location(file, Math.max(1, location.getLineNr()), Math.max(1, location.getColumnNr()));
    }
}
