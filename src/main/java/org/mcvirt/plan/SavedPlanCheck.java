package org.mcvirt.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.mcvirt.model.DesiredState;

/**
 * How a saved plan is checked before apply runs it: it must be exactly what mcvirt plans itself. Its connection data
 * (how to reach each node) must be what the manifests give, with a libvirt URI of a transport mcvirt builds; and under
 * the lock, the plan made afresh from the same manifests and the cluster as read must equal it in everything apply
 * runs or shows: the nodes, every step (kind, node, subject, description, arguments, order) and every change. Only the
 * warnings, which describe the cluster now, may differ. Each check returns the first difference, for the refusal.
 */
public final class SavedPlanCheck {
    /** The only libvirt URI schemes mcvirt makes: the node's own daemon, and libssh with strict host keys. */
    private static final Set<String> TRANSPORTS = Set.of("qemu", "qemu+libssh");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHOWN = 100;
    private static final String PLANS = "mcvirt plans";

    private SavedPlanCheck() {
    }

    /**
     * The first way the saved plan's nodes differ from what the manifests give (compared before any node is
     * contacted, so a tampered URI or address is never used), or empty.
     */
    public static Optional<String> connectionDifference(Plan saved, DesiredState desired) {
        for (PlanNode node : saved.nodes()) {
            Optional<String> transport = transport(node.libvirtUri());
            if (transport.isPresent()) {
                return Optional.of("node " + node.name() + ", libvirtUri: " + transport.get());
            }
        }
        JsonNode fresh = JSON.valueToTree(desired.nodes().stream().map(PlanNode::of).toList());
        return listDifference(JSON.valueToTree(saved.nodes()), fresh, "the manifests give", "node",
                n -> "node " + n.path("name").asText());
    }

    /** Why a libvirt URI is not one mcvirt builds, or empty when it is. */
    public static Optional<String> transport(String uri) {
        String scheme;
        String authority;
        try {
            URI parsed = new URI(uri);
            scheme = parsed.getScheme();
            authority = parsed.getRawAuthority();
        } catch (URISyntaxException e) {
            return Optional.of(quote(uri) + " is not a URI");
        }
        if (scheme == null || !TRANSPORTS.contains(scheme)) {
            return Optional.of(quote(uri) + " uses transport " + scheme + ", which mcvirt never uses (only qemu:///"
                    + " on the node itself and qemu+libssh:// to other nodes)");
        }
        if (scheme.equals("qemu") && authority != null && !authority.isEmpty()) {
            return Optional.of(quote(uri) + " reaches another host over TLS, which mcvirt never uses (only qemu:///"
                    + " on the node itself and qemu+libssh:// to other nodes)");
        }
        return Optional.empty();
    }

    /**
     * The first difference between the saved plan and the plan made afresh, in the order apply would meet it: the
     * cluster and manifests, the nodes, the steps one by one (naming the step's id, kind and node, and which field or
     * argument), the changes, the problems; or empty when apply may run it.
     */
    public static Optional<String> firstDifference(Plan saved, Plan fresh) {
        ObjectNode was = JSON.valueToTree(saved);
        ObjectNode now = JSON.valueToTree(fresh);
        for (String field : List.of("formatVersion", "cluster", "manifestDigest", "fingerprint", "madeWith")) {
            Optional<String> difference = leaf(field, was.path(field), now.path(field), PLANS);
            if (difference.isPresent()) {
                return difference;
            }
        }
        Optional<String> difference = listDifference(was.path("nodes"), now.path("nodes"), PLANS, "node",
                n -> "node " + n.path("name").asText());
        if (difference.isEmpty()) {
            difference = listDifference(was.path("steps"), now.path("steps"), PLANS, "step",
                    s -> "step " + s.path("id").asText() + " (" + s.path("kind").asText() + " on "
                            + s.path("node").asText() + ")");
        }
        if (difference.isEmpty()) {
            difference = listDifference(was.path("changes"), now.path("changes"), PLANS, "change",
                    c -> "change " + c.path("address").asText());
        }
        for (String field : List.of("problems", "summary")) {
            if (difference.isEmpty()) {
                difference = leaf(field, was.path(field), now.path(field), PLANS);
            }
        }
        return difference;
    }

    /** Two lists item by item: an item's fields (and a step's arguments one by one), then an extra or missing item. */
    private static Optional<String> listDifference(JsonNode was, JsonNode now, String planned, String what,
                                                   Function<JsonNode, String> label) {
        int common = Math.min(was.size(), now.size());
        for (int i = 0; i < common; i++) {
            String item = label.apply(was.get(i));
            for (String field : fields(was.get(i), now.get(i))) {
                JsonNode a = was.get(i).path(field);
                JsonNode b = now.get(i).path(field);
                Optional<String> difference = field.equals("arguments")
                        ? arguments(a, b, planned) : leaf(field, a, b, planned);
                if (difference.isPresent()) {
                    return Optional.of(item + ", " + difference.get());
                }
            }
        }
        if (was.size() > common) {
            return Optional.of(label.apply(was.get(common)) + " is in the plan file, " + planned + " no such " + what);
        }
        if (now.size() > common) {
            return Optional.of(planned + " " + label.apply(now.get(common)) + ", the plan file has no such " + what);
        }
        return Optional.empty();
    }

    private static Optional<String> arguments(JsonNode was, JsonNode now, String planned) {
        for (String key : fields(was, now)) {
            Optional<String> difference = leaf("argument " + key, was.path(key), now.path(key), planned);
            if (difference.isPresent()) {
                return difference;
            }
        }
        return Optional.empty();
    }

    /** Field names of both objects: the fresh one's order first, then any the saved one adds. */
    private static List<String> fields(JsonNode was, JsonNode now) {
        Set<String> names = new LinkedHashSet<>();
        now.fieldNames().forEachRemaining(names::add);
        was.fieldNames().forEachRemaining(names::add);
        return new ArrayList<>(names);
    }

    /** One value: equal, or how it differs; of two texts of several lines, the first line that differs. */
    private static Optional<String> leaf(String field, JsonNode was, JsonNode now, String planned) {
        JsonNode a = was.isNull() ? MissingNode.getInstance() : was;
        JsonNode b = now.isNull() ? MissingNode.getInstance() : now;
        if (a.equals(b)) {
            return Optional.empty();
        }
        if (a.isObject() && b.isObject()) {
            for (String key : fields(a, b)) {
                Optional<String> difference = leaf(field + "." + key, a.path(key), b.path(key), planned);
                if (difference.isPresent()) {
                    return difference;
                }
            }
        }
        if (a.isArray() && b.isArray() && (containers(a) || containers(b))) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                Optional<String> difference = leaf(field + "[" + i + "]", a.path(i), b.path(i), planned);
                if (difference.isPresent()) {
                    return difference;
                }
            }
        }
        if (a.isTextual() && b.isTextual() && (a.asText().contains("\n") || b.asText().contains("\n"))) {
            List<String> left = a.asText().lines().toList();
            List<String> right = b.asText().lines().toList();
            int line = 0;
            while (line < left.size() && line < right.size() && left.get(line).equals(right.get(line))) {
                line++;
            }
            String oldLine = line < left.size() ? left.get(line).strip() : "";
            String newLine = line < right.size() ? right.get(line).strip() : "";
            int from = Math.max(0, commonPrefix(oldLine, newLine) - SHOWN / 2);
            return Optional.of(field + ": line " + (line + 1) + " is " + (line < left.size() ? quote(from, oldLine)
                    : "nothing (the text ends)") + " in the plan file, " + planned + " "
                    + (line < right.size() ? quote(from, newLine) : "nothing (the text ends)"));
        }
        if (a.isTextual() && b.isTextual()) {
            // long values (a URI, a path) are shown from a little before where they part
            int from = Math.max(0, commonPrefix(a.asText(), b.asText()) - SHOWN / 2);
            return Optional.of(field + ": " + quote(from, a.asText()) + " in the plan file, " + planned + " "
                    + quote(from, b.asText()));
        }
        return Optional.of(field + ": " + shown(a) + " in the plan file, " + planned + " " + shown(b));
    }

    /** Whether a list holds objects or lists (compared item by item) rather than values (shown whole). */
    private static boolean containers(JsonNode list) {
        for (JsonNode item : list) {
            if (item.isContainerNode()) {
                return true;
            }
        }
        return false;
    }

    private static int commonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    private static String quote(int from, String text) {
        return from == 0 ? quote(text) : "..." + quote(text.substring(from));
    }

    private static String shown(JsonNode value) {
        if (value.isMissingNode()) {
            return "nothing";
        }
        if (value.isTextual()) {
            return quote(value.asText());
        }
        String text = value.toString();
        return text.length() > SHOWN ? text.substring(0, SHOWN) + "..." : text;
    }

    /** A value quoted as JSON: control characters and quotes escaped, so a file cannot forge the message. */
    private static String quote(String text) {
        String shortened = text.length() > SHOWN ? text.substring(0, SHOWN) + "..." : text;
        return TextNode.valueOf(shortened).toString();
    }
}
