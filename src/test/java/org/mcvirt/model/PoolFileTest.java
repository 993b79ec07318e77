package org.mcvirt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The names of mcvirt's images, ISOs and seeds read back: exactly the names mcvirt gives them, and nothing else. */
class PoolFileTest {
    private static final String SHA256 = "3f2a9c1b7d4e" + "0".repeat(52);

    @Test
    void theNamesOfTheManifestsImagesIsosAndSeedsAreReadBack() {
        ImageSpec qcow2 = new ImageSpec("debian-12", "/src/d.qcow2", SHA256, ImageSpec.Format.QCOW2, "images", 1, 1,
                "m.yaml:1:1");
        ImageSpec raw = new ImageSpec("alpine", "/src/a.img", SHA256, ImageSpec.Format.RAW, "images", 1, 1,
                "m.yaml:1:1");
        IsoSpec iso = new IsoSpec("netinst", "/src/n.iso", SHA256, "images", 1, "m.yaml:1:1");
        VmSpec web = new VmSpec("web", "n", 1, 64L << 20, VmSpec.PowerState.RUNNING, false, false, List.of(),
                List.of(), List.of(), List.of(), List.of(), VmSpec.Migration.OFFLINE,
                new CloudInitSpec("user-data.yaml", "#cloud-config\n", null, Map.of(), "iid-web", "images"));
        CloudInitSeed seed = CloudInitSeed.of(web, "00000000-0000-0000-0000-000000000001");

        assertThat(PoolFile.parse(qcow2.volumeName())).contains(new PoolFile(PoolFile.Kind.IMAGE, "debian-12",
                "3f2a9c1b7d4e", "qcow2"));
        assertThat(PoolFile.parse(raw.volumeName())).contains(new PoolFile(PoolFile.Kind.IMAGE, "alpine",
                "3f2a9c1b7d4e", "raw"));
        assertThat(PoolFile.parse(iso.volumeName())).contains(new PoolFile(PoolFile.Kind.ISO, "netinst",
                "3f2a9c1b7d4e", "iso"));
        assertThat(PoolFile.parse(seed.volumeName("web"))).contains(new PoolFile(PoolFile.Kind.SEED, "web",
                seed.digest().substring(0, 12), "iso"));
        for (String name : List.of(qcow2.volumeName(), raw.volumeName(), iso.volumeName(), seed.volumeName("web"))) {
            assertThat(PoolFile.parse(name).map(PoolFile::volumeName)).contains(name);
        }
        assertThat(PoolFile.Kind.SEED.word()).isEqualTo("seed");
    }

    @Test
    void aNameThatIsNotExactlyOneOfMcvirtsIsNone() {
        for (String name : List.of(
                "web-root.qcow2",                            // a disk's volume
                "debian-12.qcow2",                           // someone else's image
                "image.debian-12.3f2a9c1b7d4e",              // no extension
                "image.debian-12.3f2a9c1b7d4e.iso",          // an image is qcow2 or raw
                "iso.netinst.3f2a9c1b7d4e.raw",              // an ISO is .iso
                "seed.web.3f2a9c1b7d4e.qcow2",               // so is a seed
                "image.debian-12.3F2A9C1B7D4E.qcow2",        // uppercase digest
                "image.debian-12.3f2a9c1b7d4.qcow2",         // 11 digits
                "image.debian-12.3f2a9c1b7d4e0.qcow2",       // 13 digits
                "image.debian-12.3f2a9c1b7d4g.qcow2",        // not hex
                "image.Debian-12.3f2a9c1b7d4e.qcow2",        // not a manifest name
                "image.debian_12.3f2a9c1b7d4e.qcow2",
                "image.-debian.3f2a9c1b7d4e.qcow2",
                "image..3f2a9c1b7d4e.qcow2",
                "image.debian.12.3f2a9c1b7d4e.qcow2",        // a '.' in the name
                "image.debian-12.3f2a9c1b7d4e.qcow2.part",   // anything after
                "old.image.debian-12.3f2a9c1b7d4e.qcow2",    // anything before
                "image.debian-12.3f2a9c1b7d4e.qcow2 ",
                "IMAGE.debian-12.3f2a9c1b7d4e.qcow2",
                "disk.web.3f2a9c1b7d4e.qcow2",
                "")) {
            assertThat(PoolFile.parse(name)).as(name).isEmpty();
        }
        assertThat(PoolFile.parse(null)).isEqualTo(Optional.empty());
    }

    @Test
    void aFileIsMadeOnlyOfWhatItsNameCanSay() {
        assertThatThrownBy(() -> new PoolFile(PoolFile.Kind.SEED, "web", "3f2a9c1b7d4e", "qcow2"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PoolFile(PoolFile.Kind.IMAGE, "web", "3f2a9c1b7d4", "qcow2"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PoolFile(PoolFile.Kind.ISO, "a.b", "3f2a9c1b7d4e", "iso"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
