package org.mcvirt.manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.ImageSpec;
import org.mcvirt.model.IsoSpec;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Macs;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.Secrets;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmSpec;

/**
 * Loads manifests from files and directories, merges them and checks cross references. Never contacts a node.
 * Every problem in every file is reported at once through {@link ManifestException}.
 */
public final class ManifestLoader {
    private ManifestLoader() {
    }

    public static DesiredState load(List<Path> paths) throws ManifestException {
        return load(paths, null);
    }

    /**
     * As {@link #load(List)}; early (when not null) is given each node as soon as its file's {@code nodes:} section
     * is read and binds cleanly, before the rest is read and checked: a caller may start connecting to it. It may be
     * given nodes that a later check rejects; the returned state (or the exception) is what counts.
     */
    public static DesiredState load(List<Path> paths, java.util.function.Consumer<NodeSpec> early)
            throws ManifestException {
        List<Diagnostic> problems = new ArrayList<>();
        List<ManifestBinder.BoundFile> files = new ArrayList<>();
        for (Path file : expand(paths, problems)) {
            String display = file.toString();
            String text;
            try {
                text = ManifestText.read(file);
            } catch (ManifestText.NotUtf8Exception e) {
                problems.add(new Diagnostic(e.location(), e.getMessage()));
                continue;
            } catch (IOException e) {
                problems.add(new Diagnostic(new Location(display, 1, 1), "cannot read manifest: " + e.getMessage()));
                continue;
            }
            Optional<YamlTree.Node> root = YamlReader.read(display, text, problems, early == null ? null
                    : (key, value) -> {
                        if (key.equals("nodes")) {
                            ManifestBinder.earlyNodes(value).forEach(early);
                        }
                    });
            if (root.isEmpty()) {
                if (problems.isEmpty()) {
                    problems.add(new Diagnostic(new Location(display, 1, 1), "the manifest is empty"));
                }
                continue;
            }
            files.add(new ManifestBinder(problems).bind(root.get()));
        }
        DesiredState state = merge(files, paths, problems);
        if (!problems.isEmpty()) {
            throw new ManifestException(problems);
        }
        return state;
    }

    /** Files as given, directories as their *.yaml and *.yml files in name order. */
    static List<Path> expand(List<Path> paths, List<Diagnostic> problems) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> list = Files.list(path)) {
                    List<Path> found = list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                            .filter(Files::isRegularFile).sorted().toList();
                    if (found.isEmpty()) {
                        problems.add(new Diagnostic(new Location(path.toString(), 1, 1),
                                "directory has no *.yaml or *.yml manifest"));
                    }
                    files.addAll(found);
                } catch (IOException e) {
                    problems.add(new Diagnostic(new Location(path.toString(), 1, 1), "cannot list: " + e.getMessage()));
                }
            } else if (!Files.exists(path)) {
                problems.add(new Diagnostic(new Location(path.toString(), 1, 1), "no such manifest file or directory"));
            } else if (!Files.isRegularFile(path)) { // a FIFO or a device would block or never end
                problems.add(new Diagnostic(new Location(path.toString(), 1, 1),
                        "not a regular file (a manifest is a file or a directory of files)"));
            } else {
                files.add(path);
            }
        }
        return files;
    }

    private static DesiredState merge(List<ManifestBinder.BoundFile> files, List<Path> paths, List<Diagnostic> problems) {
        List<ManifestBinder.Located<ClusterSpec>> clusters = files.stream().flatMap(f -> f.cluster().stream()).toList();
        for (int i = 1; i < clusters.size(); i++) {
            problems.add(new Diagnostic(clusters.get(i).location(),
                    "cluster is defined twice (first at " + clusters.get(0).location() + "); define it in one file"));
        }
        Map<String, ManifestBinder.Located<NodeSpec>> nodes =
                unique(files.stream().flatMap(f -> f.nodes().stream()).toList(), NodeSpec::name, "node", problems);
        Map<String, ManifestBinder.Located<NetworkSpec>> networks =
                unique(files.stream().flatMap(f -> f.networks().stream()).toList(), NetworkSpec::name, "network", problems);
        Map<String, ManifestBinder.Located<VmSpec>> vms =
                unique(files.stream().flatMap(f -> f.vms().stream()).toList(), VmSpec::name, "vm", problems);
        Map<String, ManifestBinder.Located<ImageSpec>> images =
                unique(files.stream().flatMap(f -> f.images().stream()).toList(), ImageSpec::name, "image", problems);
        Map<String, ManifestBinder.Located<IsoSpec>> isos =
                unique(files.stream().flatMap(f -> f.isos().stream()).toList(), IsoSpec::name, "iso", problems);
        if (clusters.isEmpty() && !files.isEmpty()) {
            String first = paths.isEmpty() ? "manifest" : paths.get(0).toString();
            problems.add(new Diagnostic(new Location(first, 1, 1), "no manifest defines 'cluster' (with its name)"));
        }
        List<ManifestBinder.Located<NodeSpec>> localNodes = nodes.values().stream().filter(n -> n.value().local())
                .sorted((a, b) -> a.location().compareTo(b.location())).toList();
        if (localNodes.size() > 1) {
            problems.add(new Diagnostic(localNodes.get(1).location(), "only one node can be 'local: true' (also "
                    + localNodes.get(0).value().name() + " at " + localNodes.get(0).location() + ")"));
        }
        ClusterSpec cluster = clusters.isEmpty() ? new ClusterSpec("unnamed", null) : clusters.get(0).value();
        checkReferences(cluster, nodes, networks, vms, problems);
        checkReplication(cluster, clusters.isEmpty() ? null : clusters.get(0), nodes, vms, problems);
        checkImages(nodes, vms, images, files.stream().flatMap(f -> f.imageNames().stream())
                .collect(java.util.stream.Collectors.toSet()), problems);
        checkIsos(nodes, vms, isos, files.stream().flatMap(f -> f.isoNames().stream())
                .collect(java.util.stream.Collectors.toSet()), problems);
        return new DesiredState(cluster, nodes.values().stream().map(ManifestBinder.Located::value).toList(),
                networks.values().stream().map(ManifestBinder.Located::value).toList(), assignMacs(vms, problems),
                images.values().stream().map(ManifestBinder.Located::value).toList(),
                isos.values().stream().map(ManifestBinder.Located::value).toList());
    }

    /**
     * Explicit MACs must be unique; derived ones are then given in vm name order, each NIC its first candidate
     * that no explicit MAC and no earlier NIC has (see {@link Macs#assign}), so a collision of derived MACs is
     * never an error.
     */
    private static List<VmSpec> assignMacs(Map<String, ManifestBinder.Located<VmSpec>> vms, List<Diagnostic> problems) {
        Map<String, String> explicitOwners = new HashMap<>();
        List<ManifestBinder.Located<VmSpec>> sorted = vms.values().stream()
                .sorted((a, b) -> a.location().compareTo(b.location())).toList();
        for (ManifestBinder.Located<VmSpec> located : sorted) {
            VmSpec vm = located.value();
            for (int i = 0; i < vm.nics().size(); i++) {
                VmSpec.NicSpec nic = vm.nics().get(i);
                if (nic.derived()) {
                    continue;
                }
                String owner = explicitOwners.putIfAbsent(nic.mac(), vm.name() + " nic " + i);
                if (owner != null) {
                    problems.add(new Diagnostic(located.at().get("nics[" + i + "].mac"), "MAC address " + nic.mac()
                            + " is already used by vm " + owner));
                }
            }
        }
        return Macs.assign(sorted.stream().map(ManifestBinder.Located::value).toList(), explicitOwners.keySet(),
                Map.of(), (vm, i) -> problems.add(new Diagnostic(vms.get(vm.name()).at().get("nics[" + i + "].mac"),
                        "no free MAC address for vm " + vm.name() + " nic " + i + " among its " + Macs.CANDIDATES
                                + " derived ones; give it a 'mac'")));
    }

    private static <T> Map<String, ManifestBinder.Located<T>> unique(List<ManifestBinder.Located<T>> items,
            Function<T, String> name, String kind, List<Diagnostic> problems) {
        Map<String, ManifestBinder.Located<T>> byName = new HashMap<>();
        for (ManifestBinder.Located<T> item : items) {
            ManifestBinder.Located<T> previous = byName.putIfAbsent(name.apply(item.value()), item);
            if (previous != null) {
                problems.add(new Diagnostic(item.location(), "duplicate " + kind + " '" + name.apply(item.value())
                        + "' (also defined at " + previous.location() + ")"));
            }
        }
        return byName;
    }

    /**
     * Replicated disks: the vm's pair ({@code nodes: [a, b]}, by default both nodes of a two-node cluster) names two
     * defined nodes, one of them the vm's node; each replicated disk's storage is lvm on both; cluster.drbd is
     * enabled with a secret that can be read here (a file or an environment variable, 1-64 printable characters
     * without quotes or backslashes). The default pair is filled in.
     */
    private static void checkReplication(ClusterSpec cluster, ManifestBinder.Located<ClusterSpec> clusterAt,
            Map<String, ManifestBinder.Located<NodeSpec>> nodes, Map<String, ManifestBinder.Located<VmSpec>> vms,
            List<Diagnostic> problems) {
        boolean anyReplicated = false;
        for (Map.Entry<String, ManifestBinder.Located<VmSpec>> entry : new java.util.ArrayList<>(vms.entrySet())) {
            ManifestBinder.Located<VmSpec> located = entry.getValue();
            VmSpec vm = located.value();
            Location pairAt = located.at().getOrDefault("nodes", located.location());
            if (!vm.replicated()) {
                if (!vm.pair().isEmpty() && !vm.pair().contains(vm.node())) {
                    problems.add(new Diagnostic(pairAt, "vm '" + vm.name() + "' runs on node '" + vm.node()
                            + "', which is not one of its nodes " + vm.pair()));
                }
                continue;
            }
            anyReplicated = true;
            List<String> pair = vm.pair();
            if (pair.isEmpty()) {
                if (nodes.size() != 2) {
                    problems.add(new Diagnostic(located.location(), "vm '" + vm.name() + "' has replicated disks but no"
                            + " 'nodes: [A, B]' naming the two nodes that hold them (only a two-node cluster has a default"
                            + " pair; this one has " + nodes.size() + " nodes)"));
                    continue;
                }
                pair = nodes.keySet().stream().sorted().toList();
                vms.put(entry.getKey(), new ManifestBinder.Located<>(vm.withPair(pair), located.location(), located.at()));
            } else if (pair.size() != 2 || pair.get(0).equals(pair.get(1))) {
                problems.add(new Diagnostic(pairAt, "'nodes' of vm '" + vm.name() + "' must name two different nodes"
                        + " (the DRBD pair), found " + pair));
                continue;
            }
            boolean known = true;
            for (String member : pair) {
                if (!nodes.containsKey(member)) {
                    problems.add(new Diagnostic(pairAt, "'nodes' of vm '" + vm.name() + "' names node '" + member
                            + "', which no manifest defines" + Fields.suggestion(member, nodes.keySet())));
                    known = false;
                }
            }
            if (!pair.contains(vm.node())) {
                problems.add(new Diagnostic(located.at().getOrDefault("node", located.location()), "vm '" + vm.name()
                        + "' runs on node '" + vm.node() + "', which is not one of its DRBD pair " + pair));
            }
            if (!known) {
                continue;
            }
            for (int i = 0; i < vm.disks().size(); i++) {
                VmSpec.DiskSpec disk = vm.disks().get(i);
                if (!disk.replicated()) {
                    continue;
                }
                for (String member : pair) {
                    Optional<StorageSpec> storage = nodes.get(member).value().storage(disk.storage());
                    if (storage.isEmpty() || storage.get().type() != StorageSpec.StorageType.LVM) {
                        problems.add(new Diagnostic(located.at().getOrDefault("disks[" + i + "].storage",
                                located.location()), "replicated disk '" + disk.name() + "' of vm '" + vm.name()
                                + "' needs lvm storage '" + disk.storage() + "' on both nodes of its pair; node '"
                                + member + "' " + (storage.isEmpty() ? "has no storage of that name"
                                : "has it as file storage")));
                    }
                }
            }
        }
        if (anyReplicated && cluster.drbdIfEnabled().isPresent()) {
            Location where = clusterAt == null ? new Location("manifest", 1, 1) : clusterAt.location();
            DrbdSpec drbd = cluster.drbdIfEnabled().get();
            if (drbd.secret() == null) {
                problems.add(new Diagnostic(where, "cluster.drbd needs 'secret: {file: PATH}' or 'secret: {env: NAME}':"
                        + " the shared secret of the replicated disks"));
            } else {
                try {
                    Secrets.resolve(drbd.secret());
                } catch (Secrets.SecretException e) {
                    problems.add(new Diagnostic(where, "cluster.drbd.secret: " + e.getMessage()));
                }
            }
        }
    }

    /**
     * A disk's image is defined, fits in the disk, and is kept in file storage on the vm's node; a linked clone is a
     * file disk (a replicated disk gets the image written onto its DRBD device). A vm's cloud-init seed storage is file storage on
     * each of its nodes.
     */
    private static void checkImages(Map<String, ManifestBinder.Located<NodeSpec>> nodes,
            Map<String, ManifestBinder.Located<VmSpec>> vms, Map<String, ManifestBinder.Located<ImageSpec>> images,
            java.util.Set<String> declared, List<Diagnostic> problems) {
        List<ManifestBinder.Located<VmSpec>> sorted = vms.values().stream()
                .sorted((a, b) -> a.location().compareTo(b.location())).toList();
        for (ManifestBinder.Located<VmSpec> located : sorted) {
            VmSpec vm = located.value();
            List<String> vmNodes = vm.pair().isEmpty() ? List.of(vm.node()) : vm.pair();
            for (int i = 0; i < vm.disks().size(); i++) {
                VmSpec.DiskSpec disk = vm.disks().get(i);
                if (disk.image() == null) {
                    continue;
                }
                Location where = located.at().getOrDefault("disks[" + i + "].image", located.location());
                ManifestBinder.Located<ImageSpec> image = images.get(disk.image());
                if (image == null && declared.contains(disk.image())) {
                    continue; // the image itself was refused, with its problem
                }
                if (image == null) {
                    problems.add(new Diagnostic(where, "disk '" + disk.name() + "' of vm '" + vm.name()
                            + "' uses image '" + disk.image() + "', which no manifest defines"
                            + Fields.suggestion(disk.image(), images.keySet())));
                    continue;
                }
                if (disk.replicated() && disk.linked()) {
                    problems.add(new Diagnostic(where, "replicated disk '" + disk.name() + "' of vm '" + vm.name()
                            + "' cannot be a linked clone: DRBD replicates a block device, and the image is written onto"
                            + " it once (leave out 'clone: linked')"));
                    continue;
                }
                if (disk.sizeBytes() < image.value().virtualBytes()) {
                    problems.add(new Diagnostic(where, "disk '" + disk.name() + "' of vm '" + vm.name() + "' is "
                            + org.mcvirt.model.Sizes.format(disk.sizeBytes()) + ", smaller than image '"
                            + disk.image() + "' (" + image.value().virtualBytes() + " bytes, "
                            + org.mcvirt.model.Sizes.format(image.value().virtualBytes()) + "); a disk may be larger than"
                            + " its image, never smaller"));
                }
                fileStorage(nodes, List.of(vm.node()), image.value().storage(), image.at().get("storage"),
                        "image '" + image.value().name() + "' (used by vm '" + vm.name() + "')", problems);
            }
            if (vm.cloudInit() != null) {
                fileStorage(nodes, vmNodes, vm.cloudInit().storage(), located.at().get("cloudInit"),
                        "the cloud-init seed of vm '" + vm.name() + "'", problems);
            }
        }
    }

    /** A vm's cdrom names a defined ISO, kept in file storage on each node that may run the vm. */
    private static void checkIsos(Map<String, ManifestBinder.Located<NodeSpec>> nodes,
            Map<String, ManifestBinder.Located<VmSpec>> vms, Map<String, ManifestBinder.Located<IsoSpec>> isos,
            java.util.Set<String> declared, List<Diagnostic> problems) {
        List<ManifestBinder.Located<VmSpec>> sorted = vms.values().stream()
                .sorted((a, b) -> a.location().compareTo(b.location())).toList();
        for (ManifestBinder.Located<VmSpec> located : sorted) {
            VmSpec vm = located.value();
            if (vm.cdrom() == null) {
                continue;
            }
            Location where = located.at().getOrDefault("cdrom", located.location());
            ManifestBinder.Located<IsoSpec> iso = isos.get(vm.cdrom());
            if (iso == null) {
                if (!declared.contains(vm.cdrom())) {
                    problems.add(new Diagnostic(where, "vm '" + vm.name() + "' has cdrom '" + vm.cdrom()
                            + "', which no manifest defines in 'isos'" + Fields.suggestion(vm.cdrom(), isos.keySet())));
                }
                continue;
            }
            fileStorage(nodes, vm.pair().isEmpty() ? List.of(vm.node()) : vm.pair(), iso.value().storage(),
                    iso.at().get("storage"), "ISO '" + iso.value().name() + "' (the cdrom of vm '" + vm.name() + "')",
                    problems);
        }
    }

    private static void fileStorage(Map<String, ManifestBinder.Located<NodeSpec>> nodes, List<String> on,
                                    String storage, Location where, String what, List<Diagnostic> problems) {
        // the domain names one path for its CD-ROM on whichever node of the pair it runs
        List<String> paths = on.stream().map(nodes::get).filter(java.util.Objects::nonNull)
                .flatMap(n -> n.value().storage(storage).stream()).filter(s -> s.type() == StorageSpec.StorageType.FILE)
                .map(StorageSpec::path).distinct().toList();
        if (paths.size() > 1) {
            problems.add(new Diagnostic(where, what + " is kept in file storage '" + storage + "', whose path differs"
                    + " between the vm's nodes " + on + " (" + String.join(", ", paths) + "); the vm names one path on"
                    + " either node: give the storage the same path on both"));
        }
        for (String nodeName : on) {
            ManifestBinder.Located<NodeSpec> node = nodes.get(nodeName);
            if (node == null) {
                continue; // reported by checkReferences
            }
            Optional<StorageSpec> found = node.value().storage(storage);
            if (found.isEmpty() || found.get().type() != StorageSpec.StorageType.FILE) {
                problems.add(new Diagnostic(where, what + " is kept in file storage '" + storage + "', which node '"
                        + nodeName + "' does not have" + (found.isPresent() ? " (it is lvm storage)" : "")
                        + "; add it to the node's storage, or name another with 'storage:'"));
            }
        }
    }

    private static void checkReferences(ClusterSpec cluster, Map<String, ManifestBinder.Located<NodeSpec>> nodes,
            Map<String, ManifestBinder.Located<NetworkSpec>> networks, Map<String, ManifestBinder.Located<VmSpec>> vms,
            List<Diagnostic> problems) {
        List<ManifestBinder.Located<VmSpec>> sorted = vms.values().stream()
                .sorted((a, b) -> a.location().compareTo(b.location())).toList();
        for (ManifestBinder.Located<VmSpec> located : sorted) {
            VmSpec vm = located.value();
            ManifestBinder.Located<NodeSpec> node = nodes.get(vm.node());
            if (node == null) {
                problems.add(new Diagnostic(located.at().get("node"), "vm '" + vm.name() + "' runs on node '" + vm.node()
                        + "', which no manifest defines" + Fields.suggestion(vm.node(), nodes.keySet())));
            }
            for (int i = 0; i < vm.disks().size(); i++) {
                VmSpec.DiskSpec disk = vm.disks().get(i);
                Location where = located.at().get("disks[" + i + "].storage");
                if (node != null) {
                    Optional<StorageSpec> storage = node.value().storage(disk.storage());
                    if (storage.isEmpty()) {
                        problems.add(new Diagnostic(where, "disk '" + disk.name() + "' uses storage '" + disk.storage()
                                + "', which node '" + vm.node() + "' does not have"));
                    } else if (disk.replicated() && storage.get().type() != StorageSpec.StorageType.LVM) {
                        problems.add(new Diagnostic(where, "replicated disk '" + disk.name()
                                + "' needs lvm storage; '" + disk.storage() + "' is file storage"));
                    } else if (!disk.replicated() && storage.get().type() == StorageSpec.StorageType.LVM) {
                        problems.add(new Diagnostic(where, "disk '" + disk.name() + "' on lvm storage '" + disk.storage()
                                + "' is not supported yet without 'replicated: true'; use file storage"));
                    }
                }
                if (disk.replicated() && cluster.drbdIfEnabled().isEmpty()) {
                    problems.add(new Diagnostic(located.at().get("disks[" + i + "]"), "disk '" + disk.name()
                            + "' is replicated but cluster.drbd is not enabled"));
                }
            }
            for (int i = 0; i < vm.nics().size(); i++) {
                VmSpec.NicSpec nic = vm.nics().get(i);
                if (!networks.containsKey(nic.network())) {
                    problems.add(new Diagnostic(located.at().get("nics[" + i + "].network"), "network '" + nic.network()
                            + "' is not defined" + Fields.suggestion(nic.network(), networks.keySet())));
                }
            }
        }
    }
}
