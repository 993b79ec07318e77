package org.mcvirt.manifest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Edits manifest files in place, line by line, so comments and formatting elsewhere are kept: removes the list
 * item of a node, or appends one to the nodes list. Writes atomically ({@link AtomicWrite}: a new temporary file,
 * the original's mode, rename); a manifest that is a symbolic link is refused rather than replaced or followed.
 */
public final class ManifestEditor {
    private ManifestEditor() {
    }

    /** Where a node's list item is: its file and its lines (1-based, end exclusive). */
    public record NodeItem(Path file, int firstLine, int endLine) {
    }

    /** Finds the list item that defines the node, in the files and directories given. */
    public static Optional<NodeItem> findNode(List<Path> paths, String node) throws IOException {
        for (Path file : files(paths)) {
            List<Diagnostic> ignored = new ArrayList<>();
            String text = ManifestText.read(file);
            Optional<YamlTree.Node> root = YamlReader.read(file.toString(), text, ignored);
            if (root.isEmpty() || !(root.get() instanceof YamlTree.MapNode map)) {
                continue;
            }
            Optional<YamlTree.Entry> nodes = map.entry("nodes");
            if (nodes.isEmpty() || !(nodes.get().value() instanceof YamlTree.ListNode list)) {
                continue;
            }
            for (int i = 0; i < list.items().size(); i++) {
                if (list.items().get(i) instanceof YamlTree.MapNode item && item.entry("name")
                        .map(e -> e.value() instanceof YamlTree.ScalarNode s && node.equals(s.text())).orElse(false)) {
                    int end = i + 1 < list.items().size() ? list.items().get(i + 1).location().line()
                            : nextKeyLine(map, "nodes").orElse(text.split("\n", -1).length + 1);
                    return Optional.of(new NodeItem(file, item.location().line(), end));
                }
            }
        }
        return Optional.empty();
    }

    /** Removes a node's list item, keeping everything else byte for byte. */
    public static void removeNode(NodeItem item) throws IOException {
        List<String> lines = new ArrayList<>(List.of(ManifestText.read(item.file()).split("\n", -1)));
        int end = item.endLine() - 1;
        // keep comment lines that introduce the next item
        while (end > item.firstLine() && lines.get(end - 1).strip().startsWith("#")) {
            end--;
        }
        lines.subList(item.firstLine() - 1, end).clear();
        write(item.file(), String.join("\n", lines));
    }

    /**
     * Appends a node item (YAML lines at list-item level, starting with "- ") after the last item of the first
     * nodes list found. Returns the file written, or empty when no manifest has a nodes list.
     */
    public static Optional<Path> appendNode(List<Path> paths, List<String> itemLines) throws IOException {
        for (Path file : files(paths)) {
            String text = ManifestText.read(file);
            Optional<YamlTree.Node> root = YamlReader.read(file.toString(), text, new ArrayList<>());
            if (root.isEmpty() || !(root.get() instanceof YamlTree.MapNode map)) {
                continue;
            }
            Optional<YamlTree.Entry> nodes = map.entry("nodes");
            if (nodes.isEmpty() || !(nodes.get().value() instanceof YamlTree.ListNode list) || list.items().isEmpty()) {
                continue;
            }
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            int dashColumn = Math.max(0, list.items().get(0).location().column() - 3);
            String indent = " ".repeat(dashColumn);
            int insertAt = nextKeyLine(map, "nodes").map(l -> l - 1).orElse(lines.size());
            // blank lines and comments less indented than the items belong to what follows the list
            while (insertAt > 0 && (lines.get(insertAt - 1).isBlank() || lines.get(insertAt - 1).strip().startsWith("#")
                    && indentation(lines.get(insertAt - 1)) < dashColumn)) {
                insertAt--;
            }
            List<String> indented = itemLines.stream().map(l -> indent + l).toList();
            lines.addAll(insertAt, indented);
            write(file, String.join("\n", lines));
            return Optional.of(file);
        }
        return Optional.empty();
    }

    /** A plain scalar value in a manifest: its file, 1-based line and column, and its text. */
    public record ScalarAt(Path file, int line, int column, String text) {
        /** FILE:LINE:COLUMN, as errors name places. */
        public String where() {
            return file + ":" + line + ":" + column;
        }
    }

    /** Where a vm's field (for example its node) is written, in the files and directories given. */
    public static Optional<ScalarAt> findVmField(List<Path> paths, String vm, String field) throws IOException {
        for (Path file : files(paths)) {
            String text = ManifestText.read(file);
            Optional<YamlTree.Node> root = YamlReader.read(file.toString(), text, new ArrayList<>());
            if (root.isEmpty() || !(root.get() instanceof YamlTree.MapNode map)) {
                continue;
            }
            Optional<YamlTree.Entry> value = namedItem(map, "vms", vm).flatMap(entry -> entry.entry(field));
            if (value.isPresent() && value.get().value() instanceof YamlTree.ScalarNode scalar) {
                return Optional.of(new ScalarAt(file, scalar.location().line(), scalar.location().column(),
                        scalar.text()));
            }
        }
        return Optional.empty();
    }

    /** The first mapping item of a top-level list (vms, nodes) whose {@code name:} is name. */
    private static Optional<YamlTree.MapNode> namedItem(YamlTree.MapNode root, String list, String name) {
        Optional<YamlTree.Entry> items = root.entry(list);
        if (items.isEmpty() || !(items.get().value() instanceof YamlTree.ListNode listNode)) {
            return Optional.empty();
        }
        for (YamlTree.Node item : listNode.items()) {
            if (item instanceof YamlTree.MapNode entry && entry.entry("name")
                    .map(e -> e.value() instanceof YamlTree.ScalarNode n && name.equals(n.text())).orElse(false)) {
                return Optional.of(entry);
            }
        }
        return Optional.empty();
    }

    /**
     * Sets a node's {@code state:} in its manifest file in place (failover --update-manifest): an existing state value
     * is replaced, otherwise a line is inserted after the node's {@code name:}, indented like it. Returns where (FILE:LINE)
     * and what it was ("online" when absent), or empty when no manifest has the node as a block mapping (a flow-style
     * item, {@code - {name: ...}}, is left alone).
     */
    public static Optional<String> setNodeState(List<Path> paths, String node, String state) throws IOException {
        for (Path file : files(paths)) {
            String text = ManifestText.read(file);
            Optional<YamlTree.Node> root = YamlReader.read(file.toString(), text, new ArrayList<>());
            if (root.isEmpty() || !(root.get() instanceof YamlTree.MapNode map)) {
                continue;
            }
            Optional<YamlTree.MapNode> found = namedItem(map, "nodes", node);
            if (found.isPresent()) {
                YamlTree.MapNode entry = found.get();
                Optional<YamlTree.Entry> name = entry.entry("name");
                Optional<YamlTree.Entry> current = entry.entry("state");
                if (current.isPresent() && current.get().value() instanceof YamlTree.ScalarNode scalar) {
                    ScalarAt at = new ScalarAt(file, scalar.location().line(), scalar.location().column(), scalar.text());
                    replaceScalar(at, state);
                    return Optional.of(file + ":" + at.line() + " (was " + scalar.text() + ")");
                }
                List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                int line = name.get().keyLocation().line();
                String nameLine = lines.get(line - 1);
                int column = name.get().keyLocation().column() - 1;
                boolean flow = nameLine.substring(0, Math.min(column, nameLine.length())).contains("{");
                if (current.isPresent() || flow) {
                    return Optional.empty();
                }
                lines.add(line, " ".repeat(column) + "state: " + state);
                write(file, String.join("\n", lines));
                return Optional.of(file + ":" + (line + 1) + " (was online)");
            }
        }
        return Optional.empty();
    }

    /**
     * Replaces a plain scalar in place, keeping every other byte of the file (comments, quoting elsewhere, order).
     * Refuses when the file no longer has that text there.
     */
    public static void replaceScalar(ScalarAt at, String value) throws IOException {
        List<String> lines = new ArrayList<>(List.of(ManifestText.read(at.file()).split("\n", -1)));
        String line = at.line() - 1 < lines.size() ? lines.get(at.line() - 1) : "";
        int start = at.column() - 1;
        if (start >= 0 && start < line.length() && (line.charAt(start) == '"' || line.charAt(start) == '\'')
                && line.startsWith(line.charAt(start) + at.text() + line.charAt(start), start)) {
            start++; // a quoted value: the text inside the quotes is replaced, the quotes are kept
        }
        if (start < 0 || !line.startsWith(at.text(), start)) {
            throw new IOException(at.where() + ": the manifest changed: '" + at.text() + "' is no longer there");
        }
        lines.set(at.line() - 1, line.substring(0, start) + value + line.substring(start + at.text().length()));
        write(at.file(), String.join("\n", lines));
    }

    private static int indentation(String line) {
        return line.length() - line.stripLeading().length();
    }

    private static Optional<Integer> nextKeyLine(YamlTree.MapNode map, String key) {
        boolean after = false;
        for (YamlTree.Entry entry : map.entries()) {
            if (after) {
                return Optional.of(entry.keyLocation().line());
            }
            after = entry.key().equals(key);
        }
        return Optional.empty();
    }

    private static List<Path> files(List<Path> paths) {
        return ManifestLoader.expand(paths, new ArrayList<>());
    }

    /** Through {@link AtomicWrite}: the file keeps its mode; a manifest that is a symbolic link is refused. */
    private static void write(Path file, String text) throws IOException {
        AtomicWrite.replace(file, text, AtomicWrite.NEW_FILE);
    }
}
