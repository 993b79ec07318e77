package org.mcvirt.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mcvirt.testing.JunitSchemas;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The JUnit XML of a drift report validates against the published JUnit schemas (testing.JunitSchemas) and parses
 * back to one test case per object, with exactly as many failures as objects drifted.
 */
class DriftJunitTest {
    private static DriftReport.Item ok(DriftReport.Kind kind, String name, String... notes) {
        return new DriftReport.Item(kind, name, false, null, null, List.of(), List.of(notes));
    }

    private static DriftReport.Item drifted(DriftReport.Kind kind, String name, String message, String... details) {
        return new DriftReport.Item(kind, name, true, "change", message, List.of(details), List.of());
    }

    private static final DriftReport REPORT = new DriftReport("prod", "2026-11-27T12:34:56.789Z", "controller", 2345,
            List.of(
                    ok(DriftReport.Kind.NODE, "alpha", "cluster lock held by u@h pid 1 running 'mcvirt apply'"),
                    drifted(DriftReport.Kind.NODE, "beta", "stale cluster lock <held> by \"x\" & 'y'",
                            "stale cluster lock <held> by \"x\" & 'y'"),
                    drifted(DriftReport.Kind.VM, "web1", "the vm differs from the manifest (memory) on node alpha:"
                                    + " apply would update in place",
                            "the vm differs from the manifest (memory) on node alpha: apply would update in place",
                            "    ~ memory = 128MiB -> 64MiB   (applies live)"),
                    drifted(DriftReport.Kind.DISK, "web1/data", "a node said \u0007\u001b[31mno\u001b[0m",
                            "a node said \u0007\u001b[31mno\u001b[0m", "]]> </failure> <!-- not a comment -->"),
                    ok(DriftReport.Kind.NETWORK, "lan"),
                    ok(DriftReport.Kind.POOL, "images@alpha")));

    @Test
    void theReportValidatesAgainstThePublishedSchemasAndItsFailuresAreTheDriftedObjects() throws Exception {
        String xml = DriftJunit.render(REPORT);
        Document document = JunitSchemas.parse(xml);
        assertThat(JunitSchemas.failures(document)).isEqualTo(REPORT.drifted()).isEqualTo(3);
        var cases = document.getElementsByTagName("testcase");
        assertThat(cases.getLength()).isEqualTo(REPORT.objects().size());
        for (int i = 0; i < cases.getLength(); i++) {
            Element testcase = (Element) cases.item(i);
            DriftReport.Item item = REPORT.objects().get(i);
            assertThat(testcase.getAttribute("classname")).isEqualTo("mcvirt.prod." + item.kind().label());
            assertThat(testcase.getAttribute("name")).isEqualTo(item.name());
            var failure = testcase.getElementsByTagName("failure");
            assertThat(failure.getLength()).isEqualTo(item.drifted() ? 1 : 0);
            if (item.drifted()) {
                Element element = (Element) failure.item(0);
                assertThat(element.getAttribute("message")).isEqualTo(DriftJunit.clean(item.message()));
                assertThat(element.getTextContent()).isEqualTo(DriftJunit.clean(String.join("\n", item.details())));
            }
        }
        Element suite = (Element) document.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("name")).isEqualTo("mcvirt.prod");
        assertThat(suite.getAttribute("tests")).isEqualTo("6");
        assertThat(suite.getAttribute("failures")).isEqualTo("3");
        assertThat(suite.getAttribute("timestamp")).isEqualTo("2026-11-27T12:34:56");
        assertThat(suite.getAttribute("time")).isEqualTo("2.345");
        assertThat(suite.getElementsByTagName("system-out").item(0).getTextContent())
                .isEqualTo("node alpha: cluster lock held by u@h pid 1 running 'mcvirt apply'\n");
        JunitSchemas.assertValid(xml); // last: skipped (saying why) where the schemas are not installed
    }

    @Test
    void theSchemasRejectAFailureWithoutItsTypeAndAMissingTestCaseName() throws Exception {
        JunitSchemas.assumePresent();
        String xml = DriftJunit.render(REPORT);
        // Windy Road's schema requires failure/@type; both require testcase/@name
        assertThatThrownBy(() -> JunitSchemas.assertValid(xml.replace(" type=\"change\"", "")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("JUnit.xsd");
        assertThatThrownBy(() -> JunitSchemas.assertValid(xml.replace("<testcase name=\"alpha\"", "<testcase")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("not valid against");
    }

    @Test
    void markupAndControlCharactersFromTheNodesCannotBreakTheDocument() throws Exception {
        String xml = DriftJunit.render(REPORT);
        assertThat(xml).doesNotContain("\u0007", "\u001b", "<held>", "<!-- not")
                .contains("a node said \uFFFD\uFFFD[31mno\uFFFD[0m");
        Element failure = (Element) JunitSchemas.parse(xml).getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo("stale cluster lock <held> by \"x\" & 'y'");
    }

    @Test
    void aClusterWithoutDriftIsAReportWithoutFailures() throws Exception {
        DriftReport clean = new DriftReport("prod", "2026-11-27T12:00:00Z", "", 0,
                List.of(ok(DriftReport.Kind.NODE, "alpha")));
        String xml = DriftJunit.render(clean);
        Document document = JunitSchemas.parse(xml);
        assertThat(JunitSchemas.failures(document)).isZero();
        assertThat(((Element) document.getElementsByTagName("testsuite").item(0)).getAttribute("hostname"))
                .isEqualTo("localhost");
        JunitSchemas.assertValid(xml);
    }

    @Test
    void theSameReportGivesTheSameDocument() {
        assertThat(DriftJunit.render(REPORT)).isEqualTo(DriftJunit.render(REPORT));
        assertThat(DriftMarkdown.render(REPORT)).isEqualTo(DriftMarkdown.render(REPORT))
                .contains("**:x: 3 of 6 objects drifted.**", "<code>vm web1</code>",
                        "    ~ memory = 128MiB -> 64MiB   (applies live)", "| node | `alpha` | cluster lock held by",
                        "<code>node beta</code>: stale cluster lock &lt;held&gt; by")
                .doesNotContain("\u0007", "\u001b");
    }
}
