package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.Names;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Views;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedState;

/**
 * The DRBD resource, minor and port of every replicated disk, without a state file. A disk that already has them
 * keeps them: they are recorded in mcvirt's mark on the vm's domain (on whichever node it is defined). A new disk
 * gets the smallest free minor and port of the cluster's ranges, free meaning not recorded for any other disk on any
 * node, not in use by another DRBD resource on either node of the pair, and not given to a disk before it in this
 * plan (vms in name order, disks in manifest order), so every plan of the same cluster agrees. A new disk whose
 * resource is already up on a node of its pair (an apply was interrupted before it defined the domain) keeps that
 * resource's minor and port.
 */
record DrbdAllocation(Map<String, Map<String, Views.DrbdDiskView>> byVm, List<PlanFinding> problems) {
    DrbdAllocation {
        byVm = Map.copyOf(byVm);
        problems = List.copyOf(problems);
    }

    /** The resources of a vm's replicated disks, by manifest disk name (empty for a vm without any). */
    Map<String, Views.DrbdDiskView> of(String vm) {
        return byVm.getOrDefault(vm, Map.of());
    }

    /**
     * The resource name of a replicated disk, also the name of its LVs: unique on a node ('_' cannot occur in
     * manifest names, so vm a-b disk c and vm a disk b-c differ), a valid DRBD and LVM name.
     */
    static String resourceName(String vm, String disk) {
        return Names.drbdResource(vm, disk);
    }

    /**
     * @param usedOnNodes minors and ports of DRBD resources the nodes have that are not this cluster's disks
     *                    (node -> minors, node -> ports); empty when the nodes' DRBD was not read
     */
    static DrbdAllocation of(DesiredState desired, ObservedState observed, Map<String, Set<Integer>> minorsOnNodes,
                             Map<String, Set<Integer>> portsOnNodes) {
        Optional<DrbdSpec> drbd = desired.cluster().drbdIfEnabled();
        Map<String, Map<String, Views.DrbdDiskView>> result = new HashMap<>();
        List<PlanFinding> problems = new ArrayList<>();
        if (drbd.isEmpty()) {
            return new DrbdAllocation(result, problems);
        }
        Map<String, VmMetadata.Disk> recorded = new HashMap<>();
        Set<Integer> takenMinors = new HashSet<>();
        Set<Integer> takenPorts = new HashSet<>();
        for (NodeObservation node : observed.nodes()) {
            for (ObservedDomain domain : node.domains()) {
                if (domain.metadata() == null) {
                    continue;
                }
                for (VmMetadata.Disk disk : domain.metadata().disks()) {
                    if (disk.replicated() && disk.minor() != null && disk.port() != null) {
                        takenMinors.add(disk.minor());
                        takenPorts.add(disk.port());
                        // a mark that is not what mcvirt writes gives nothing to its vm (which is not planned)
                        if (domain.metadata().cluster().equals(desired.cluster().name())
                                && DomainMarks.trusted(desired, domain)) {
                            recorded.put(domain.metadata().name() + "/" + disk.name(), disk);
                        }
                    }
                }
            }
        }
        for (VmSpec vm : desired.vms()) {
            Map<String, Views.DrbdDiskView> disks = new HashMap<>();
            for (VmSpec.DiskSpec disk : vm.disks()) {
                if (!disk.replicated()) {
                    continue;
                }
                VmMetadata.Disk known = recorded.get(vm.name() + "/" + disk.name());
                if (known != null) {
                    disks.put(disk.name(), new Views.DrbdDiskView(known.resource(), known.minor(), known.port()));
                    continue;
                }
                String name = resourceName(vm.name(), disk.name());
                Optional<Views.DrbdDiskView> interrupted = upOnPair(observed, vm.pair(), name);
                if (interrupted.isPresent()) {
                    // an apply that created it stopped before the domain recorded it: keep what is up
                    takenMinors.add(interrupted.get().minor());
                    takenPorts.add(interrupted.get().port());
                    disks.put(disk.name(), interrupted.get());
                    continue;
                }
                Set<Integer> minorsInUse = new HashSet<>(takenMinors);
                Set<Integer> portsInUse = new HashSet<>(takenPorts);
                for (String member : vm.pair()) {
                    minorsInUse.addAll(minorsOnNodes.getOrDefault(member, Set.of()));
                    portsInUse.addAll(portsOnNodes.getOrDefault(member, Set.of()));
                }
                Optional<Integer> minor = firstFree(drbd.get().minors().first(), drbd.get().minors().last(), minorsInUse);
                Optional<Integer> port = firstFree(drbd.get().ports().first(), drbd.get().ports().last(), portsInUse);
                if (minor.isEmpty() || port.isEmpty()) {
                    problems.add(new PlanFinding(PlanFinding.Code.DRBD_RANGE_FULL, PlanFinding.Subject.vm(vm.name(),
                            vm.node()), "vm " + vm.name() + " disk " + disk.name() + ": no free DRBD "
                            + (minor.isEmpty() ? "minor in " + drbd.get().minors() : "port in " + drbd.get().ports())
                            + " (cluster.drbd); widen the range"));
                    continue;
                }
                takenMinors.add(minor.get());
                takenPorts.add(port.get());
                disks.put(disk.name(), new Views.DrbdDiskView(resourceName(vm.name(), disk.name()), minor.get(),
                        port.get()));
            }
            if (!disks.isEmpty()) {
                result.put(vm.name(), disks);
            }
        }
        return new DrbdAllocation(result, problems);
    }

    /**
     * The minor and port of a resource of this name that is already up on a node of the pair: one an interrupted
     * apply brought up before the domain that records it was defined. Reusing them is what makes the next apply
     * converge instead of allocating a second minor for the same resource.
     */
    private static Optional<Views.DrbdDiskView> upOnPair(ObservedState observed, List<String> pair, String name) {
        for (String member : pair.stream().sorted().toList()) {
            Optional<NodeObservation> node = observed.node(member);
            if (node.isEmpty()) {
                continue;
            }
            for (var resource : node.get().drbd().resource(name)) {
                Optional<Integer> port = localPort(resource);
                if (resource.volume() == 0 && port.isPresent()) {
                    return Optional.of(new Views.DrbdDiskView(name, resource.minor(), port.get()));
                }
            }
        }
        return Optional.empty();
    }

    /** The minors of the DRBD resources each node has (mcvirt's own included: a minor is never shared). */
    static Map<String, Set<Integer>> minorsInUse(ObservedState observed) {
        Map<String, Set<Integer>> used = new HashMap<>();
        for (NodeObservation node : observed.nodes()) {
            Set<Integer> minors = new HashSet<>();
            node.drbd().resources().forEach(r -> minors.add(r.minor()));
            used.put(node.node(), minors);
        }
        return used;
    }

    /** The ports the DRBD resources of each node listen on. */
    static Map<String, Set<Integer>> portsInUse(ObservedState observed) {
        Map<String, Set<Integer>> used = new HashMap<>();
        for (NodeObservation node : observed.nodes()) {
            Set<Integer> ports = new HashSet<>();
            node.drbd().resources().forEach(resource -> localPort(resource).ifPresent(ports::add));
            used.put(node.node(), ports);
        }
        return used;
    }

    /** The port a resource listens on here, from its local address (host:port), if it has one. */
    private static Optional<Integer> localPort(ObservedDrbd.Resource resource) {
        String address = resource.localAddress();
        return address != null && address.matches(".*:\\d{1,5}")
                ? Optional.of(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1))) : Optional.empty();
    }

    private static Optional<Integer> firstFree(int first, int last, Set<Integer> taken) {
        for (int candidate = first; candidate <= last; candidate++) {
            if (!taken.contains(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
