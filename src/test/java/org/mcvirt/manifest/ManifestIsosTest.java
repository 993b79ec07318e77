package org.mcvirt.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.IsoSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.plan.Planner;

/**
 * isos: and a vm's cdrom: / boot: in the manifest: what a valid one binds to, and each bad input refused once, at the
 * file:line:column of its key's value (or of the list entry that is wrong).
 */
class ManifestIsosTest {
    /** The length of installer.iso: any bytes do, an ISO is uploaded as it is. */
    private static final int ISO_BYTES = 5000;

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

    /** dir/installer.iso (ISO_BYTES bytes); returns its SHA-256. */
    private static String iso(Path dir) throws Exception {
        byte[] bytes = new byte[ISO_BYTES];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        Path file = dir.resolve("installer.iso");
        Files.write(file, bytes);
        return ImageFiles.sha256(file);
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

    /** file:line:column of the last occurrence of needle in the manifest. */
    private static String atLast(Path file, String needle) throws Exception {
        List<String> lines = Files.readAllLines(file);
        for (int i = lines.size() - 1; i >= 0; i--) {
            int column = lines.get(i).lastIndexOf(needle);
            if (column >= 0) {
                return file + ":" + (i + 1) + ":" + (column + 1);
            }
        }
        throw new AssertionError("'" + needle + "' is not in " + file);
    }

    private static List<String> problems(Path file) {
        return ClusterSectionFixture.problems(file);
    }

    /** isos: with installer (installer.iso, this sha256) and the vm web1 with a root disk and this vm tail. */
    private static String oneIso(String sha256, String tail) {
        return HEAD + """
                isos:
                  - name: installer
                    source: installer.iso
                    sha256: %s
                vms:
                  - name: web1
                    node: here
                    memory: 64MiB
                    disks:
                      - {name: root, size: 8MiB, storage: images}
                %s""".formatted(sha256, tail);
    }

    private static final String CDROM_AND_BOOT = "    cdrom: installer\n    boot: [cdrom, disk]\n";

    @Test
    void aValidManifestBindsItsIsosAndAVmsCdromAndBootOrder(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        Path other = Files.createDirectories(dir.resolve("elsewhere")).resolve("tools.iso");
        Files.write(other, new byte[1234]);
        String otherSha = ImageFiles.sha256(other);
        String upper = sha.toUpperCase(Locale.ROOT);
        Path file = manifest(dir, """
                apiVersion: mcvirt/v1
                cluster:
                  name: prod
                nodes:
                  - name: here
                    local: true
                    storage:
                      - {name: images, type: file, path: /var/lib/mcvirt/images}
                      - {name: media, type: file, path: /srv/media}
                isos:
                  - name: installer
                    source: sub/../installer.iso
                    sha256: %s
                  - name: tools
                    source: %s
                    sha256: %s
                    storage: media
                vms:
                  - name: web1
                    node: here
                    memory: 64MiB
                    disks:
                      - {name: root, size: 8MiB, storage: images}
                    cdrom: installer
                    boot: [cdrom, disk]
                  - name: db1
                    node: here
                    memory: 64MiB
                    disks:
                      - {name: root, size: 8MiB, storage: images}
                    cdrom: tools
                  - name: app1
                    node: here
                    memory: 64MiB
                    disks:
                      - {name: root, size: 8MiB, storage: images}
                    boot:
                      - disk
                  - name: plain
                    node: here
                    memory: 64MiB
                """.formatted(upper, other, otherSha));
        DesiredState state = ManifestLoader.load(List.of(file));

        assertThat(state.isos()).extracting(IsoSpec::name).containsExactly("installer", "tools");
        assertThat(state.iso("installer")).contains(new IsoSpec("installer", dir.resolve("installer.iso").toString(),
                sha, "images", ISO_BYTES, at(file, upper)));
        assertThat(state.iso("tools")).contains(new IsoSpec("tools", other.toString(), otherSha, "media", 1234,
                at(file, otherSha)));
        assertThat(state.iso("installer").orElseThrow().sha256()).isEqualTo(sha).isNotEqualTo(upper);
        assertThat(state.iso("installer").orElseThrow().volumeName())
                .isEqualTo("iso.installer." + sha.substring(0, 12) + ".iso");

        VmSpec web1 = state.vm("web1").orElseThrow();
        assertThat(web1.cdrom()).isEqualTo("installer");
        assertThat(web1.boot()).containsExactly(VmSpec.BootDevice.CDROM, VmSpec.BootDevice.DISK);
        VmSpec db1 = state.vm("db1").orElseThrow();
        assertThat(db1.cdrom()).isEqualTo("tools");
        assertThat(db1.boot()).isEmpty();
        VmSpec app1 = state.vm("app1").orElseThrow();
        assertThat(app1.cdrom()).isNull();
        assertThat(app1.boot()).containsExactly(VmSpec.BootDevice.DISK);
        VmSpec plain = state.vm("plain").orElseThrow();
        assertThat(plain.cdrom()).isNull();
        assertThat(plain.boot()).isEmpty();
    }

    @Test
    void aCdromNamingNoIsoIsOneProblemAtTheCdromWithASuggestion(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        Path close = manifest(dir, oneIso(sha, "    cdrom: instaler\n"));
        assertThat(problems(close)).containsExactly(at(close, "instaler") + ": error: vm 'web1' has cdrom 'instaler',"
                + " which no manifest defines in 'isos' (did you mean 'installer'?)");
        Path far = manifest(dir, oneIso(sha, "    cdrom: ubuntu\n"));
        assertThat(problems(far)).containsExactly(at(far, "ubuntu") + ": error: vm 'web1' has cdrom 'ubuntu', which no"
                + " manifest defines in 'isos' (expected one of: installer)");
    }

    @Test
    void aBootEntryThatIsNeitherCdromNorDiskIsOneProblemAtTheEntry(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        Path file = manifest(dir, oneIso(sha, "    cdrom: installer\n    boot: [floppy, disk]\n"));
        assertThat(problems(file)).containsExactly(at(file, "floppy") + ": error: 'boot' takes cdrom and disk, found"
                + " 'floppy'");
    }

    @Test
    void aBootOrderNamingTheDiskTwiceIsOneProblemAtTheSecond(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        Path file = manifest(dir, oneIso(sha, "    cdrom: installer\n    boot: [disk, cdrom, disk]\n"));
        assertThat(problems(file)).containsExactly(at(file, "disk]") + ": error: 'boot' names disk twice");
        // on lines of their own
        Path block = manifest(dir, oneIso(sha, "    boot:\n      - disk\n      - disk\n"));
        assertThat(problems(block)).containsExactly(atLast(block, "disk") + ": error: 'boot' names disk twice");
    }

    @Test
    void bootNamingCdromWithoutACdromIsOneProblemAtBoot(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        Path file = manifest(dir, oneIso(sha, "    boot: [cdrom]\n"));
        assertThat(problems(file)).containsExactly(at(file, "[cdrom]") + ": error: 'boot' names cdrom but the vm has"
                + " no 'cdrom'");
        // with the cdrom the same boot order is accepted
        Path with = manifest(dir, oneIso(sha, "    cdrom: installer\n    boot: [cdrom]\n"));
        assertThat(ManifestLoader.load(List.of(with)).vm("web1").orElseThrow().boot())
                .containsExactly(VmSpec.BootDevice.CDROM);
    }

    /** boot naming disk on a vm without disks would leave no device with that boot order: refused. */
    @Test
    void bootNamingDiskOnAVmWithoutDisksIsOneProblemAtBoot(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        Path file = manifest(dir, oneIso(sha, "    cdrom: installer\n    boot: [cdrom, disk]\n")
                .replace("    disks:\n      - {name: root, size: 8MiB, storage: images}\n", "    disks: []\n"));
        assertThat(problems(file)).containsExactly(at(file, "[cdrom, disk]") + ": error: 'boot' names disk but the vm"
                + " has no disks");
    }

    /** An ISO that is not usable, used by no vm. */
    private static Path unusedIso(Path dir, String source, String sha256) throws Exception {
        return manifest(dir, HEAD + """
                isos:
                  - name: installer
                    source: %s
                    sha256: %s
                """.formatted(source, sha256));
    }

    @Test
    void aMissingSourceFileIsOneProblemAtTheSource(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        Path file = unusedIso(dir, "missing.iso", sha);
        assertThat(problems(file)).containsExactly(at(file, "missing.iso") + ": error: ISO 'installer': source '"
                + dir.resolve("missing.iso") + "' does not exist");
    }

    @Test
    void aSha256ThatIsNot64HexDigitsIsOneProblemAtTheSha256(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        Path shortOne = unusedIso(dir, "installer.iso", sha.substring(1));
        assertThat(problems(shortOne)).containsExactly(at(shortOne, sha.substring(1)) + ": error: 'sha256' must be 64"
                + " hex digits (sha256sum FILE), found '" + sha.substring(1) + "'");
        String notHex = "z" + sha.substring(1);
        Path bad = unusedIso(dir, "installer.iso", notHex);
        assertThat(problems(bad)).containsExactly(at(bad, notHex) + ": error: 'sha256' must be 64 hex digits"
                + " (sha256sum FILE), found '" + notHex + "'");
    }

    @Test
    void anHttpsUrlIsASourceAndAUrlWithoutAHostIsNot(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        String url = "https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/debian-12-amd64-netinst.iso";
        Path file = unusedIso(dir, url, sha);
        assertThat(ManifestLoader.load(List.of(file)).isos().get(0).remote()).isTrue();
        Path noHost = unusedIso(dir, "http:///y.iso", sha);
        assertThat(problems(noHost)).containsExactly(at(noHost, "http:///y.iso") + ": error: 'source' must be an"
                + " http(s) URL with a host and no user, password or #fragment (plans show it), found 'http:///y.iso'");
    }

    @Test
    void aRefusedIsoUsedByAVmsCdromIsStillOneProblem(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        Path missing = manifest(dir, oneIso(sha, CDROM_AND_BOOT).replace("source: installer.iso",
                "source: missing.iso"));
        assertThat(problems(missing)).containsExactly(at(missing, "missing.iso") + ": error: ISO 'installer': source '"
                + dir.resolve("missing.iso") + "' does not exist");
        Path badSha = manifest(dir, oneIso("abc", CDROM_AND_BOOT));
        assertThat(problems(badSha)).containsExactly(at(badSha, "abc") + ": error: 'sha256' must be 64 hex digits"
                + " (sha256sum FILE), found 'abc'");
        Path url = manifest(dir, oneIso(sha, CDROM_AND_BOOT).replace("source: installer.iso",
                "source: file:///y.iso"));
        assertThat(problems(url)).containsExactly(at(url, "file:///y.iso") + ": error: 'source' must be a file on"
                + " this machine or an http:// or https:// URL (in lower case), found 'file:///y.iso'");
    }

    @Test
    void anIsoStorageTheVmsNodeDoesNotHaveIsOneProblemAtTheIsosStorage(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        Path file = manifest(dir, oneIso(sha + "\n    storage: golden", CDROM_AND_BOOT));
        assertThat(problems(file)).containsExactly(at(file, "golden") + ": error: ISO 'installer' (the cdrom of vm"
                + " 'web1') is kept in file storage 'golden', which node 'here' does not have; add it to the node's"
                + " storage, or name another with 'storage:'");
        // the same ISO used by no vm is no problem: it is uploaded nowhere
        Path unused = manifest(dir, oneIso(sha + "\n    storage: golden", ""));
        assertThat(ManifestLoader.load(List.of(unused)).iso("installer").orElseThrow().storage()).isEqualTo("golden");
        // lvm storage of that name is not file storage
        Path lvm = manifest(dir, oneIso(sha + "\n    storage: vg0", CDROM_AND_BOOT).replace(
                "      - {name: images, type: file, path: /var/lib/mcvirt/images}\n",
                "      - {name: images, type: file, path: /var/lib/mcvirt/images}\n"
                        + "      - {name: vg0, type: lvm, volumeGroup: vg0}\n"));
        assertThat(problems(lvm)).containsExactly(valueOf(lvm, "    storage: vg0") + ": error: ISO 'installer' (the"
                + " cdrom of vm 'web1') is kept in file storage 'vg0', which node 'here' does not have (it is lvm"
                + " storage); add it to the node's storage, or name another with 'storage:'");
    }

    /** file:line:column of the value in the first line holding keyAndValue (such as "    storage: vg0"). */
    private static String valueOf(Path file, String keyAndValue) throws Exception {
        String where = at(file, keyAndValue);
        String[] parts = where.substring(file.toString().length() + 1).split(":");
        return file + ":" + parts[0] + ":" + (Integer.parseInt(parts[1]) + keyAndValue.indexOf(": ") + 2);
    }

    @Test
    void anIsoStorageTheOtherNodeOfTheVmsPairDoesNotHaveIsOneProblemNamingThatNode(@TempDir Path dir)
            throws Exception {
        String sha = iso(dir);
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
                      - {name: media, type: file, path: /srv/media}
                  - name: beta
                    address: 192.0.2.12
                    ssh: {user: root, identityFile: /k, knownHosts: /h}
                    storage:
                      - {name: vg0, type: lvm, volumeGroup: vg0}
                      %s
                isos:
                  - name: installer
                    source: installer.iso
                    sha256: %s
                    storage: media
                vms:
                  - name: web1
                    node: alpha
                    memory: 64MiB
                    disks: [{name: root, size: 64MiB, storage: vg0, replicated: true}]
                    cdrom: installer
                """;
        // with media on both nodes of the pair it is accepted
        Path both = manifest(dir, text.formatted(secret, "- {name: media, type: file, path: /srv/media}", sha));
        VmSpec web1 = ManifestLoader.load(List.of(both)).vm("web1").orElseThrow();
        assertThat(web1.pair()).containsExactly("alpha", "beta");
        assertThat(web1.cdrom()).isEqualTo("installer");
        // beta, the node the vm does not run on, lacks it: the vm may move there
        Path file = manifest(dir, text.formatted(secret, "- {name: other, type: file, path: /srv/other}", sha));
        assertThat(problems(file)).containsExactly(lastStorage(file) + ": error: ISO 'installer' (the cdrom of vm"
                + " 'web1') is kept in file storage 'media', which node 'beta' does not have; add it to the node's storage, or name"
                + " another with 'storage:'");
        // beta has it at another path: the domain names one path for its CD-ROM on either node
        Path apart = manifest(dir, text.formatted(secret, "- {name: media, type: file, path: /srv/elsewhere}", sha));
        assertThat(problems(apart)).containsExactly(lastStorage(apart) + ": error: ISO 'installer' (the cdrom of vm"
                + " 'web1') is kept in file storage 'media', whose path differs between the vm's nodes [alpha, beta]"
                + " (/srv/media, /srv/elsewhere); the vm names one path on either node: give the storage the same path"
                + " on both");
    }

    /** file:line:column of the value of the ISO's "storage: media" (the last one in the file). */
    private static String lastStorage(Path file) throws Exception {
        String where = atLast(file, "storage: media");
        String[] parts = where.substring(file.toString().length() + 1).split(":");
        return file + ":" + parts[0] + ":" + (Integer.parseInt(parts[1]) + "storage: ".length());
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
    void aManifestWithoutIsosCdromOrBootSerialisesForTheDigestWithoutThoseKeys(@TempDir Path dir) throws Exception {
        String sha = iso(dir);
        // Planner.manifestDigest hashes the desired state as this mapper writes it (sorted properties and map keys)
        DesiredState without = ManifestLoader.load(List.of(manifest(dir, oneIso(sha, "")
                .replaceAll("(?s)isos:.*?(?=vms:)", ""))));
        assertThat(without.isos()).isEmpty();
        Set<String> plain = keys(CANONICAL.readTree(CANONICAL.writeValueAsBytes(without)), new TreeSet<>());
        assertThat(plain).contains("vms", "disks", "storage", "pair", "migration")
                .doesNotContain("isos", "cdrom", "boot");
        assertThat(Planner.manifestDigest(without))
                .isEqualTo(org.mcvirt.model.Digests.sha256(CANONICAL.writeValueAsString(without)));

        DesiredState with = ManifestLoader.load(List.of(manifest(dir, oneIso(sha, CDROM_AND_BOOT))));
        Set<String> full = keys(CANONICAL.readTree(CANONICAL.writeValueAsBytes(with)), new TreeSet<>());
        assertThat(full).contains("isos", "cdrom", "boot");
        assertThat(Planner.manifestDigest(with)).isNotEqualTo(Planner.manifestDigest(without));
        // the ISO alone (no vm names it) is in the digest, and so is a boot order alone
        DesiredState isoOnly = ManifestLoader.load(List.of(manifest(dir, oneIso(sha, ""))));
        assertThat(keys(CANONICAL.readTree(CANONICAL.writeValueAsBytes(isoOnly)), new TreeSet<>())).contains("isos")
                .doesNotContain("cdrom", "boot");
        assertThat(Planner.manifestDigest(isoOnly)).isNotEqualTo(Planner.manifestDigest(without));
        DesiredState bootOnly = ManifestLoader.load(List.of(manifest(dir, oneIso(sha, "    boot: [disk]\n")
                .replaceAll("(?s)isos:.*?(?=vms:)", ""))));
        assertThat(keys(CANONICAL.readTree(CANONICAL.writeValueAsBytes(bootOnly)), new TreeSet<>())).contains("boot")
                .doesNotContain("isos", "cdrom");
        assertThat(Planner.manifestDigest(bootOnly)).isNotEqualTo(Planner.manifestDigest(without));
    }
}
