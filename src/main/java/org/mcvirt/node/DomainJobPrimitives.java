package org.mcvirt.node;

/**
 * What libvirt records of a domain's last job on a node ({@link DomainJobs} on a real node). An interface so the step
 * runner can be tested with a recording fake.
 */
public interface DomainJobPrimitives {
    /**
     * The downtime of the last migration that completed into domain on this node, as libvirt reports it
     * ({@code virsh domjobinfo --completed}: "Total downtime"), e.g. "35 ms"; null when libvirt does not say.
     */
    String completedMigrationDowntime(String domain) throws NodeException;
}
