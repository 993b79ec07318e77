package org.mcvirt.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.testing.Mutations;

/**
 * Fuzzing of the manifest loader (YamlReader, ManifestBinder, ManifestLoader's checks): the example manifests
 * (manifests/examples, testdata/manifest) mutated byte by byte (so also as invalid UTF-8) and value by value, the
 * gitops example directory with one file mutated, and manifests generated from the manifest's own keys. Loading gives
 * a desired state or a {@link ManifestException} whose every diagnostic names a file given and a line, with a message
 * a person can read; nothing else escapes. Fixed seeds (README, "Tests").
 */
class ManifestFuzzTest {
    private static final Path EXAMPLES = Path.of("manifests/examples");
    private static final Path GITOPS = EXAMPLES.resolve("gitops");
    private static final List<String> KEYS = List.of("apiVersion", "cluster", "nodes", "networks", "vms", "name",
            "drbd", "enabled", "protocol", "syncRate", "verifyAlg", "verifyMaxAge", "ports", "minors", "secret", "file",
            "env", "local", "address", "clusterIp", "drbdIp", "ssh", "user", "port", "identityFile", "knownHosts",
            "libvirt", "uri", "domainType", "paths", "state", "drbdConf", "storage", "type", "volumeGroup", "path",
            "nat", "cidr", "bridge", "node", "cpus", "memory", "autostart", "protect", "disks", "size", "replicated",
            "bus", "nics", "network", "mac", "owners", "users", "migration", "capacity", "nPlusOne");
    private static final List<String> TOKENS = new ArrayList<>(List.of("mcvirt/v1", "here", "node1", "node2", "demo",
            "web1", "images", "lvm", "file", "qemu", "kvm", "running", "stopped", "true", "false", "yes", "~", "null",
            "0", "-1", "65536", "99999999999", "1-999", "999-1", "0-99999999", "7789-7999", "64MiB", "0MiB", "1KiB",
            "99999999999999999999TiB", "512 MiB", "7d", "0d", "9999999d", "52:54:00:00:5d:01", "01:00:00:00:00:00",
            "192.168.151.0/24", "10.0.0.300", "/var/lib/mcvirt", "../etc", "qemu:///system", "live", "offline",
            "virtio", "sata", "warn", "enforce", "A", "C", "100M", "sha256", "\"", "'", "{", "}", "[", "]", "- ", ": ", "\n  ", "\n- ",
            "&a ", "*a", "<<: *a", "!!binary", "!!int", "? ", "|", ">", "---\n", "...", "%YAML 1.1\n", "\t", "#"));

    static {
        KEYS.forEach(k -> TOKENS.add(k + ": "));
    }

    private static final Path WORK;

    static {
        try {
            WORK = Files.createTempDirectory("mcvirt-manifest-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterContainer
    static void removeWork() throws IOException {
        try (Stream<Path> files = Files.walk(WORK)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> yamlFiles(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The single-file manifests: the examples that stand alone and the test manifests. */
    static List<String> singleFileSeeds() {
        List<String> seeds = new ArrayList<>();
        seeds.add(read(EXAMPLES.resolve("local.yaml")));
        seeds.add(read(EXAMPLES.resolve("lab.yaml")));
        yamlFiles(Path.of("src/test/resources/testdata/manifest")).forEach(p -> seeds.add(read(p)));
        return seeds;
    }

    /** Loads the files; a result or a ManifestException whose diagnostics name one of the files and read clearly. */
    private static void loadsOrIsRefusedClearly(List<Path> paths) {
        List<NodeSpec> early = new ArrayList<>();
        try {
            ManifestLoader.load(paths, early::add);
        } catch (ManifestException e) {
            if (e.diagnostics().isEmpty()) {
                throw new AssertionError("a ManifestException without a diagnostic: " + e.getMessage());
            }
            List<String> files = new ArrayList<>(paths.stream().map(Path::toString).toList());
            yamlFiles(WORK).forEach(p -> files.add(p.toString()));
            files.add("manifest");
            for (Diagnostic d : e.diagnostics()) {
                if (!files.contains(d.location().file()) || d.location().line() < 1 || d.location().column() < 1) {
                    throw new AssertionError("the diagnostic does not say where: " + d);
                }
                Mutations.assertClearMessage("ManifestLoader", new IllegalArgumentException(d.message()));
            }
        }
    }

    private static Path write(String name, byte[] content) {
        try {
            Path file = WORK.resolve(name);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Provide
    Arbitrary<byte[]> manifests() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Mutations.bytes(singleFileSeeds(), TOKENS, Mutations.YAML_VALUES)),
                Tuple.of(2, Mutations.values(singleFileSeeds(), TOKENS, Mutations.YAML_VALUES, t -> t)
                        .map(s -> s.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(1, Mutations.soup(TOKENS).map(s -> s.getBytes(StandardCharsets.UTF_8))));
    }

    @Property(tries = 1000, seed = "1700007", edgeCases = EdgeCasesMode.NONE)
    void aMutatedManifestLoadsOrIsRefusedClearly(@ForAll("manifests") byte[] manifest) {
        loadsOrIsRefusedClearly(List.of(write("single/manifest.yaml", manifest)));
    }

    @Provide
    Arbitrary<Map.Entry<Integer, String>> gitopsTrees() {
        List<Path> files = yamlFiles(GITOPS);
        return Arbitraries.integers().between(0, files.size() - 1).flatMap(index -> Mutations.mixed(
                List.of(read(files.get(index))), TOKENS, Mutations.YAML_VALUES, t -> t).map(text -> Map.entry(index,
                text)));
    }

    /** Which gitops file the last try mutated (the others are as written), -1 before the first. */
    private static int mutatedBefore = -1;

    /** The gitops example directory (five files, cross references between them) with one file mutated. */
    @Property(tries = 400, seed = "1700008", edgeCases = EdgeCasesMode.NONE)
    void aDirectoryWithOneMutatedFileLoadsOrIsRefusedClearly(@ForAll("gitopsTrees") Map.Entry<Integer, String> tree) {
        List<Path> files = yamlFiles(GITOPS);
        for (int i = 0; i < files.size(); i++) {
            if (mutatedBefore == -1 || i == mutatedBefore || i == tree.getKey()) {
                write("gitops/" + GITOPS.relativize(files.get(i)), (i == tree.getKey() ? tree.getValue()
                        : read(files.get(i))).getBytes(StandardCharsets.UTF_8));
            }
        }
        mutatedBefore = tree.getKey();
        loadsOrIsRefusedClearly(List.of(WORK.resolve("gitops")));
    }

    /** A YAML value made of the manifest's keys and tokens: a scalar, or a mapping or list of such, three deep. */
    @Provide
    Arbitrary<String> generatedManifests() {
        Arbitrary<Object> scalar = Arbitraries.oneOf(Arbitraries.of(TOKENS).map(t -> (Object) t.strip()),
                Arbitraries.integers().between(-2, 70000).map(i -> (Object) i), Arbitraries.of(true, false));
        Arbitrary<Object> value = Arbitraries.recursive(() -> scalar, inner -> Arbitraries.oneOf(
                Arbitraries.maps(Arbitraries.of(KEYS), inner).ofMaxSize(4).map(m -> (Object) m),
                inner.list().ofMaxSize(3).map(l -> (Object) l)), 0, 3);
        Arbitrary<Map<String, Object>> top = Arbitraries.maps(Arbitraries.of("cluster", "nodes", "networks", "vms",
                "apiVersion", "name"), value).ofMaxSize(5);
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        return Combinators2.withApiVersion(top).map(m -> {
            try {
                return yaml.writeValueAsString(m);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Property(tries = 400, seed = "1700009", edgeCases = EdgeCasesMode.NONE)
    void aGeneratedManifestLoadsOrIsRefusedClearly(@ForAll("generatedManifests") String manifest) {
        loadsOrIsRefusedClearly(List.of(write("generated/manifest.yaml", manifest.getBytes(StandardCharsets.UTF_8))));
    }

    /** Most generated manifests say the right apiVersion, so the binder reads past it. */
    private static final class Combinators2 {
        static Arbitrary<Map<String, Object>> withApiVersion(Arbitrary<Map<String, Object>> top) {
            return top.flatMap(m -> Arbitraries.of(true, true, true, false).map(keep -> {
                Map<String, Object> out = new LinkedHashMap<>(m);
                if (keep) {
                    out.put("apiVersion", ManifestBinder.API_VERSION);
                }
                return out;
            }));
        }
    }
}
