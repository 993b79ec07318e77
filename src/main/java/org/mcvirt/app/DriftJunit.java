package org.mcvirt.app;

import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The drift report as JUnit XML, the test-report format GitLab, Jenkins and GitHub's test-report actions render: one
 * {@code <testsuite>} named {@code mcvirt.CLUSTER} with one {@code <testcase>} per object (classname
 * {@code mcvirt.CLUSTER.KIND}, name the object's name); a drifted object has a {@code <failure>} whose message is one
 * line and whose text is every finding with the attribute lines of a planned change. The notes of objects in sync
 * go to the suite's {@code <system-out>}. It satisfies both the Apache Ant JUnit schema (Windy Road's JUnit.xsd:
 * properties, system-out and system-err present, a timestamp without zone, in UTC) and Jenkins' junit-4.xsd.
 * Written with the JDK's StAX writer, which escapes; characters XML 1.0 cannot hold become U+FFFD.
 */
public final class DriftJunit {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT);

    private DriftJunit() {
    }

    public static String render(DriftReport report) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            xml.writeStartDocument("UTF-8", "1.0");
            newline(xml, 0);
            xml.writeStartElement("testsuites");
            newline(xml, 1);
            String suite = "mcvirt." + report.cluster();
            xml.writeStartElement("testsuite");
            attribute(xml, "name", suite);
            attribute(xml, "package", suite);
            attribute(xml, "id", "0");
            attribute(xml, "timestamp", TIMESTAMP.format(Instant.parse(report.checkedAt()).truncatedTo(ChronoUnit.SECONDS)
                    .atOffset(ZoneOffset.UTC)));
            attribute(xml, "hostname", report.controller() == null || report.controller().isBlank() ? "localhost"
                    : report.controller());
            attribute(xml, "tests", Integer.toString(report.objects().size()));
            attribute(xml, "failures", Long.toString(report.drifted()));
            attribute(xml, "errors", "0");
            attribute(xml, "time", seconds(report.durationMillis()));
            newline(xml, 2);
            xml.writeStartElement("properties");
            property(xml, "mcvirt.cluster", report.cluster());
            property(xml, "mcvirt.checkedAt", report.checkedAt());
            newline(xml, 2);
            xml.writeEndElement();
            for (DriftReport.Item item : report.objects()) {
                newline(xml, 2);
                if (!item.drifted()) {
                    xml.writeEmptyElement("testcase");
                    testcase(xml, suite, item);
                    continue;
                }
                xml.writeStartElement("testcase");
                testcase(xml, suite, item);
                newline(xml, 3);
                xml.writeStartElement("failure");
                attribute(xml, "message", item.message());
                attribute(xml, "type", item.type());
                xml.writeCharacters(clean(String.join("\n", item.details())));
                xml.writeEndElement();
                newline(xml, 2);
                xml.writeEndElement();
            }
            newline(xml, 2);
            xml.writeStartElement("system-out");
            StringBuilder notes = new StringBuilder();
            for (DriftReport.Item item : report.objects()) {
                for (String note : item.notes()) {
                    notes.append(item.kind().label()).append(' ').append(item.name()).append(": ").append(note)
                            .append('\n');
                }
            }
            xml.writeCharacters(clean(notes.toString()));
            xml.writeEndElement();
            newline(xml, 2);
            xml.writeEmptyElement("system-err");
            newline(xml, 1);
            xml.writeEndElement();
            newline(xml, 0);
            xml.writeEndElement();
            newline(xml, 0);
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the JUnit report", e);
        }
        return out.toString();
    }

    private static void testcase(XMLStreamWriter xml, String suite, DriftReport.Item item) throws XMLStreamException {
        attribute(xml, "name", item.name());
        attribute(xml, "classname", suite + "." + item.kind().label());
        attribute(xml, "time", "0");
    }

    private static void property(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        newline(xml, 3);
        xml.writeEmptyElement("property");
        attribute(xml, "name", name);
        attribute(xml, "value", value);
    }

    private static void attribute(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        xml.writeAttribute(name, clean(value));
    }

    private static void newline(XMLStreamWriter xml, int depth) throws XMLStreamException {
        xml.writeCharacters("\n" + "  ".repeat(depth));
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%d.%03d", millis / 1000, millis % 1000);
    }

    /** The text with every character XML 1.0 cannot carry (most control characters) replaced by U+FFFD. */
    static String clean(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            boolean allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                    || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
            out.appendCodePoint(allowed ? c : 0xFFFD);
        });
        return out.toString();
    }
}
