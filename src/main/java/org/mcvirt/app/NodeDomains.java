package org.mcvirt.app;

import java.util.List;

/** The domains on one node, or why the node could not be read (then error is set and domains is empty). */
public record NodeDomains(String node, boolean reachable, String error, List<DomainRow> domains) {
    public NodeDomains {
        domains = List.copyOf(domains);
    }
}
