package org.mcvirt.render;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/** Small DOM helpers (JDK only) for reading libvirt XML and editing a domain's persistent definition. */
public final class Xml {
    /** Errors become the exception parse throws; warnings are ignored. Nothing is printed. */
    private static final ErrorHandler QUIET = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) throws SAXParseException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXParseException {
            throw e;
        }
    };

    private Xml() {
    }

    /**
     * One parser per thread, made once: setting up a factory and a builder cost more than parsing a domain's
     * definition, and a read parses one or two per domain.
     */
    private static final ThreadLocal<DocumentBuilder> BUILDER = ThreadLocal.withInitial(() -> {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    });

    /** A SAX parser per thread, for checking well-formedness without building a tree. */
    private static final ThreadLocal<javax.xml.parsers.SAXParser> CHECKER = ThreadLocal.withInitial(() -> {
        try {
            javax.xml.parsers.SAXParserFactory factory = javax.xml.parsers.SAXParserFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newSAXParser();
        } catch (ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IllegalStateException(e);
        }
    });

    /** Throws what {@link #parse} would for text that is not well-formed XML, without building a document. */
    public static void checkWellFormed(String xml) {
        javax.xml.parsers.SAXParser parser = CHECKER.get();
        parser.reset();
        try {
            org.xml.sax.XMLReader reader = parser.getXMLReader();
            reader.setErrorHandler(QUIET);
            reader.setContentHandler(new org.xml.sax.helpers.DefaultHandler());
            reader.parse(new InputSource(new StringReader(xml)));
        } catch (org.xml.sax.SAXException | java.io.IOException e) {
            throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
        }
    }

    public static Document parse(String xml) {
        DocumentBuilder builder = BUILDER.get();
        builder.reset();
        builder.setErrorHandler(QUIET); // the default one also prints every error to System.err
        try {
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (org.xml.sax.SAXException | java.io.IOException e) {
            throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
        }
    }

    public static String serialize(Document document) {
        try {
            var transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(document), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Direct child elements with this local name (any namespace). */
    public static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element element && name.equals(localName(element))) {
                result.add(element);
            }
        }
        return result;
    }

    public static Optional<Element> child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The attribute of a child element, or empty. */
    public static Optional<String> childAttribute(Element parent, String child, String attribute) {
        return child(parent, child).map(e -> e.getAttribute(attribute)).filter(a -> !a.isEmpty());
    }

    public static Optional<String> childText(Element parent, String child) {
        return child(parent, child).map(e -> e.getTextContent().strip());
    }

    public static String localName(Element element) {
        return element.getLocalName() != null ? element.getLocalName() : element.getTagName();
    }

    /** Imports an XML fragment (rendered by a template) as a child of parent. */
    public static Element append(Element parent, String fragment) {
        Element imported = (Element) parent.getOwnerDocument().importNode(parse(fragment).getDocumentElement(), true);
        parent.appendChild(imported);
        return imported;
    }
}
