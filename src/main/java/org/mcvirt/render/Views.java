package org.mcvirt.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.Names;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;

/** The values templates see, built from the model. Templates only format; every decision is made here. */
public final class Views {
    private Views() {
    }

    /** seed: the vm's cloud-init seed, a CD-ROM on a virtio-scsi controller (null without cloud-init). */
    public record DomainView(String domainType, String name, String uuid, long memoryKib, int cpus, List<DiskView> disks,
                             List<NicView> nics, MetadataView metadata, SeedView seed, CdromView cdrom,
                             int firstDiskBoot) {
        public DomainView {
            Objects.requireNonNull(name, "name");
            disks = List.copyOf(disks);
            nics = List.copyOf(nics);
        }

        /** Without an ISO, booting as libvirt's default (the first disk, then the network). */
        public DomainView(String domainType, String name, String uuid, long memoryKib, int cpus, List<DiskView> disks,
                          List<NicView> nics, MetadataView metadata, SeedView seed) {
            this(domainType, name, uuid, memoryKib, cpus, disks, nics, metadata, seed, null, 0);
        }

        /** This domain with another mark (its devices as they are). */
        public DomainView withMetadata(MetadataView metadata) {
            return new DomainView(domainType, name, uuid, memoryKib, cpus, disks, nics, metadata, seed, cdrom,
                    firstDiskBoot);
        }

        /** Whether devices carry their boot order (the manifest's boot:), which excludes os/boot elements. */
        public boolean perDeviceBoot() {
            return firstDiskBoot > 0 || cdrom != null && cdrom.boot() > 0;
        }
    }

    /**
     * An installer ISO: a read-only CD-ROM on SATA (the bus installers expect; q35 has AHCI built in, pc gets the
     * controller from libvirt); boot is its boot order, 0 for none.
     */
    public record CdromView(String volume, String source, String target, int boot) {
    }

    /**
     * A cloud-init seed CD-ROM: on SCSI behind a virtio-scsi controller, which every machine type has and Debian's
     * cloud kernel reads (it has no AHCI driver for SATA; q35 has no IDE). target continues the sd names.
     */
    public record SeedView(String volume, String source, String target) {
    }

    /**
     * A disk of a domain; drbd is set for a replicated disk (its source is then /dev/drbdMINOR). image: what the mark
     * records the disk was made from (null: nothing, and the mark's entry has no image attributes); only the mark
     * shows it.
     */
    public record DiskView(String name, String storage, String target, String bus, String source, DrbdDiskView drbd,
                           VmMetadata.Image image) {
        public DiskView(String name, String storage, String target, String bus, String source, DrbdDiskView drbd) {
            this(name, storage, target, bus, source, drbd, null);
        }

        public DiskView(String name, String storage, String target, String bus, String source) {
            this(name, storage, target, bus, source, null);
        }

        /** This disk with the mark recording image (null: none). */
        public DiskView withImage(VmMetadata.Image image) {
            return new DiskView(name, storage, target, bus, source, drbd, image);
        }
    }

    /** Where a replicated disk's DRBD resource is: its name, and the minor and port it has on both nodes. */
    public record DrbdDiskView(String resource, int minor, int port) {
        public String device() {
            return "/dev/drbd" + minor;
        }
    }

    public record NicView(String mac, String network) {
    }

    /** pair: the two nodes that hold the vm's replicated disks (empty without any). */
    public record MetadataView(String namespace, String cluster, String name, boolean protect, List<DiskView> disks,
                               List<String> pair) {
        public MetadataView {
            disks = List.copyOf(disks);
            pair = List.copyOf(pair);
        }

        /** This mark with its disks' images as images gives them by disk name (null: none). */
        public MetadataView withImages(java.util.function.Function<String, VmMetadata.Image> images) {
            return new MetadataView(namespace, cluster, name, protect, disks.stream()
                    .map(d -> d.withImage(images.apply(d.name()))).toList(), pair);
        }
    }

    public record NetworkView(String name, boolean nat, String bridgeName, String gateway, String netmask,
                              String dhcpStart, String dhcpEnd) {
    }

    public record PoolView(String name, String path) {
    }

    /** A file volume: qcow2 unless said; backingPath (with its format) makes it an overlay on an image. */
    public record VolumeView(String name, long capacityBytes, String format, String backingPath, String backingFormat) {
        public VolumeView(String name, long capacityBytes) {
            this(name, capacityBytes, "qcow2", null, null);
        }
    }

    /**
     * One DRBD resource file. secret is what the file says between the quotes of shared-secret: a placeholder in a
     * plan (see {@link #SECRET_PLACEHOLDER}), the secret only when apply writes the file.
     */
    /**
     * The scheduled verify of one cluster on one node: its calendar expression, the node's paths, and the program's
     * copy there. waitSeconds bounds the wait for each resource's verify; timeoutSeconds the whole run.
     */
    public record VerifyScheduleView(String cluster, String node, String schedule, String program, String stateDirectory,
                                     String drbdConfigDirectory, long waitSeconds, long timeoutSeconds) {
        public VerifyScheduleView {
            Objects.requireNonNull(schedule, "schedule");
        }
    }

    /**
     * The polkit rules of one cluster's permissions: its superusers (names, and groups as {@code @group}), each vm with
     * owners or users (and the libvirt networks of its NICs, whose ports a start and a stop open and close), and the
     * names of every vm of the cluster (hidden from a named user who is not theirs). Lists sorted, without repeats.
     */
    public record PolkitRulesView(String cluster, List<String> superusers, List<VmRolesView> vms,
                                  List<String> domains) {
        public PolkitRulesView {
            Objects.requireNonNull(cluster, "cluster");
            superusers = sorted(superusers);
            vms = vms.stream().sorted(java.util.Comparator.comparing(VmRolesView::name)).toList();
            domains = sorted(domains);
        }
    }

    /** A vm's owners and users (names, and groups as {@code @group}) and the libvirt networks of its NICs. */
    public record VmRolesView(String name, List<String> owners, List<String> users, List<String> networks) {
        public VmRolesView {
            Objects.requireNonNull(name, "name");
            owners = sorted(owners);
            users = sorted(users);
            networks = sorted(networks);
        }
    }

    private static List<String> sorted(List<String> names) {
        return names.stream().distinct().sorted().toList();
    }

    /** The systemd unit names of a cluster's scheduled verify, without their .service or .timer. */
    public static String verifyUnit(String cluster) {
        return "mcvirt-verify-" + cluster;
    }

    public record DrbdResourceView(String cluster, String vm, String disk, String name, boolean drbd9, String protocol,
                                   String syncRate, String verifyAlg, String secret, List<DrbdHostView> hosts,
                                   String notifyCommand) {
        public DrbdResourceView {
            Objects.requireNonNull(name, "name");
            hosts = List.copyOf(hosts);
        }

        /** Without {@code cluster.notify}: the handlers only log. */
        public DrbdResourceView(String cluster, String vm, String disk, String name, boolean drbd9, String protocol,
                                String syncRate, String verifyAlg, String secret, List<DrbdHostView> hosts) {
            this(cluster, vm, disk, name, drbd9, protocol, syncRate, verifyAlg, secret, hosts, null);
        }
    }

    /** One node's side of a DRBD resource: the same minor and port on both, each with its own disk and address. */
    public record DrbdHostView(String name, int minor, String disk, String address, int port) {
    }

    /** What a plan's DRBD resource file holds where the shared secret goes; apply puts the secret there. */
    public static final String SECRET_PLACEHOLDER = "@MCVIRT_DRBD_SECRET@";

    public static DomainView domain(ClusterSpec cluster, NodeSpec node, VmSpec vm, String uuid) {
        return domain(cluster, node, vm, uuid, java.util.Map.of());
    }

    /** drbd: the DRBD resource of each replicated disk, by manifest disk name (a vm with a cdrom needs the other form). */
    public static DomainView domain(ClusterSpec cluster, NodeSpec node, VmSpec vm, String uuid,
                                    java.util.Map<String, DrbdDiskView> drbd) {
        return domain(cluster, node, vm, uuid, drbd, name -> java.util.Optional.empty());
    }

    /** isos: the manifest's ISOs by name, for the vm's cdrom. The mark records no disk's image. */
    public static DomainView domain(ClusterSpec cluster, NodeSpec node, VmSpec vm, String uuid,
                                    java.util.Map<String, DrbdDiskView> drbd,
                                    java.util.function.Function<String, java.util.Optional<org.mcvirt.model.IsoSpec>> isos) {
        return domain(cluster, node, vm, uuid, drbd, isos, name -> java.util.Optional.empty());
    }

    /**
     * images: the manifest's images by name; the mark records each disk with an image as made from it (its name and
     * SHA-256), which is true only of a disk this definition creates: a new vm's. The update of a defined vm records
     * what its mark recorded for the disks it has ({@link MetadataView#withImages}).
     */
    public static DomainView domain(ClusterSpec cluster, NodeSpec node, VmSpec vm, String uuid,
                                    java.util.Map<String, DrbdDiskView> drbd,
                                    java.util.function.Function<String, java.util.Optional<org.mcvirt.model.IsoSpec>> isos,
                                    java.util.function.Function<String, java.util.Optional<org.mcvirt.model.ImageSpec>> images) {
        List<DiskView> disks = disks(node, vm, drbd);
        List<NicView> nics = vm.nics().stream().map(n -> nic(cluster, n)).toList();
        SeedView seed = seed(node, vm, uuid, disks);
        MetadataView mark = metadata(cluster, vm, disks).withImages(name -> image(vm, name, images));
        return new DomainView(node.domainType().libvirtName(), vm.name(), uuid, vm.memoryKib(), vm.cpus(), disks, nics,
                mark, seed, cdrom(node, vm, disks, seed, isos), vm.boot().indexOf(VmSpec.BootDevice.DISK) + 1);
    }

    /** The image the manifest makes vm's disk from, as a mark records it; null when it has none (or images lacks it). */
    public static VmMetadata.Image image(VmSpec vm, String disk,
                                         java.util.function.Function<String, java.util.Optional<org.mcvirt.model.ImageSpec>> images) {
        return vm.disks().stream().filter(d -> d.name().equals(disk) && d.image() != null).findFirst()
                .flatMap(d -> images.apply(d.image())).map(VmMetadata.Image::of).orElse(null);
    }

    /** The vm's installer ISO, the sd target after its SCSI and SATA disks and its seed, else null. */
    private static CdromView cdrom(NodeSpec node, VmSpec vm, List<DiskView> disks, SeedView seed,
                                   java.util.function.Function<String, java.util.Optional<org.mcvirt.model.IsoSpec>> isos) {
        if (vm.cdrom() == null) {
            return null;
        }
        org.mcvirt.model.IsoSpec iso = isos.apply(vm.cdrom()).orElseThrow(() -> new IllegalArgumentException(
                "vm " + vm.name() + " has cdrom " + vm.cdrom() + ", which is not an ISO of the manifest"));
        StorageSpec storage = node.storage(iso.storage()).orElseThrow(() -> new IllegalArgumentException(
                "node " + node.name() + " has no storage " + iso.storage()));
        long sd = disks.stream().filter(d -> d.target().startsWith("sd")).count() + (seed == null ? 0 : 1);
        return new CdromView(iso.volumeName(), storage.path() + "/" + iso.volumeName(), "sd" + (char) ('a' + sd),
                vm.boot().indexOf(VmSpec.BootDevice.CDROM) + 1);
    }

    /** The seed of a vm with cloud-init (its instance-id from uuid unless the manifest gives one), else null. */
    private static SeedView seed(NodeSpec node, VmSpec vm, String uuid, List<DiskView> disks) {
        if (vm.cloudInit() == null) {
            return null;
        }
        String volume = org.mcvirt.model.CloudInitSeed.of(vm, uuid).volumeName(vm.name());
        StorageSpec storage = node.storage(vm.cloudInit().storage()).orElseThrow(() -> new IllegalArgumentException(
                "node " + node.name() + " has no storage " + vm.cloudInit().storage()));
        long sd = disks.stream().filter(d -> d.target().startsWith("sd")).count();
        return new SeedView(volume, storage.path() + "/" + volume, "sd" + (char) ('a' + sd));
    }

    /** A disk's volume made from an image: a full copy (qcow2), or linked, a qcow2 overlay on the image's file. */
    public static VolumeView volume(VmSpec vm, VmSpec.DiskSpec disk, org.mcvirt.model.ImageSpec image,
                                    String imagePath) {
        String name = Names.volumeName(vm.name(), disk.name());
        return disk.linked() ? new VolumeView(name, disk.sizeBytes(), "qcow2", imagePath, image.format().libvirtName())
                : new VolumeView(name, disk.sizeBytes());
    }

    /** An image's volume as it is created for its upload: raw bytes, the file's length (libvirt then probes it). */
    public static VolumeView imageVolume(org.mcvirt.model.Uploaded image) {
        return new VolumeView(image.volumeName(), image.fileBytes(), "raw", null, null);
    }

    public static MetadataView metadata(ClusterSpec cluster, VmSpec vm, List<DiskView> disks) {
        return new MetadataView(Names.METADATA_NAMESPACE, cluster.name(), vm.name(), vm.protect(), disks,
                vm.replicated() ? vm.pair() : List.of());
    }

    /** Disk targets are assigned per bus in manifest order: the first virtio disk is vda, the next vdb. */
    public static List<DiskView> disks(NodeSpec node, VmSpec vm) {
        return disks(node, vm, java.util.Map.of());
    }

    /** The disks with the DRBD resource of each replicated one (by manifest disk name); a replicated disk needs one. */
    public static List<DiskView> disks(NodeSpec node, VmSpec vm, java.util.Map<String, DrbdDiskView> drbd) {
        List<DiskView> disks = new ArrayList<>();
        java.util.Map<String, Integer> perPrefix = new java.util.HashMap<>();
        for (VmSpec.DiskSpec disk : vm.disks()) {
            StorageSpec storage = node.storage(disk.storage()).orElseThrow(
                    () -> new IllegalArgumentException("node " + node.name() + " has no storage " + disk.storage()));
            int index = perPrefix.merge(disk.bus().targetDevice(0), 1, Integer::sum) - 1;
            if (disk.replicated()) {
                DrbdDiskView resource = drbd.get(disk.name());
                if (resource == null) {
                    throw new IllegalArgumentException("vm " + vm.name() + " disk " + disk.name() + " has no DRBD resource");
                }
                disks.add(new DiskView(disk.name(), disk.storage(), disk.bus().targetDevice(index),
                        disk.bus().libvirtName(), resource.device(), resource));
                continue;
            }
            disks.add(new DiskView(disk.name(), disk.storage(), disk.bus().targetDevice(index), disk.bus().libvirtName(),
                    storage.path() + "/" + Names.volumeName(vm.name(), disk.name())));
        }
        return disks;
    }

    public static NicView nic(ClusterSpec cluster, VmSpec.NicSpec nic) {
        return new NicView(nic.mac(), Names.networkName(cluster.name(), nic.network()));
    }

    public static NetworkView network(ClusterSpec cluster, NetworkSpec network) {
        String name = Names.networkName(cluster.name(), network.name());
        if (!network.nat()) {
            return new NetworkView(name, false, network.bridge(), null, null, null, null);
        }
        String[] parts = network.cidr().split("/");
        int prefix = Integer.parseInt(parts[1]);
        long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
        long base = ipToLong(parts[0]) & mask;
        long broadcast = base | (~mask & 0xffffffffL);
        return new NetworkView(name, true, Names.bridgeName(cluster.name(), network.name()), longToIp(base + 1), longToIp(mask),
                longToIp(base + 2), longToIp(broadcast - 1));
    }

    public static PoolView pool(ClusterSpec cluster, StorageSpec storage) {
        return new PoolView(Names.poolName(cluster.name(), storage.name()), storage.path());
    }

    public static VolumeView volume(VmSpec vm, VmSpec.DiskSpec disk) {
        return new VolumeView(Names.volumeName(vm.name(), disk.name()), disk.sizeBytes());
    }

    private static long ipToLong(String ip) {
        long value = 0;
        for (String octet : ip.split("\\.")) {
            value = (value << 8) | Integer.parseInt(octet);
        }
        return value;
    }

    private static String longToIp(long value) {
        return ((value >> 24) & 255) + "." + ((value >> 16) & 255) + "." + ((value >> 8) & 255) + "." + (value & 255);
    }
}
