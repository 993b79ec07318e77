package org.mcvirt.state;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mcvirt.node.ImagePrimitives;
import java.util.Optional;
import org.mcvirt.model.ByName;

/**
 * One node's observed state; when unreachable, error says why and the lists are empty. warnings name objects that
 * are not this cluster's and could not be read: they do not stop planning. lvm and drbd are read over the node's
 * command transport ({@link StorageReader}); they are "not read" when the node was unreachable or the observation
 * predates them (an absent value reads as not read). journal is the tail of the node's apply journal (not part of the
 * fingerprint). freeMemoryBytes is the host's free memory (MemAvailable) and totalMemoryBytes its total memory
 * (MemTotal), each null when not read and not part of the fingerprint;
 * savedDefinitions are mcvirt's copies of domain definitions in the state directory, by domain, as SHA-256 of the copy.
 */
public record NodeObservation(String node, boolean reachable, String error, String libvirtVersion,
                              String hypervisorVersion, List<ObservedDomain> domains, List<ObservedNetwork> networks,
                              List<ObservedPool> pools, List<String> warnings, ObservedLvm lvm, ObservedDrbd drbd,
                              List<Journal.Entry> journal, Long freeMemoryBytes, Long totalMemoryBytes,
                              Map<String, String> savedDefinitions, ObservedPermissions permissions,
                              Map<String, ImagePrimitives.Probe> probes) {
    public NodeObservation {
        probes = probes == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(probes));
        permissions = permissions == null ? ObservedPermissions.notRead() : permissions;
        savedDefinitions = savedDefinitions == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(savedDefinitions));
        journal = journal == null ? List.of() : List.copyOf(journal);
        Objects.requireNonNull(node, "node");
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        domains = domains.stream().sorted(Comparator.comparing(ObservedDomain::name)).toList();
        networks = networks.stream().sorted(Comparator.comparing(ObservedNetwork::name)).toList();
        pools = pools.stream().sorted(Comparator.comparing(ObservedPool::name)).toList();
        lvm = lvm == null ? ObservedLvm.notRead() : lvm;
        drbd = drbd == null ? ObservedDrbd.notRead() : drbd;
    }

    /** What libvirt shows, with LVM and DRBD not read (yet). */
    public NodeObservation(String node, boolean reachable, String error, String libvirtVersion,
                           String hypervisorVersion, List<ObservedDomain> domains, List<ObservedNetwork> networks,
                           List<ObservedPool> pools, List<String> warnings) {
        this(node, reachable, error, libvirtVersion, hypervisorVersion, domains, networks, pools, warnings, null, null);
    }

    public static NodeObservation unreachable(String node, String error) {
        return new NodeObservation(node, false, error, null, null, List.of(), List.of(), List.of(), List.of());
    }

    /** This observation with what was read of LVM and DRBD. */
    /** Without the journal (not read). */
    public NodeObservation(String node, boolean reachable, String error, String libvirtVersion,
                           String hypervisorVersion, List<ObservedDomain> domains, List<ObservedNetwork> networks,
                           List<ObservedPool> pools, List<String> warnings, ObservedLvm lvm, ObservedDrbd drbd) {
        this(node, reachable, error, libvirtVersion, hypervisorVersion, domains, networks, pools, warnings, lvm, drbd,
                null);
    }

    /** With the journal tail, but no host memory or saved definitions (not read). */
    public NodeObservation(String node, boolean reachable, String error, String libvirtVersion,
                           String hypervisorVersion, List<ObservedDomain> domains, List<ObservedNetwork> networks,
                           List<ObservedPool> pools, List<String> warnings, ObservedLvm lvm, ObservedDrbd drbd,
                           List<Journal.Entry> journal) {
        this(node, reachable, error, libvirtVersion, hypervisorVersion, domains, networks, pools, warnings, lvm, drbd,
                journal, null, null, null, null);
    }

    /** Without mcvirt's permissions (not read). */
    public NodeObservation(String node, boolean reachable, String error, String libvirtVersion,
                           String hypervisorVersion, List<ObservedDomain> domains, List<ObservedNetwork> networks,
                           List<ObservedPool> pools, List<String> warnings, ObservedLvm lvm, ObservedDrbd drbd,
                           List<Journal.Entry> journal, Long freeMemoryBytes, Long totalMemoryBytes,
                           Map<String, String> savedDefinitions) {
        this(node, reachable, error, libvirtVersion, hypervisorVersion, domains, networks, pools, warnings, lvm, drbd,
                journal, freeMemoryBytes, totalMemoryBytes, savedDefinitions, null);
    }

    public NodeObservation withStorage(ObservedLvm observedLvm, ObservedDrbd observedDrbd, List<Journal.Entry> tail) {
        return new NodeObservation(node, reachable, error, libvirtVersion, hypervisorVersion, domains, networks, pools,
                warnings, observedLvm, observedDrbd, tail, freeMemoryBytes, totalMemoryBytes, savedDefinitions,
                permissions, probes);
    }

    /**
     * This observation with the host's free and total memory (each null when unknown) and mcvirt's saved copies of
     * domain definitions in the node's state directory (domain name to the SHA-256 of the copy).
     */
    public NodeObservation withHost(Long free, Long total, Map<String, String> saved) {
        return new NodeObservation(node, reachable, error, libvirtVersion, hypervisorVersion, domains, networks, pools,
                warnings, lvm, drbd, journal, free, total, saved, permissions, probes);
    }

    /** This observation with what was read of mcvirt's permissions (polkit rules, libvirtd's access driver). */
    public NodeObservation withPermissions(ObservedPermissions read) {
        return new NodeObservation(node, reachable, error, libvirtVersion, hypervisorVersion, domains, networks, pools,
                warnings, lvm, drbd, journal, freeMemoryBytes, totalMemoryBytes, savedDefinitions, read, probes);
    }

    /**
     * This observation with what the node got when it asked for the first bytes of the http(s) URLs of the images and
     * ISOs it is to download (by URL).
     */
    public NodeObservation withProbes(Map<String, ImagePrimitives.Probe> asked) {
        return new NodeObservation(node, reachable, error, libvirtVersion, hypervisorVersion, domains, networks, pools,
                warnings, lvm, drbd, journal, freeMemoryBytes, totalMemoryBytes, savedDefinitions, permissions, asked);
    }

    /** Without probes of image URLs (none asked). */
    public NodeObservation(String node, boolean reachable, String error, String libvirtVersion,
                           String hypervisorVersion, List<ObservedDomain> domains, List<ObservedNetwork> networks,
                           List<ObservedPool> pools, List<String> warnings, ObservedLvm lvm, ObservedDrbd drbd,
                           List<Journal.Entry> journal, Long freeMemoryBytes, Long totalMemoryBytes,
                           Map<String, String> savedDefinitions, ObservedPermissions permissions) {
        this(node, reachable, error, libvirtVersion, hypervisorVersion, domains, networks, pools, warnings, lvm, drbd,
                journal, freeMemoryBytes, totalMemoryBytes, savedDefinitions, permissions, null);
    }

    public Optional<ObservedDomain> domain(String name) {
        return ByName.find(domains, ObservedDomain::name, name);
    }

    public Optional<ObservedNetwork> network(String name) {
        return ByName.find(networks, ObservedNetwork::name, name);
    }

    public Optional<ObservedPool> pool(String name) {
        return ByName.find(pools, ObservedPool::name, name);
    }
}
