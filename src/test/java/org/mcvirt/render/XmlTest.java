package org.mcvirt.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class XmlTest {
    @Test
    void malformedXmlIsAnExceptionAndNothingOnStandardError() {
        // the JDK parser's default error handler prints "[Fatal Error] :3:1: ..." to System.err by itself
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThatThrownBy(() -> Xml.parse("<network>\n  <name>n</name>\n"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not well-formed XML: ");
        } finally {
            System.setErr(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
