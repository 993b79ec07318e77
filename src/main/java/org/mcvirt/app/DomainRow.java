package org.mcvirt.app;

/**
 * One domain as 'mcvirt list' shows it: its node, run state, size, whether mcvirt manages it, and the health of its
 * replicated disks ("-" without any, "ok", "syncing", or the kinds of finding, a verify mark first as "MARKED").
 */
public record DomainRow(String name, String node, String state, int cpus, String memory, boolean managed,
                        String disks) {
}
