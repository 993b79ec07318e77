package org.mcvirt.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secret files that ManifestFuzzTest (seed 1700007) found Secrets.resolve reporting unclearly or not at all. */
class SecretsFuzzRegressionTest {
    /** Was: "cannot read the file X: NoSuchFileException X". */
    @Test
    void aMissingFileSaysSoInWords(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> Secrets.resolve(new DrbdSpec.SecretRef(missing.toString(), null)))
                .isExactlyInstanceOf(Secrets.SecretException.class)
                .hasMessage("cannot read the file " + missing + ": no such file");
    }

    /** Was: an InvalidPathException escaping the manifest loader. */
    @Test
    void aFileNameThatIsNoPathIsRefused() {
        assertThatThrownBy(() -> Secrets.resolve(new DrbdSpec.SecretRef("lab/\u0000drbd.secret", null)))
                .isExactlyInstanceOf(Secrets.SecretException.class)
                .hasMessage("'lab/\\u0000drbd.secret' is not a valid file name");
    }
}
