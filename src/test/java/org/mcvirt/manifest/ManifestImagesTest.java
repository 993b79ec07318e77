package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.CloudInitSpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.ImageSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.plan.Planner;

/**
 * images: and a disk's image: / clone:, a vm's cloudInit: in the manifest: what a valid one binds to, and each bad
 * input refused once, at the file:line:column of its key's value.
 */
class ManifestImagesTest {
    /** The virtual size of base.qcow2, a hand-built qcow2 header. */
    private static final long VIRTUAL = 4L << 20;
    private static final String USER_DATA = "#cloud-config\nhostname: web1\npassword: not-in-any-plan\n";
    private static final String NETWORK = "version: 2\nethernets:\n  eth0: {dhcp4: true}\n";

    /** Lines 1 to 8 of each one-node manifest: node here with file storage images. */
    private static final String HEAD = """
            apiVersion: mcvirt/v1
            cluster:
              name: prod
            nodes:
              - name: here
                local: true
                storage:
                  - {name: images, type: file, path: /var/lib/mcvirt/images}
            """;

    /** A qcow2 v3 header alone, of virtualBytes. */
    private static byte[] qcow2(long virtualBytes) {
        ByteBuffer header = ByteBuffer.allocate(104);
        header.putInt(0, 0x514649fb);
        header.putInt(4, 3);
        header.putInt(20, 16);
        header.putLong(24, virtualBytes);
        header.putInt(96, 4);
        header.putInt(100, 104);
        return header.array();
    }

    /** dir/base.qcow2 (VIRTUAL bytes), dir/user-data.yaml, dir/net/network.yaml; returns base.qcow2's SHA-256. */
    private static String files(Path dir) throws Exception {
        Path base = dir.resolve("base.qcow2");
        Files.write(base, qcow2(VIRTUAL));
        Files.writeString(dir.resolve("user-data.yaml"), USER_DATA);
        Files.createDirectories(dir.resolve("net"));
        Files.writeString(dir.resolve("net/network.yaml"), NETWORK);
        return ImageFiles.sha256(base);
    }

    private static Path manifest(Path dir, String text) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, text);
        return file;
    }

    /** file:line:column of the first occurrence of needle in the manifest (1-based, as the loader counts). */
    private static String at(Path file, String needle) throws Exception {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            int column = lines.get(i).indexOf(needle);
            if (column >= 0) {
                return file + ":" + (i + 1) + ":" + (column + 1);
            }
        }
        throw new AssertionError("'" + needle + "' is not in " + file);
    }

    private static List<String> problems(Path file) {
        return ClusterSectionFixture.problems(file);
    }

    /** images: with debian (base.qcow2 and this sha256) and the vm web1 with these disks and this vm tail. */
    private static String oneImage(String sha256, String disks, String tail) {
        return HEAD + """
                images:
                  - name: debian
                    source: base.qcow2
                    sha256: %s
                vms:
                  - name: web1
                    node: here
                    memory: 64MiB
                    disks:
                %s%s""".formatted(sha256, disks, tail);
    }

    @Test
    void aValidManifestBindsImagesDisksFromThemAndCloudInit(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path raw = Files.createDirectories(dir.resolve("elsewhere")).resolve("tools.raw");
        Files.write(raw, new byte[3 << 20]);
        String rawSha = ImageFiles.sha256(raw);
        Path file = manifest(dir, HEAD + """
                images:
                  - name: debian
                    source: sub/../base.qcow2
                    sha256: %s
                  - name: tools
                    source: %s
                    sha256: %s
                    format: raw
                vms:
                  - name: web1
                    node: here
                    memory: 64MiB
                    disks:
                      - {name: root, size: 8MiB, storage: images, image: debian}
                      - {name: data, size: 4MiB, storage: images, image: debian, clone: linked}
                      - {name: copy, size: 4MiB, storage: images, image: debian, clone: full}
                      - {name: tools, size: 3MiB, storage: images, image: tools}
                      - {name: empty, size: 1MiB, storage: images}
                    cloudInit:
                      userData: user-data.yaml
                      networkConfig: net/network.yaml
                      metaData: {role: web, tier: "2"}
                      instanceId: web1-v1
                  - name: db1
                    node: here
                    memory: 64MiB
                    cloudInit:
                      userData: user-data.yaml
                """.formatted(sha.toUpperCase(java.util.Locale.ROOT), raw, rawSha));
        DesiredState state = ManifestLoader.load(List.of(file));

        assertThat(state.images()).extracting(ImageSpec::name).containsExactly("debian", "tools");
        assertThat(state.image("debian")).contains(new ImageSpec("debian", dir.resolve("base.qcow2").toString(), sha,
                ImageSpec.Format.QCOW2, "images", VIRTUAL, 104, at(file, sha.toUpperCase(java.util.Locale.ROOT))));
        assertThat(state.image("tools")).contains(new ImageSpec("tools", raw.toString(), rawSha, ImageSpec.Format.RAW,
                "images", 3L << 20, 3L << 20, at(file, rawSha)));
        assertThat(state.image("debian").orElseThrow().volumeName()).isEqualTo("image.debian." + sha.substring(0, 12)
                + ".qcow2");

        VmSpec web1 = state.vm("web1").orElseThrow();
        assertThat(web1.disks()).containsExactly(
                new VmSpec.DiskSpec("root", 8L << 20, "images", false, VmSpec.DiskBus.VIRTIO, "debian", false),
                new VmSpec.DiskSpec("data", 4L << 20, "images", false, VmSpec.DiskBus.VIRTIO, "debian", true),
                new VmSpec.DiskSpec("copy", 4L << 20, "images", false, VmSpec.DiskBus.VIRTIO, "debian", false),
                new VmSpec.DiskSpec("tools", 3L << 20, "images", false, VmSpec.DiskBus.VIRTIO, "tools", false),
                new VmSpec.DiskSpec("empty", 1L << 20, "images", false, VmSpec.DiskBus.VIRTIO, null, false));
        assertThat(web1.cloudInit()).isEqualTo(new CloudInitSpec("user-data.yaml", USER_DATA, NETWORK,
                Map.of("role", "web", "tier", "2"), "web1-v1", "images"));
        VmSpec db1 = state.vm("db1").orElseThrow();
        assertThat(db1.cloudInit()).isEqualTo(new CloudInitSpec("user-data.yaml", USER_DATA, null, Map.of(), null,
                "images"));
        assertThat(db1.disks()).isEmpty();
    }

    @Test
    void aDiskNamingAnUnknownImageIsOneProblemAtItsImageWithASuggestion(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path close = manifest(dir, oneImage(sha, "      - {name: root, size: 8MiB, storage: images, image: debain}\n",
                ""));
        assertThat(problems(close)).containsExactly(at(close, "debain}") + ": error: disk 'root' of vm 'web1' uses"
                + " image 'debain', which no manifest defines (did you mean 'debian'?)");
        Path far = manifest(dir, oneImage(sha, "      - {name: root, size: 8MiB, storage: images, image: ubuntu}\n",
                ""));
        assertThat(problems(far)).containsExactly(at(far, "ubuntu}") + ": error: disk 'root' of vm 'web1' uses"
                + " image 'ubuntu', which no manifest defines (expected one of: debian)");
    }

    /** An image that is not usable, used by no disk (a disk using it would also be told it is not defined). */
    private static Path unusedImage(Path dir, String source, String sha256) throws Exception {
        return manifest(dir, HEAD + """
                images:
                  - name: debian
                    source: %s
                    sha256: %s
                """.formatted(source, sha256));
    }

    @Test
    void aMissingSourceFileIsOneProblemAtTheSource(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path file = unusedImage(dir, "missing.qcow2", sha);
        assertThat(problems(file)).containsExactly(at(file, "missing.qcow2") + ": error: image 'debian': source '"
                + dir.resolve("missing.qcow2") + "' does not exist");
        Files.writeString(dir.resolve("notes.txt"), "not an image at all, though long enough for a qcow2 header ".repeat(3));
        Path text = unusedImage(dir, "notes.txt", sha);
        assertThat(problems(text)).containsExactly(at(text, "notes.txt") + ": error: image 'debian': source '"
                + dir.resolve("notes.txt") + "' is not a qcow2 image (no QFI\\xfb magic); say 'format: raw' for a raw"
                + " one");
    }

    @Test
    void anUnusableImageUsedByADiskIsStillOneProblem(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        String disk = "      - {name: root, size: 8MiB, storage: images, image: debian}\n";
        Path missing = manifest(dir, oneImage(sha, disk, "").replace("source: base.qcow2", "source: missing.qcow2"));
        assertThat(problems(missing)).containsExactly(at(missing, "missing.qcow2") + ": error: image 'debian': source '"
                + dir.resolve("missing.qcow2") + "' does not exist");
        Path badSha = manifest(dir, oneImage("abc", disk, ""));
        assertThat(problems(badSha)).containsExactly(at(badSha, "abc") + ": error: 'sha256' must be 64 hex digits"
                + " (sha256sum FILE), found 'abc'");
        Path url = manifest(dir, oneImage(sha, disk, "").replace("source: base.qcow2", "source: ftp://x/y.qcow2"));
        assertThat(problems(url)).containsExactly(at(url, "ftp://x/y.qcow2") + ": error: 'source' must be a file on"
                + " this machine or an http:// or https:// URL (in lower case), found 'ftp://x/y.qcow2'");
    }

    @Test
    void aSha256ThatIsNot64HexDigitsIsOneProblemAtTheSha256(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path shortOne = unusedImage(dir, "base.qcow2", sha.substring(1));
        assertThat(problems(shortOne)).containsExactly(at(shortOne, sha.substring(1)) + ": error: 'sha256' must be 64"
                + " hex digits (sha256sum FILE), found '" + sha.substring(1) + "'");
        String notHex = "g" + sha.substring(1);
        Path bad = unusedImage(dir, "base.qcow2", notHex);
        assertThat(problems(bad)).containsExactly(at(bad, notHex) + ": error: 'sha256' must be 64 hex digits"
                + " (sha256sum FILE), found '" + notHex + "'");
    }

    @Test
    void anHttpsUrlIsASourceWhoseSizesAreLearntWhenPlannedAndOneWithAPasswordIsNot(@TempDir Path dir)
            throws Exception {
        String sha = files(dir);
        String url = "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-generic-amd64.qcow2";
        Path file = unusedImage(dir, url, sha);
        ImageSpec image = ManifestLoader.load(List.of(file)).images().get(0);
        assertThat(image.source()).isEqualTo(url);
        assertThat(image.remote()).isTrue();
        assertThat(image.virtualBytes()).isZero();
        String secret = "https://me:pw@mirror.example/d.qcow2";
        Path withPassword = unusedImage(dir, secret, sha);
        assertThat(problems(withPassword)).containsExactly(at(withPassword, secret) + ": error: 'source' must be an"
                + " http(s) URL with a host and no user, password or #fragment (plans show it), found"
                + " 'https://mirror.example/d.qcow2'");
    }

    @Test
    void cloneLinkedWithoutAnImageIsOneProblemAtTheClone(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path file = manifest(dir, oneImage(sha, "      - {name: root, size: 8MiB, storage: images, clone: linked}\n",
                ""));
        assertThat(problems(file)).containsExactly(at(file, "linked}") + ": error: 'clone' is for a disk with 'image'");
    }

    @Test
    void aCloneThatIsNeitherFullNorLinkedIsOneProblemAtTheClone(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path file = manifest(dir, oneImage(sha,
                "      - {name: root, size: 8MiB, storage: images, image: debian, clone: thin}\n", ""));
        assertThat(problems(file)).containsExactly(at(file, "thin}") + ": error: 'clone' must be full (a copy of the"
                + " image, the default) or linked (a qcow2 overlay on it), found 'thin'");
    }

    @Test
    void aDiskSmallerThanItsImageIsOneProblemAtItsImage(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path file = manifest(dir, oneImage(sha, "      - {name: root, size: 2MiB, storage: images, image: debian}\n",
                ""));
        assertThat(problems(file)).containsExactly(at(file, "debian}") + ": error: disk 'root' of vm 'web1' is 2MiB,"
                + " smaller than image 'debian' (4194304 bytes, 4MiB); a disk may be larger than its image, never"
                + " smaller");
        // as large as the image is enough
        Path same = manifest(dir, oneImage(sha, "      - {name: root, size: 4MiB, storage: images, image: debian}\n",
                ""));
        assertThat(ManifestLoader.load(List.of(same)).vm("web1").orElseThrow().disks().get(0).sizeBytes())
                .isEqualTo(VIRTUAL);
    }

    @Test
    void aReplicatedDiskFromAnImageIsBoundAndOnlyALinkedOneIsAProblem(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path secret = dir.resolve("drbd.secret");
        Files.writeString(secret, "s3cret-Value_1\n");
        String text = """
                apiVersion: mcvirt/v1
                cluster:
                  name: prod
                  drbd:
                    enabled: true
                    secret: {file: %s}
                nodes:
                  - name: alpha
                    address: 192.0.2.11
                    ssh: {user: root, identityFile: /k, knownHosts: /h}
                    storage:
                      - {name: vg0, type: lvm, volumeGroup: vg0}
                      - {name: images, type: file, path: /var/lib/mcvirt/images}
                  - name: beta
                    address: 192.0.2.12
                    ssh: {user: root, identityFile: /k, knownHosts: /h}
                    storage:
                      - {name: vg0, type: lvm, volumeGroup: vg0}
                      - {name: images, type: file, path: /var/lib/mcvirt/images}
                images:
                  - name: debian
                    source: base.qcow2
                    sha256: %s
                vms:
                  - name: web1
                    node: beta
                    memory: 64MiB
                    disks: [{name: root, size: 64MiB, storage: vg0, replicated: true%s}]
                """;
        // the same manifest without the image is accepted: the one problem is the image
        Path plain = manifest(dir, text.formatted(secret, sha, ""));
        assertThat(ManifestLoader.load(List.of(plain)).vm("web1").orElseThrow().pair()).containsExactly("alpha", "beta");
        Path file = manifest(dir, text.formatted(secret, sha, ", image: debian"));
        assertThat(ManifestLoader.load(List.of(file)).vm("web1").orElseThrow().disks().get(0).image())
                .isEqualTo("debian");
        Path linked = manifest(dir, text.formatted(secret, sha, ", image: debian, clone: linked"));
        assertThat(problems(linked)).containsExactly(at(linked, "debian,") + ": error: replicated disk 'root' of vm"
                + " 'web1' cannot be a linked clone: DRBD replicates a block device, and the image is written onto it"
                + " once (leave out 'clone: linked')");
    }

    @Test
    void anImageStorageTheVmsNodeDoesNotHaveIsOneProblemAtTheImagesStorage(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        String disk = "      - {name: root, size: 8MiB, storage: images, image: debian}\n";
        Path file = manifest(dir, oneImage(sha + "\n    storage: golden", disk, ""));
        assertThat(problems(file)).containsExactly(at(file, "golden") + ": error: image 'debian' (used by vm 'web1')"
                + " is kept in file storage 'golden', which node 'here' does not have; add it to the node's storage, or"
                + " name another with 'storage:'");
        // lvm storage of that name is not file storage
        Path lvm = manifest(dir, oneImage(sha + "\n    storage: vg0", disk, "").replace(
                "      - {name: images, type: file, path: /var/lib/mcvirt/images}\n",
                "      - {name: images, type: file, path: /var/lib/mcvirt/images}\n"
                        + "      - {name: vg0, type: lvm, volumeGroup: vg0}\n"));
        assertThat(problems(lvm)).containsExactly(lvm + lvmPosition(lvm) + ": error: image 'debian' (used by vm 'web1') is kept in file storage 'vg0', which"
                + " node 'here' does not have (it is lvm storage); add it to the node's storage, or name another with"
                + " 'storage:'");
    }

    /** :line:column of the value of the image's "storage: vg0". */
    private static String lvmPosition(Path file) throws Exception {
        String where = at(file, "    storage: vg0");
        String[] parts = where.substring(file.toString().length() + 1).split(":");
        return ":" + parts[0] + ":" + (Integer.parseInt(parts[1]) + "    storage: ".length());
    }

    @Test
    void aSeedStorageTheVmsNodeDoesNotHaveIsOneProblem(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path file = manifest(dir, oneImage(sha, "      - {name: root, size: 8MiB, storage: images}\n", """
                    cloudInit:
                      userData: user-data.yaml
                      storage: seeds
                """));
        // at the cloudInit mapping (its first key)
        assertThat(problems(file)).containsExactly(at(file, "userData: user-data.yaml") + ": error: the cloud-init"
                + " seed of vm 'web1' is kept in file storage 'seeds', which node 'here' does not have; add it to the"
                + " node's storage, or name another with 'storage:'");
    }

    @Test
    void cloudInitWithoutUserDataIsOneProblemAtCloudInit(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path file = manifest(dir, oneImage(sha, "      - {name: root, size: 8MiB, storage: images}\n", """
                    cloudInit:
                      instanceId: web1-v1
                """));
        assertThat(problems(file)).containsExactly(at(file, "instanceId: web1-v1") + ": error: cloudInit needs"
                + " 'userData', a file such as user-data.yaml (#cloud-config ...)");
    }

    @Test
    void aMissingUserDataFileIsOneProblemAtUserData(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path file = manifest(dir, oneImage(sha, "      - {name: root, size: 8MiB, storage: images}\n", """
                    cloudInit:
                      userData: absent/user-data.yaml
                """));
        assertThat(problems(file)).containsExactly(at(file, "absent/user-data.yaml") + ": error: 'userData': "
                + dir.resolve("absent/user-data.yaml") + " does not exist");
    }

    @Test
    void metaDataInstanceIdIsOneProblemAtTheKey(@TempDir Path dir) throws Exception {
        String sha = files(dir);
        Path file = manifest(dir, oneImage(sha, "      - {name: root, size: 8MiB, storage: images}\n", """
                    cloudInit:
                      userData: user-data.yaml
                      metaData:
                        role: web
                        instance-id: i-123
                """));
        assertThat(problems(file)).containsExactly(at(file, "instance-id") + ": error: metaData key 'instance-id'"
                + " must be letters, digits, _ and - (and not instance-id: that is 'instanceId')");
    }

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true);

    private static Set<String> keys(JsonNode node, Set<String> into) {
        node.fields().forEachRemaining(e -> {
            into.add(e.getKey());
            keys(e.getValue(), into);
        });
        node.elements().forEachRemaining(e -> keys(e, into));
        return into;
    }

    @Test
    void aManifestWithoutImagesOrCloudInitSerialisesForTheDigestAsBeforeTheseFields(@TempDir Path dir)
            throws Exception {
        String sha = files(dir);
        // Planner.manifestDigest hashes the desired state as this mapper writes it (sorted properties and map keys)
        String disks = "      - {name: root, size: 8MiB, storage: images}\n";
        DesiredState without = ManifestLoader.load(List.of(manifest(dir, HEAD + """
                vms:
                  - name: web1
                    node: here
                    memory: 64MiB
                    disks:
                """ + disks)));
        Set<String> plain = keys(CANONICAL.readTree(CANONICAL.writeValueAsBytes(without)), new TreeSet<>());
        assertThat(plain).contains("vms", "disks", "storage", "sizeBytes", "bus", "replicated")
                .doesNotContain("images", "cloudInit", "image", "linked");

        DesiredState with = ManifestLoader.load(List.of(manifest(dir, oneImage(sha,
                "      - {name: root, size: 8MiB, storage: images, image: debian, clone: linked}\n", """
                    cloudInit:
                      userData: user-data.yaml
                """))));
        Set<String> full = keys(CANONICAL.readTree(CANONICAL.writeValueAsBytes(with)), new TreeSet<>());
        assertThat(full).contains("images", "cloudInit", "image", "linked");
        assertThat(Planner.manifestDigest(with)).isNotEqualTo(Planner.manifestDigest(without));
        // the digest is of exactly that serialisation
        assertThat(Planner.manifestDigest(without))
                .isEqualTo(org.mcvirt.model.Digests.sha256(CANONICAL.writeValueAsString(without)));
    }
}
