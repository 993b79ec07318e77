package org.mcvirt.app;

import java.util.List;

/**
 * The domains on one node, or why the node could not be read (then error is set and domains is empty); state is the
 * manifest's (online, maintenance, offline: a node declared offline is not contacted and has no domains listed).
 */
public record NodeDomains(String node, boolean reachable, String error, List<DomainRow> domains, String state) {
    public NodeDomains {
        domains = List.copyOf(domains);
        state = state == null ? "online" : state;
    }

    /** Whether the node should have been read and could not be: a node declared offline is not contacted. */
    public boolean failed() {
        return !reachable && !"offline".equals(state);
    }
}
