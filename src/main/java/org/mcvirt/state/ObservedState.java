package org.mcvirt.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mcvirt.model.Digests;
import org.mcvirt.model.ByName;

/** What was read from every node. Lists are sorted by name so output and fingerprints are deterministic. */
public record ObservedState(List<NodeObservation> nodes) {
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public ObservedState {
        nodes = nodes.stream().sorted(Comparator.comparing(NodeObservation::node)).toList();
    }

    public Optional<NodeObservation> node(String name) {
        return ByName.find(nodes, NodeObservation::node, name);
    }

    /**
     * SHA-256 over what a plan depends on: everything mcvirt manages, and only the names of unmanaged domains
     * (so an unrelated VM starting does not make a saved plan stale); of LVM and DRBD only the stable facts (not
     * sync progress or I/O counters, so a busy disk does not make a saved plan stale either).
     */
    public String fingerprint() {
        return Digests.sha256(fingerprintInput());
    }

    /** The canonical JSON the fingerprint is the SHA-256 of. */
    byte[] fingerprintInput() {
        Map<String, Object> relevant = new LinkedHashMap<>();
        for (NodeObservation node : nodes) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("reachable", node.reachable());
            view.put("managed", node.domains().stream().filter(ObservedDomain::managed).toList());
            view.put("unmanaged", node.domains().stream().filter(d -> !d.managed()).map(ObservedDomain::name).toList());
            view.put("networks", node.networks());
            view.put("pools", node.pools());
            view.put("lvm", node.lvm().fingerprintView());
            view.put("drbd", node.drbd().fingerprintView());
            if (!node.permissions().equals(ObservedPermissions.notRead())) {
                view.put("permissions", node.permissions().fingerprintView());
            }
            relevant.put(node.node(), view);
        }
        try {
            return CANONICAL.writeValueAsBytes(relevant);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
