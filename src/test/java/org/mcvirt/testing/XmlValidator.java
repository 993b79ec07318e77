package org.mcvirt.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs libvirt's own schema check, virt-xml-validate (libvirt-clients), on rendered XML. Tests that call it are tagged
 * "tools" (the fast tier leaves them out) and fail when the program is missing.
 */
public final class XmlValidator {
    private XmlValidator() {
    }

    public static void assertValid(String xml, String schema) throws IOException, InterruptedException {
        Path file = Files.createTempFile("mcvirt-", ".xml");
        try {
            Files.writeString(file, xml);
            Path program = Programs.require("virt-xml-validate", "libvirt-clients");
            Process process = new ProcessBuilder(program.toString(), file.toString(), schema)
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = process.waitFor();
            assertThat(status).as("virt-xml-validate %s said:%n%s%nfor:%n%s", schema, output, xml).isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
