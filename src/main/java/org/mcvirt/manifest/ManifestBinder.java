package org.mcvirt.manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mcvirt.model.CalendarSpec;
import org.mcvirt.model.CapacitySpec;
import org.mcvirt.model.MigrationSpec;
import org.mcvirt.model.NotifySpec;
import org.mcvirt.model.PermissionsSpec;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.CloudInitSpec;
import org.mcvirt.model.ImageSpec;
import org.mcvirt.model.IsoSpec;
import org.mcvirt.model.Uploaded;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.IntRange;
import org.mcvirt.model.LibvirtUris;
import org.mcvirt.model.Macs;
import org.mcvirt.model.NetworkSpec;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.model.VmSpec;

/** Binds the YAML tree of one manifest file to model records, collecting every problem. */
final class ManifestBinder {
    static final String API_VERSION = "mcvirt/v1";
    private static final Pattern MAC = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");
    private static final Pattern USER = LibvirtUris.USER;
    private static final String PRINCIPAL_RULE = "is not a user name or @group (lower-case letters, digits, _ and -,"
            + " starting with a letter or _, at most 32 characters)";
    private static final Pattern RANGE = Pattern.compile("(\\d{1,6})-(\\d{1,6})");
    private static final Pattern IPV4 =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    /** LVM's rule for a volume group name; a leading '-' would be read as an option, '.' and '..' as paths. */
    private static final Pattern VOLUME_GROUP = Pattern.compile("(?!-)(?!\\.{1,2}$)[A-Za-z0-9+_.-]{1,127}");
    private static final Pattern HOST = LibvirtUris.HOST;

    /** A bound value with the location of its name and of the fields that refer to other objects. */
    record Located<T>(T value, Location location, Map<String, Location> at) {
        Located {
            at = Map.copyOf(at);
        }
    }

    /** What one file contributed. */
    record BoundFile(Optional<Located<ClusterSpec>> cluster, List<Located<NodeSpec>> nodes,
                     List<Located<NetworkSpec>> networks, List<Located<VmSpec>> vms, List<Located<ImageSpec>> images,
                     Set<String> imageNames, List<Located<IsoSpec>> isos, Set<String> isoNames) {
    }

    private final List<Diagnostic> problems;

    ManifestBinder(List<Diagnostic> problems) {
        this.problems = problems;
    }

    BoundFile bind(YamlTree.Node root) {
        List<Located<NodeSpec>> nodes = new ArrayList<>();
        List<Located<NetworkSpec>> networks = new ArrayList<>();
        List<Located<VmSpec>> vms = new ArrayList<>();
        List<Located<ImageSpec>> images = new ArrayList<>();
        Set<String> imageNames = new java.util.HashSet<>();
        List<Located<IsoSpec>> isos = new ArrayList<>();
        Set<String> isoNames = new java.util.HashSet<>();
        Optional<Fields> top = Fields.of(root, "the manifest",
                Set.of("apiVersion", "cluster", "nodes", "networks", "vms", "images", "isos"), problems);
        if (top.isEmpty()) {
            return new BoundFile(Optional.empty(), nodes, networks, vms, images, imageNames, isos, isoNames);
        }
        Fields fields = top.get();
        Optional<String> apiVersion = fields.requiredString("apiVersion");
        if (apiVersion.isPresent() && !apiVersion.get().equals(API_VERSION)) {
            fields.error("apiVersion", "unsupported apiVersion '" + apiVersion.get() + "'; this mcvirt reads '"
                    + API_VERSION + "'");
        }
        Optional<Located<ClusterSpec>> cluster = fields.node("cluster").flatMap(this::cluster);
        fields.list("nodes").forEach(n -> node(n).ifPresent(nodes::add));
        fields.list("networks").forEach(n -> network(n).ifPresent(networks::add));
        fields.list("vms").forEach(n -> vm(n).ifPresent(vms::add));
        fields.list("images").forEach(n -> image(n, imageNames).ifPresent(images::add));
        fields.list("isos").forEach(n -> iso(n, isoNames).ifPresent(isos::add));
        return new BoundFile(cluster, nodes, networks, vms, images, imageNames, isos, isoNames);
    }

    /**
     * An image: {@code {name, source: PATH, sha256: HEX, format: qcow2|raw, storage: images}}. A relative source is
     * relative to the manifest's directory; the file must exist and be a self-contained image of that format (its
     * SHA-256 is checked when a plan uploads it).
     */
    private Optional<Located<ImageSpec>> image(YamlTree.Node node, Set<String> names) {
        return Fields.of(node, "image", Set.of("name", "source", "sha256", "format", "storage"), problems).flatMap(f -> {
            Optional<String> name = f.name("name");
            // named even when refused, so a disk using it gets no second problem
            name.ifPresent(names::add);
            Optional<String> path = source(f);
            Optional<String> sha256 = sha256(f);
            ImageSpec.Format format = f.enumeration("format", ImageSpec.Format.class).orElse(ImageSpec.Format.QCOW2);
            String storage = f.has("storage") ? f.name("storage").orElse(ImageSpec.DEFAULT_STORAGE)
                    : ImageSpec.DEFAULT_STORAGE;
            if (name.isEmpty() || path.isEmpty() || sha256.isEmpty()) {
                return Optional.empty();
            }
            ImageFiles.Sizes sizes = new ImageFiles.Sizes(0, 0); // a URL's: learnt when planned
            if (!Uploaded.isUrl(path.get())) {
                try {
                    sizes = ImageFiles.inspect(Path.of(path.get()), format);
                } catch (ImageFiles.UnusableImage e) {
                    f.error("source", "image '" + name.get() + "': source '" + path.get() + "' " + e.getMessage());
                    return Optional.empty();
                }
            }
            return Optional.of(new Located<>(new ImageSpec(name.get(), path.get(), sha256.get(), format,
                    storage, sizes.virtualBytes(), sizes.fileBytes(), f.location("sha256").toString()),
                    f.location("name"), Map.of("source", f.location("source"), "sha256", f.location("sha256"),
                    "storage", f.location("storage"))));
        });
    }

    /** An installer ISO: {@code {name, source: PATH, sha256: HEX, storage: images}}, a file on this machine. */
    private Optional<Located<IsoSpec>> iso(YamlTree.Node node, Set<String> names) {
        return Fields.of(node, "iso", Set.of("name", "source", "sha256", "storage"), problems).flatMap(f -> {
            Optional<String> name = f.name("name");
            name.ifPresent(names::add);
            Optional<String> sha256 = sha256(f);
            String storage = f.has("storage") ? f.name("storage").orElse(ImageSpec.DEFAULT_STORAGE)
                    : ImageSpec.DEFAULT_STORAGE;
            Optional<String> path = source(f);
            if (name.isEmpty() || path.isEmpty() || sha256.isEmpty()) {
                return Optional.empty();
            }
            ImageFiles.Sizes sizes = new ImageFiles.Sizes(0, 0);
            if (!Uploaded.isUrl(path.get())) {
                try {
                    sizes = ImageFiles.inspect(Path.of(path.get()), ImageSpec.Format.RAW);
                } catch (ImageFiles.UnusableImage e) {
                    f.error("source", "ISO '" + name.get() + "': source '" + path.get() + "' " + e.getMessage());
                    return Optional.empty();
                }
            }
            return Optional.of(new Located<>(new IsoSpec(name.get(), path.get(), sha256.get(), storage,
                    sizes.fileBytes(), f.location("sha256").toString()), f.location("name"),
                    Map.of("storage", f.location("storage"))));
        });
    }

    private static Optional<String> sha256(Fields f) {
        return f.requiredString("sha256").map(h -> h.toLowerCase(Locale.ROOT)).filter(h -> {
            if (ImageSpec.SHA256.matcher(h).matches()) {
                return true;
            }
            f.error("sha256", "'sha256' must be 64 hex digits (sha256sum FILE), found '" + h + "'");
            return false;
        });
    }

    /**
     * A source: a file on this machine, resolved against the manifest's directory, or an http(s) URL the nodes
     * download (no user or password in it: the URL is shown in plans; no other scheme).
     */
    private static Optional<String> source(Fields f) {
        Optional<String> source = f.requiredString("source");
        if (source.isPresent() && source.get().matches("(?i)[a-z][a-z0-9+.-]*://.*")) {
            String url = source.get();
            java.net.URI uri;
            try {
                uri = new java.net.URI(url);
            } catch (java.net.URISyntaxException e) {
                f.error("source", "'source' is not a valid URL (" + e.getReason() + " at index " + e.getIndex() + ")");
                return Optional.empty();
            }
            if (!Uploaded.isUrl(url)) {
                f.error("source", "'source' must be a file on this machine or an http:// or https:// URL (in lower"
                        + " case), found '" + Uploaded.shown(url) + "'");
                return Optional.empty();
            }
            if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
                f.error("source", "'source' must be an http(s) URL with a host and no user, password or #fragment"
                        + " (plans show it), found '" + Uploaded.shown(url) + "'");
                return Optional.empty();
            }
            return Optional.of(url);
        }
        return source.map(s -> relativeToManifest(f, s).toString());
    }

    /** A path as written in the manifest: absolute, or relative to the directory of the manifest file. */
    private static Path relativeToManifest(Fields f, String path) {
        Path manifest = Path.of(f.location().file()).toAbsolutePath();
        return manifest.getParent().resolve(path).normalize();
    }

    /** A small text file named in the manifest (cloud-init's user data), read now; empty on a problem. */
    private Optional<String> textFile(Fields f, String key, long maxBytes) {
        return f.string(key).flatMap(name -> {
            Path path = relativeToManifest(f, name);
            try {
                if (!Files.isRegularFile(path)) {
                    f.error(key, "'" + key + "': " + path + (Files.exists(path) ? " is not a regular file"
                            : " does not exist"));
                    return Optional.empty();
                }
                if (Files.size(path) > maxBytes) {
                    f.error(key, "'" + key + "': " + path + " is larger than " + maxBytes / 1024 + " KiB");
                    return Optional.empty();
                }
                return Optional.of(ManifestText.read(path));
            } catch (IOException | RuntimeException e) {
                f.error(key, "'" + key + "': cannot read " + path + ": " + e.getMessage());
                return Optional.empty();
            }
        });
    }

    private Optional<Located<ClusterSpec>> cluster(YamlTree.Node node) {
        return Fields.of(node, "cluster", Set.of("name", "drbd", "capacity", "migration", "notify",
                "permissions"), problems)
                .flatMap(f -> {
            Optional<String> name = f.name("name");
            DrbdSpec drbd = f.node("drbd").flatMap(this::drbd).orElse(null);
            CapacitySpec capacity = f.node("capacity").flatMap(this::capacity).orElse(CapacitySpec.DEFAULT);
            MigrationSpec migration = f.node("migration").flatMap(this::migration).orElse(MigrationSpec.DEFAULT);
            NotifySpec notify = f.node("notify").flatMap(this::notify).orElse(null);
            PermissionsSpec permissions = f.node("permissions").flatMap(this::permissions).orElse(null);
            return name.map(n -> new Located<>(new ClusterSpec(n, drbd, capacity, migration, notify, permissions),
                    f.location("name"),
                    Map.of()));
        });
    }

    /** {@code cluster.permissions}: {@code superusers: [alice, "@ops"]} (users, and groups as @group). */
    private Optional<PermissionsSpec> permissions(YamlTree.Node node) {
        return Fields.of(node, "cluster.permissions", Set.of("superusers"), problems).map(f -> new PermissionsSpec(
                f.strings("superusers", PermissionsSpec.PRINCIPAL, PRINCIPAL_RULE)));
    }

    /** {@code cluster.notify}: {@code command: /usr/local/bin/page-oncall drbd} (see {@link NotifySpec}). */
    private Optional<NotifySpec> notify(YamlTree.Node node) {
        return Fields.of(node, "cluster.notify", Set.of("command"), problems).flatMap(f -> f.requiredString("command").flatMap(command -> {
            if (!NotifySpec.valid(command)) {
                f.error("command", "'command' must be an absolute path, optionally followed by words of letters,"
                        + " digits and / . _ - + = , : @ % (at most " + NotifySpec.MAX_LENGTH + " characters, no"
                        + " quotes or shell syntax: it runs inside DRBD's handler), found '" + command + "'");
                return Optional.empty();
            }
            return Optional.of(new NotifySpec(command));
        }));
    }

    /** {@code cluster.migration}: {@code maxDowntime: 100ms} (ms or s, at most 10s), {@code autoConverge: true}. */
    private Optional<MigrationSpec> migration(YamlTree.Node node) {
        return Fields.of(node, "cluster.migration", Set.of("maxDowntime", "autoConverge"), problems).flatMap(f -> {
            long downtime = MigrationSpec.DEFAULT.maxDowntimeMs();
            Optional<String> text = f.string("maxDowntime");
            if (text.isPresent()) {
                var matcher = java.util.regex.Pattern.compile("(\\d{1,5})(ms|s)").matcher(text.get().strip());
                long ms = !matcher.matches() ? -1 : Long.parseLong(matcher.group(1))
                        * (matcher.group(2).equals("s") ? 1000 : 1);
                if (ms < 1 || ms > MigrationSpec.MAX_DOWNTIME_MS) {
                    f.error("maxDowntime", "'maxDowntime' must be a time such as 100ms or 1s, from 1ms to "
                            + MigrationSpec.MAX_DOWNTIME_MS / 1000 + "s, found '" + text.get() + "'");
                    return Optional.empty();
                }
                downtime = ms;
            }
            return Optional.of(new MigrationSpec(downtime, f.bool("autoConverge",
                    MigrationSpec.DEFAULT.autoConverge())));
        });
    }

    /** {@code cluster.capacity}: {@code nPlusOne: warn | enforce} (default warn). */
    private Optional<CapacitySpec> capacity(YamlTree.Node node) {
        return Fields.of(node, "cluster.capacity", Set.of("nPlusOne"), problems).map(f -> new CapacitySpec(
                f.enumeration("nPlusOne", CapacitySpec.NPlusOne.class).orElse(CapacitySpec.DEFAULT.nPlusOne())));
    }

    private Optional<DrbdSpec> drbd(YamlTree.Node node) {
        return Fields.of(node, "cluster.drbd",
                Set.of("enabled", "protocol", "syncRate", "verifyAlg", "verifyMaxAge", "verifySchedule", "ports", "minors",
                        "secret"),
                problems)
                .flatMap(f -> {
                    boolean enabled = f.bool("enabled", true);
                    String protocol = f.string("protocol").orElse("C");
                    if (!Set.of("A", "B", "C").contains(protocol)) {
                        f.error("protocol", "'protocol' must be A, B or C, found '" + protocol + "'");
                    }
                    String syncRate = f.string("syncRate").orElse("100M");
                    if (!syncRate.matches("\\d+[KMG]?")) {
                        f.error("syncRate", "'syncRate' must be a rate such as 100M, found '" + syncRate + "'");
                    }
                    String verifyAlg = f.string("verifyAlg").orElse("sha256");
                    if (!verifyAlg.matches("[a-z0-9-]+")) {
                        f.error("verifyAlg", "'verifyAlg' must be a kernel hash name such as sha256");
                    }
                    java.time.Duration verifyMaxAge = f.string("verifyMaxAge").flatMap(text -> age(f, "verifyMaxAge",
                            text)).orElse(null);
                    String verifySchedule = f.string("verifySchedule").flatMap(text -> {
                        Optional<String> problem = CalendarSpec.problem(text);
                        problem.ifPresent(p -> f.error("verifySchedule", "'verifySchedule' must be a systemd calendar"
                                + " expression such as \"Sun *-*-* 03:00\" (systemd.time(7)): " + p + ", found '" + text
                                + "'"));
                        return problem.isPresent() ? Optional.empty() : Optional.of(text);
                    }).orElse(null);
                    Optional<IntRange> ports = range(f, "ports", "7789-7999", 1, 65535);
                    Optional<IntRange> minors = range(f, "minors", "1-999", 0, 1048575);
                    DrbdSpec.SecretRef secret = f.node("secret").flatMap(this::secret).orElse(null);
                    if (ports.isEmpty() || minors.isEmpty()) {
                        return Optional.empty();
                    }
                    return Optional.of(new DrbdSpec(enabled, protocol, syncRate, verifyAlg, ports.get(),
                            minors.get(), secret, verifyMaxAge, verifySchedule));
                });
    }

    /** An age such as 7d, 12h or 30m (days, hours, minutes), more than zero. */
    private static Optional<java.time.Duration> age(Fields f, String key, String text) {
        var matcher = java.util.regex.Pattern.compile("(\\d{1,6})([dhm])").matcher(text.strip());
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            f.error(key, "'" + key + "' must be a duration such as 7d, 12h or 30m (more than zero), found '" + text
                    + "'");
            return Optional.empty();
        }
        long amount = Long.parseLong(matcher.group(1));
        return Optional.of(switch (matcher.group(2)) {
            case "d" -> java.time.Duration.ofDays(amount);
            case "h" -> java.time.Duration.ofHours(amount);
            default -> java.time.Duration.ofMinutes(amount);
        });
    }

    private Optional<DrbdSpec.SecretRef> secret(YamlTree.Node node) {
        return Fields.of(node, "cluster.drbd.secret", Set.of("file", "env"), problems).flatMap(f -> {
            Optional<String> file = f.string("file");
            Optional<String> env = f.string("env");
            if (file.isPresent() == env.isPresent()) {
                problems.add(new Diagnostic(f.location(), "cluster.drbd.secret needs exactly one of 'file' or 'env'"));
                return Optional.empty();
            }
            return Optional.of(new DrbdSpec.SecretRef(file.orElse(null), env.orElse(null)));
        });
    }

    private Optional<IntRange> range(Fields f, String key, String absent, int min, int max) {
        String text = f.string(key).orElse(absent);
        Matcher m = RANGE.matcher(text);
        if (!m.matches()) {
            f.error(key, "'" + key + "' must be a range FIRST-LAST, found '" + text + "'");
            return Optional.empty();
        }
        int first = Integer.parseInt(m.group(1));
        int last = Integer.parseInt(m.group(2));
        if (first < min || last > max || first > last) {
            f.error(key, "'" + key + "' must be a non-empty range within " + min + "-" + max + ", found '" + text + "'");
            return Optional.empty();
        }
        return Optional.of(new IntRange(first, last));
    }

    /**
     * The nodes of a top-level {@code nodes:} value that bind without any problem, for an early start (connecting
     * while the rest of the manifest is read). The problems are not reported here: the whole manifest's bind does.
     */
    static List<NodeSpec> earlyNodes(YamlTree.Node nodesValue) {
        if (!(nodesValue instanceof YamlTree.ListNode list)) {
            return List.of();
        }
        List<NodeSpec> nodes = new ArrayList<>();
        for (YamlTree.Node item : list.items()) {
            List<Diagnostic> scratch = new ArrayList<>();
            new ManifestBinder(scratch).node(item).filter(n -> scratch.isEmpty()).ifPresent(n -> nodes.add(n.value()));
        }
        return nodes;
    }

    private Optional<Located<NodeSpec>> node(YamlTree.Node node) {
        return Fields.of(node, "node", Set.of("name", "local", "address", "clusterIp", "drbdIp", "ssh", "libvirt",
                "paths", "storage", "state"), problems).flatMap(f -> {
                    Optional<String> name = f.name("name");
                    boolean local = f.bool("local", false);
                    Optional<String> address = local ? f.string("address") : f.requiredString("address");
                    address.filter(a -> !HOST.matcher(a).matches())
                            .ifPresent(a -> f.error("address", "'" + a + "' is not a host name or IP address"));
                    String clusterIp = f.string("clusterIp").orElse(address.orElse(null));
                    String drbdIp = f.string("drbdIp").orElse(clusterIp);
                    for (String key : List.of("clusterIp", "drbdIp")) {
                        f.string(key).filter(ip -> !IPV4.matcher(ip).matches())
                                .ifPresent(ip -> f.error(key, "'" + key + "' must be an IPv4 address, found '" + ip + "'"));
                    }
                    NodeSpec.SshSpec ssh = f.node("ssh").flatMap(this::ssh)
                            .orElse(new NodeSpec.SshSpec("root", 22, expandHome("~/.ssh/id_ed25519"),
                                    expandHome("~/.ssh/known_hosts")));
                    String uri = null;
                    NodeSpec.DomainType domainType = NodeSpec.DomainType.KVM;
                    if (f.has("libvirt")) {
                        Optional<Fields> lv = Fields.of(f.node("libvirt").orElseThrow(), "node.libvirt",
                                Set.of("uri", "domainType"), problems);
                        if (lv.isPresent()) {
                            uri = lv.get().string("uri").orElse(null);
                            Fields libvirt = lv.get();
                            Optional.ofNullable(uri).flatMap(LibvirtUris::problem).ifPresent(why -> libvirt.error("uri",
                                    "'uri' must be a libvirt URI of a transport mcvirt builds itself: " + why));
                            domainType = lv.get().enumeration("domainType", NodeSpec.DomainType.class).orElse(domainType);
                        }
                    }
                    String stateDirectory = "/var/lib/mcvirt";
                    String drbdConfigDirectory = "/etc/drbd.d";
                    if (f.has("paths")) {
                        Optional<Fields> paths = Fields.of(f.node("paths").orElseThrow(), "node.paths",
                                Set.of("state", "drbdConf"), problems);
                        if (paths.isPresent()) {
                            stateDirectory = absolutePath(paths.get(), "state").orElse(stateDirectory);
                            drbdConfigDirectory = absolutePath(paths.get(), "drbdConf").orElse(drbdConfigDirectory);
                        }
                    }
                    List<StorageSpec> storage = new ArrayList<>();
                    Map<String, Location> seen = new HashMap<>();
                    for (YamlTree.Node item : f.list("storage")) {
                        storage(item).ifPresent(s -> {
                            Location previous = seen.putIfAbsent(s.value().name(), s.location());
                            if (previous != null) {
                                problems.add(new Diagnostic(s.location(), "duplicate storage '" + s.value().name()
                                        + "' (first at " + previous + ")"));
                            } else {
                                storage.add(s.value());
                            }
                        });
                    }
                    NodeSpec.State state = f.enumeration("state", NodeSpec.State.class).orElse(NodeSpec.State.ONLINE);
                    if (name.isEmpty() || (!local && address.isEmpty())) {
                        return Optional.empty();
                    }
                    if (uri == null) {
                        uri = local ? "qemu:///system" : derivedUri(ssh, address.get());
                    }
                    NodeSpec spec = new NodeSpec(name.get(), local, address.orElse(null), clusterIp, drbdIp, local ? null : ssh,
                            uri, domainType, stateDirectory, drbdConfigDirectory, storage, state);
                    return Optional.of(new Located<>(spec, f.location("name"), Map.of()));
                });
    }

    /** libvirt over libssh with the node's own key and known_hosts: strict host-key checking, no agent. */
    static String derivedUri(NodeSpec.SshSpec ssh, String address) {
        return LibvirtUris.derived(ssh.user(), address, ssh.port(), ssh.identityFile(), ssh.knownHosts());
    }

    /** '~/' at the start of a path means the home directory of the user running mcvirt. */
    static String expandHome(String path) {
        return path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
    }

    private Optional<String> absolutePath(Fields f, String key) {
        return f.string(key).filter(p -> {
            if (p.startsWith("/") && !p.contains("..")) {
                return true;
            }
            f.error(key, "'" + key + "' must be an absolute path without '..', found '" + p + "'");
            return false;
        });
    }

    private Optional<NodeSpec.SshSpec> ssh(YamlTree.Node node) {
        return Fields.of(node, "node.ssh", Set.of("user", "port", "identityFile", "knownHosts"), problems).map(f -> {
            String user = f.string("user").orElse("root");
            if (!USER.matcher(user).matches()) {
                f.error("user", "'" + user + "' is not a valid user name");
            }
            int port = f.integer("port", 1, 65535).orElse(22);
            for (String key : List.of("identityFile", "knownHosts")) {
                f.string(key).flatMap(LibvirtUris::pathProblem).ifPresent(why -> f.error(key, "'" + key + "' " + why));
            }
            return new NodeSpec.SshSpec(user, port, expandHome(f.string("identityFile").orElse("~/.ssh/id_ed25519")),
                    expandHome(f.string("knownHosts").orElse("~/.ssh/known_hosts")));
        });
    }

    private Optional<Located<StorageSpec>> storage(YamlTree.Node node) {
        return Fields.of(node, "storage", Set.of("name", "type", "volumeGroup", "path"), problems).flatMap(f -> {
            Optional<String> name = f.name("name");
            Optional<StorageSpec.StorageType> type = f.has("type")
                    ? f.enumeration("type", StorageSpec.StorageType.class)
                    : Optional.empty();
            if (!f.has("type")) {
                f.error("type", "storage needs 'type' (file or lvm)");
            }
            String volumeGroup = null;
            String path = null;
            if (type.isPresent() && type.get() == StorageSpec.StorageType.LVM) {
                volumeGroup = f.requiredString("volumeGroup").orElse(null);
                if (volumeGroup != null && !VOLUME_GROUP.matcher(volumeGroup).matches()) {
                    f.error("volumeGroup", "'" + volumeGroup + "' is not a valid volume group name: use 1-127 letters,"
                            + " digits and + _ . -, not starting with '-' and not '.' or '..'");
                }
                if (f.has("path")) {
                    f.error("path", "'path' is for storage of type file; lvm storage takes 'volumeGroup'");
                }
            } else if (type.isPresent()) {
                if (!f.has("path")) {
                    f.error("path", "storage of type file needs 'path'");
                }
                path = absolutePath(f, "path").orElse(null);
                if (f.has("volumeGroup")) {
                    f.error("volumeGroup", "'volumeGroup' is for storage of type lvm; file storage takes 'path'");
                }
            }
            if (name.isEmpty() || type.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Located<>(new StorageSpec(name.get(), type.get(), volumeGroup, path),
                    f.location("name"), Map.of()));
        });
    }

    private Optional<Located<NetworkSpec>> network(YamlTree.Node node) {
        return Fields.of(node, "network", Set.of("name", "bridge", "nat", "cidr"), problems).flatMap(f -> {
            Optional<String> name = f.name("name");
            Optional<String> bridge = f.string("bridge");
            boolean nat = f.bool("nat", false);
            Optional<String> cidr = f.string("cidr");
            if (bridge.isPresent() == nat) {
                problems.add(new Diagnostic(f.location(),
                        "network needs either 'bridge: NAME' (an existing host bridge) or 'nat: true' with 'cidr'"));
            }
            bridge.filter(b -> !b.matches("[A-Za-z0-9_.-]{1,15}"))
                    .ifPresent(b -> f.error("bridge", "'" + b + "' is not a valid bridge name (1-15 characters)"));
            if (nat && cidr.isEmpty()) {
                f.error("cidr", "a nat network needs 'cidr', for example 192.168.150.0/24");
            }
            cidr.ifPresent(c -> {
                String[] parts = c.split("/");
                boolean valid = parts.length == 2 && IPV4.matcher(parts[0]).matches()
                        && parts[1].matches("\\d{1,2}") && Integer.parseInt(parts[1]) >= 8 && Integer.parseInt(parts[1]) <= 29;
                if (!valid) {
                    f.error("cidr", "'cidr' must be an IPv4 network with a prefix from /8 to /29, found '" + c + "'");
                }
                if (!nat) {
                    f.error("cidr", "'cidr' is only for nat networks");
                }
            });
            return name.map(n -> new Located<>(new NetworkSpec(n, bridge.orElse(null), nat, cidr.orElse(null)),
                    f.location("name"), Map.of()));
        });
    }

    private Optional<Located<VmSpec>> vm(YamlTree.Node node) {
        return Fields.of(node, "vm", Set.of("name", "node", "cpus", "memory", "state", "autostart", "protect", "disks",
                "nics", "owners", "users", "nodes", "migration", "cloudInit", "cdrom", "boot"), problems).flatMap(f -> {
                    Map<String, Location> at = new HashMap<>();
                    Optional<String> name = f.name("name");
                    Optional<String> nodeName = f.requiredString("node");
                    at.put("node", f.location("node"));
                    Optional<Integer> cpus = f.has("cpus") ? f.integer("cpus", 1, 256) : Optional.of(1);
                    if (!f.has("memory")) {
                        f.error("memory", "vm needs 'memory', for example 2GiB");
                    }
                    Optional<Long> memory = f.size("memory", 16L << 20);
                    VmSpec.PowerState state = f.enumeration("state", VmSpec.PowerState.class).orElse(VmSpec.PowerState.RUNNING);
                    boolean autostart = f.bool("autostart", false);
                    boolean protect = f.bool("protect", false);
                    List<VmSpec.DiskSpec> disks = new ArrayList<>();
                    Map<String, Location> diskNames = new HashMap<>();
                    List<YamlTree.Node> diskNodes = f.list("disks");
                    for (int i = 0; i < diskNodes.size(); i++) {
                        int index = i;
                        disk(diskNodes.get(i)).ifPresent(d -> {
                            Location previous = diskNames.putIfAbsent(d.value().name(), d.location());
                            if (previous != null) {
                                problems.add(new Diagnostic(d.location(), "duplicate disk '" + d.value().name()
                                        + "' (first at " + previous + ")"));
                            }
                            disks.add(d.value());
                            at.put("disks[" + index + "]", d.location());
                            at.put("disks[" + index + "].storage", d.at().get("storage"));
                            if (d.at().containsKey("image")) {
                                at.put("disks[" + index + "].image", d.at().get("image"));
                            }
                        });
                    }
                    List<VmSpec.NicSpec> nics = new ArrayList<>();
                    List<YamlTree.Node> nicNodes = f.list("nics");
                    for (int i = 0; i < nicNodes.size(); i++) {
                        int index = i;
                        nic(nicNodes.get(i), name.orElse("?"), i).ifPresent(n -> {
                            nics.add(n.value());
                            at.put("nics[" + index + "].network", n.at().get("network"));
                            at.put("nics[" + index + "].mac", n.at().get("mac"));
                        });
                    }
                    List<String> owners = f.strings("owners", PermissionsSpec.PRINCIPAL, PRINCIPAL_RULE);
                    List<String> users = f.strings("users", PermissionsSpec.PRINCIPAL, PRINCIPAL_RULE);
                    if (name.isEmpty() || nodeName.isEmpty()) {
                        return Optional.empty();
                    }
                    // an invalid cpus or memory was reported; bind a placeholder so references are still checked
                    List<String> pair = f.strings("nodes", Fields.NAME, "is not a valid node name");
                    if (f.has("nodes")) {
                        at.put("nodes", f.location("nodes"));
                    }
                    VmSpec.Migration migration = f.enumeration("migration", VmSpec.Migration.class)
                            .orElse(VmSpec.Migration.OFFLINE);
                    CloudInitSpec cloudInit = f.node("cloudInit").flatMap(this::cloudInit).orElse(null);
                    if (f.has("cloudInit")) {
                        at.put("cloudInit", f.location("cloudInit"));
                    }
                    Optional<String> cdrom = f.has("cdrom") ? f.name("cdrom") : Optional.empty();
                    if (f.has("cdrom")) {
                        at.put("cdrom", f.location("cdrom"));
                    }
                    List<VmSpec.BootDevice> boot = new ArrayList<>();
                    for (YamlTree.Node item : f.list("boot")) {
                        String text = item instanceof YamlTree.ScalarNode s && s.text() != null ? s.text() : "";
                        Optional<VmSpec.BootDevice> device = java.util.Arrays.stream(VmSpec.BootDevice.values())
                                .filter(d -> d.name().toLowerCase(Locale.ROOT).equals(text)).findFirst();
                        if (device.isEmpty() || boot.contains(device.get())) {
                            problems.add(new Diagnostic(item.location(), device.isEmpty() ? "'boot' takes cdrom and"
                                    + " disk, found '" + text + "'" : "'boot' names " + text + " twice"));
                        } else {
                            boot.add(device.get());
                        }
                    }
                    if (boot.contains(VmSpec.BootDevice.CDROM) && cdrom.isEmpty() && !f.has("cdrom")) {
                        f.error("boot", "'boot' names cdrom but the vm has no 'cdrom'");
                    }
                    if (boot.contains(VmSpec.BootDevice.DISK) && disks.isEmpty() && diskNodes.isEmpty()) {
                        f.error("boot", "'boot' names disk but the vm has no disks");
                    }
                    VmSpec spec = new VmSpec(name.get(), nodeName.get(), cpus.orElse(1), memory.orElse(16L << 20), state,
                            autostart, protect, disks, nics, owners, users, pair, migration, cloudInit,
                            cdrom.orElse(null), boot);
                    return Optional.of(new Located<>(spec, f.location("name"), at));
                });
    }

    /**
     * {@code cloudInit: {userData: FILE, networkConfig: FILE, metaData: {key: value}, instanceId: ID, storage: NAME}}:
     * the files are read now (at most 64 KiB each, as NoCloud's seed is meant for).
     */
    private Optional<CloudInitSpec> cloudInit(YamlTree.Node node) {
        return Fields.of(node, "cloudInit", Set.of("userData", "networkConfig", "metaData", "instanceId", "storage"),
                problems).flatMap(f -> {
            if (!f.has("userData")) {
                f.error("userData", "cloudInit needs 'userData', a file such as user-data.yaml (#cloud-config ...)");
            }
            Optional<String> userData = textFile(f, "userData", 64 * 1024);
            Optional<String> networkConfig = textFile(f, "networkConfig", 64 * 1024);
            boolean networkBad = f.has("networkConfig") && networkConfig.isEmpty();
            Map<String, String> metaData = new java.util.TreeMap<>();
            f.node("metaData").ifPresent(m -> {
                if (!(m instanceof YamlTree.MapNode map)) {
                    f.error("metaData", "'metaData' must be a mapping of keys to values, found " + m.kind());
                    return;
                }
                for (YamlTree.Entry entry : map.entries()) {
                    if (!entry.key().matches("[A-Za-z][A-Za-z0-9_-]{0,63}") || entry.key().equals("instance-id")) {
                        problems.add(new Diagnostic(entry.keyLocation(), "metaData key '" + entry.key() + "' must be"
                                + " letters, digits, _ and - (and not instance-id: that is 'instanceId')"));
                    } else if (!(entry.value() instanceof YamlTree.ScalarNode scalar) || scalar.text() == null
                            || scalar.text().contains("\n")) {
                        problems.add(new Diagnostic(entry.value().location(), "metaData '" + entry.key()
                                + "' must be a single-line value"));
                    } else {
                        metaData.put(entry.key(), scalar.text());
                    }
                }
            });
            Optional<String> instanceId = f.string("instanceId").filter(id -> {
                if (id.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")) {
                    return true;
                }
                f.error("instanceId", "'instanceId' must be letters, digits and . _ : - (at most 128), found '" + id
                        + "'");
                return false;
            });
            String storage = f.has("storage") ? f.name("storage").orElse(ImageSpec.DEFAULT_STORAGE)
                    : ImageSpec.DEFAULT_STORAGE;
            if (userData.isEmpty() || networkBad || (f.has("instanceId") && instanceId.isEmpty())) {
                return Optional.empty();
            }
            return Optional.of(new CloudInitSpec(f.string("userData").orElseThrow(), userData.get(),
                    networkConfig.orElse(null), metaData, instanceId.orElse(null), storage));
        });
    }

    private Optional<Located<VmSpec.DiskSpec>> disk(YamlTree.Node node) {
        return Fields.of(node, "disk", Set.of("name", "size", "storage", "replicated", "bus", "image", "clone"),
                problems).flatMap(f -> {
            Optional<String> name = f.name("name");
            if (!f.has("size")) {
                f.error("size", "disk needs 'size', for example 20GiB");
            }
            Optional<Long> size = f.size("size", 1L << 20);
            Optional<String> storage = f.requiredString("storage");
            boolean replicated = f.bool("replicated", false);
            VmSpec.DiskBus bus = f.enumeration("bus", VmSpec.DiskBus.class).orElse(VmSpec.DiskBus.VIRTIO);
            Optional<String> image = f.has("image") ? f.name("image") : Optional.empty();
            boolean linked = false;
            Optional<String> clone = f.string("clone");
            if (clone.isPresent()) {
                if (!clone.get().equals("full") && !clone.get().equals("linked")) {
                    f.error("clone", "'clone' must be full (a copy of the image, the default) or linked (a qcow2"
                            + " overlay on it), found '" + clone.get() + "'");
                } else if (image.isEmpty()) {
                    f.error("clone", "'clone' is for a disk with 'image'");
                }
                linked = clone.get().equals("linked");
            }
            if (name.isEmpty() || size.isEmpty() || storage.isEmpty()) {
                return Optional.empty();
            }
            Map<String, Location> at = new HashMap<>(Map.of("storage", f.location("storage")));
            if (f.has("image")) {
                at.put("image", f.location("image"));
            }
            return Optional.of(new Located<>(new VmSpec.DiskSpec(name.get(), size.get(), storage.get(), replicated, bus,
                    image.orElse(null), linked), f.location("name"), at));
        });
    }

    private Optional<Located<VmSpec.NicSpec>> nic(YamlTree.Node node, String vmName, int index) {
        return Fields.of(node, "nic", Set.of("network", "mac"), problems).flatMap(f -> {
            Optional<String> network = f.requiredString("network");
            Optional<String> mac = f.string("mac").map(m -> m.toLowerCase(Locale.ROOT));
            if (mac.isPresent()) {
                if (!MAC.matcher(mac.get()).matches()) {
                    f.error("mac", "'" + mac.get() + "' is not a MAC address like 52:54:00:12:34:56");
                    return Optional.empty();
                }
                if ((Integer.parseInt(mac.get().substring(0, 2), 16) & 1) == 1) {
                    f.error("mac", "'" + mac.get() + "' is a multicast address; a NIC needs a unicast MAC");
                    return Optional.empty();
                }
            }
            return network.map(n -> new Located<>(new VmSpec.NicSpec(n, mac.orElseGet(() -> derivedMac(vmName, index)),
                    mac.isEmpty()),
                    f.location("network"), Map.of("network", f.location("network"), "mac",
                            f.has("mac") ? f.location("mac") : f.location())));
        });
    }

    /**
     * The first derived MAC of a NIC, in QEMU's 52:54:00 range, from the VM name and NIC position; the loader
     * moves it to a later candidate when another NIC has it ({@link Macs#assign}).
     */
    static String derivedMac(String vmName, int index) {
        return Macs.derived(vmName, index, 0);
    }
}
