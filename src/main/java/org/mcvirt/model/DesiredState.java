package org.mcvirt.model;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Everything the manifests ask for, merged and validated. Lists are sorted by name. */
public record DesiredState(ClusterSpec cluster, List<NodeSpec> nodes, List<NetworkSpec> networks, List<VmSpec> vms,
                           @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                           List<ImageSpec> images,
                           @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                           List<IsoSpec> isos) {
    public DesiredState {
        Objects.requireNonNull(cluster, "cluster");
        isos = isos == null ? List.of() : isos.stream().sorted(Comparator.comparing(IsoSpec::name)).toList();
        images = images == null ? List.of() : images.stream().sorted(Comparator.comparing(ImageSpec::name)).toList();
        nodes = nodes.stream().sorted(Comparator.comparing(NodeSpec::name)).toList();
        networks = networks.stream().sorted(Comparator.comparing(NetworkSpec::name)).toList();
        vms = vms.stream().sorted(Comparator.comparing(VmSpec::name)).toList();
    }

    /** Without images. */
    public DesiredState(ClusterSpec cluster, List<NodeSpec> nodes, List<NetworkSpec> networks, List<VmSpec> vms) {
        this(cluster, nodes, networks, vms, List.of());
    }

    /** Without ISOs. */
    public DesiredState(ClusterSpec cluster, List<NodeSpec> nodes, List<NetworkSpec> networks, List<VmSpec> vms,
                        List<ImageSpec> images) {
        this(cluster, nodes, networks, vms, images, List.of());
    }

    public Optional<IsoSpec> iso(String name) {
        return ByName.find(isos, IsoSpec::name, name);
    }

    public Optional<ImageSpec> image(String name) {
        return ByName.find(images, ImageSpec::name, name);
    }

    public Optional<NodeSpec> node(String name) {
        return ByName.find(nodes, NodeSpec::name, name);
    }

    public Optional<NetworkSpec> network(String name) {
        return ByName.find(networks, NetworkSpec::name, name);
    }

    public Optional<VmSpec> vm(String name) {
        return ByName.find(vms, VmSpec::name, name);
    }

    /** This state with vm in place of the vm of the same name. */
    public DesiredState withVm(VmSpec vm) {
        return new DesiredState(cluster, nodes, networks, vms.stream().map(v -> v.name().equals(vm.name()) ? vm : v)
                .toList(), images, isos);
    }

    /** The same desired state with one node replaced by another of the same name. */
    public DesiredState withNode(NodeSpec node) {
        return new DesiredState(cluster, nodes.stream().map(n -> n.name().equals(node.name()) ? node : n).toList(),
                networks, vms, images, isos);
    }
}
