package org.mcvirt.render;

import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.FileTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.ext.beans.ZeroArgumentNonVoidMethodPolicy;
import freemarker.core.ParseException;
import freemarker.template.Configuration;
import freemarker.template.DefaultObjectWrapperBuilder;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.xml.sax.SAXParseException;

/**
 * Renders libvirt XML from Freemarker templates: those packaged in the jar under templates/, or, file by file,
 * those in an override directory given with {@code --templates DIR} (same layout: libvirt/domain.ftl ...).
 * Every output must be well-formed XML. A broken template is a {@link RenderException} naming the file, line and
 * column (compiler style: {@code FILE:LINE:COLUMN: error: MESSAGE}).
 */
public final class Renderer {
    private final Configuration configuration;
    private final Optional<Path> overrideDirectory;

    public Renderer(Optional<Path> overrideDirectory) {
        this.overrideDirectory = overrideDirectory;
        configuration = new Configuration(Configuration.VERSION_2_3_34);
        configuration.setDefaultEncoding("UTF-8");
        // the views are records: let templates write d.name for the accessor d.name()
        DefaultObjectWrapperBuilder wrapper = new DefaultObjectWrapperBuilder(Configuration.VERSION_2_3_34);
        wrapper.setRecordZeroArgumentNonVoidMethodPolicy(
                ZeroArgumentNonVoidMethodPolicy.BOTH_METHOD_AND_PROPERTY_UNLESS_BEAN_PROPERTY_READ_METHOD);
        configuration.setObjectWrapper(wrapper.build());
        configuration.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        configuration.setLogTemplateExceptions(false);
        configuration.setWrapUncheckedExceptions(true);
        configuration.setFallbackOnNullLoopVariable(false);
        // libvirt/network.ftl is that file, never network_en_US.ftl: the name in an error is the file to fix
        configuration.setLocalizedLookup(false);
        TemplateLoader packaged = new ClassTemplateLoader(Renderer.class, "/templates");
        if (overrideDirectory.isPresent()) {
            Path directory = overrideDirectory.get();
            if (!Files.isDirectory(directory)) {
                throw new RenderException("template directory " + directory + " is not a directory", null);
            }
            try {
                configuration.setTemplateLoader(new MultiTemplateLoader(new TemplateLoader[] {
                    new FileTemplateLoader(directory.toFile()), packaged}));
            } catch (IOException e) {
                throw new RenderException("cannot use template directory " + directory + ": " + e.getMessage(), e);
            }
        } else {
            configuration.setTemplateLoader(packaged);
        }
    }

    public String domain(Views.DomainView domain) {
        return render("libvirt/domain.ftl", "d", domain);
    }

    public String disk(Views.DiskView disk) {
        return render("libvirt/disk.ftl", "d", disk);
    }

    /** A cloud-init seed's CD-ROM, for an edited definition. */
    public String seed(Views.SeedView seed) {
        return render("libvirt/seed.ftl", "s", seed);
    }

    /** An installer ISO's CD-ROM, for an edited definition. */
    public String cdrom(Views.CdromView cdrom) {
        return render("libvirt/cdrom.ftl", "c", cdrom);
    }

    /** The virtio-scsi controller a seed sits on, for an edited definition that has no SCSI controller. */
    public String scsiController() {
        return render("libvirt/scsi-controller.ftl", "s", "");
    }

    public String nic(Views.NicView nic) {
        return render("libvirt/interface.ftl", "n", nic);
    }

    public String metadata(Views.MetadataView metadata) {
        return render("libvirt/metadata.ftl", "m", metadata);
    }

    public String network(Views.NetworkView network) {
        return render("libvirt/network.ftl", "n", network);
    }

    public String pool(Views.PoolView pool) {
        return render("libvirt/pool.ftl", "p", pool);
    }

    public String volume(Views.VolumeView volume) {
        return render("libvirt/volume.ftl", "v", volume);
    }

    /** A DRBD resource file (templates/drbd/resource.ftl); text, not XML. */
    public String drbdResource(Views.DrbdResourceView resource) {
        return text("drbd/resource.ftl", "r", resource);
    }

    /** A cluster's polkit rules for libvirt's access driver (templates/polkit/rules.ftl); text. */
    public String polkitRules(Views.PolkitRulesView rules) {
        return text("polkit/rules.ftl", "r", rules);
    }

    /** The scheduled verify's systemd service (templates/systemd/verify-service.ftl). */
    public String verifyService(Views.VerifyScheduleView schedule) {
        return text("systemd/verify-service.ftl", "v", schedule);
    }

    /** The scheduled verify's systemd timer (templates/systemd/verify-timer.ftl). */
    public String verifyTimer(Views.VerifyScheduleView schedule) {
        return text("systemd/verify-timer.ftl", "v", schedule);
    }

    private String render(String template, String name, Object value) {
        String output = text(template, name, value);
        try {
            Xml.checkWellFormed(output);
        } catch (IllegalArgumentException e) {
            String where = e.getCause() instanceof SAXParseException sax
                    ? " (output line " + sax.getLineNumber() + ", column " + sax.getColumnNumber() + ")" : "";
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw new RenderException(file(template) + ": error: the output is not well-formed XML" + where + ": "
                    + oneLine(why), e);
        }
        return output;
    }

    private String text(String template, String name, Object value) {
        String output;
        try {
            StringWriter out = new StringWriter();
            configuration.getTemplate(template).process(Map.of(name, value), out);
            output = out.toString().strip() + "\n";
        } catch (ParseException e) {
            throw syntaxError(e);
        } catch (IOException e) {
            throw new RenderException("cannot load template " + file(template) + ": " + e.getMessage(), e);
        } catch (TemplateException e) {
            // a syntax error in a template this one imports surfaces as a failed #import
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof ParseException parse) {
                    throw syntaxError(parse);
                }
            }
            throw new RenderException(location(e.getTemplateSourceName(), e.getLineNumber(), e.getColumnNumber())
                    + describe(e), e);
        }
        return output;
    }

    private RenderException syntaxError(ParseException e) {
        return new RenderException(location(e.getTemplateName(), e.getLineNumber(), e.getColumnNumber())
                + "syntax error: " + oneLine(e.getEditorMessage()), e);
    }

    /** Freemarker's message without its tips and without the location, which the prefix already gives. */
    private static String describe(TemplateException e) {
        String message = e.getMessageWithoutStackTop();
        int tip = message.indexOf("\n----");
        if (tip >= 0) {
            message = message.substring(0, tip);
        }
        return oneLine(message.replaceAll("\\s*\\[in template \"[^\"]*\" at line \\d+, column \\d+\\]", "")
                .replace("==> ", ""));
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\n\\s*", " ");
    }

    private String location(String template, Integer line, Integer column) {
        return file(template) + (line == null ? "" : ":" + line + (column == null ? "" : ":" + column)) + ": error: ";
    }

    /** The file a template name was loaded from: the override if there is one, else the packaged template. */
    private String file(String template) {
        if (template == null) {
            return "template";
        }
        return overrideDirectory.map(d -> d.resolve(template)).filter(Files::isRegularFile).map(Path::toString)
                .orElse("built-in template " + template);
    }

    /** A template is missing or broken (most likely an override from --templates). */
    public static final class RenderException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RenderException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
