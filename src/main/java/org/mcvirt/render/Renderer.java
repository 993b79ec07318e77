package org.mcvirt.render;

import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.FileTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.ext.beans.ZeroArgumentNonVoidMethodPolicy;
import freemarker.template.Configuration;
import freemarker.template.DefaultObjectWrapperBuilder;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Renders libvirt XML from Freemarker templates: those packaged in the jar under templates/, or, file by file,
 * those in an override directory given with {@code --templates DIR} (same layout: libvirt/domain.ftl ...).
 */
public final class Renderer {
    private final Configuration configuration;

    public Renderer(Optional<Path> overrideDirectory) {
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
        TemplateLoader packaged = new ClassTemplateLoader(Renderer.class, "/templates");
        if (overrideDirectory.isPresent()) {
            try {
                configuration.setTemplateLoader(new MultiTemplateLoader(new TemplateLoader[] {
                    new FileTemplateLoader(overrideDirectory.get().toFile()), packaged}));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot use template directory " + overrideDirectory.get(), e);
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

    private String render(String template, String name, Object value) {
        try {
            StringWriter out = new StringWriter();
            configuration.getTemplate(template).process(Map.of(name, value), out);
            return out.toString().strip() + "\n";
        } catch (IOException e) {
            throw new RenderException("cannot load template " + template + ": " + e.getMessage(), e);
        } catch (TemplateException e) {
            throw new RenderException("template " + template + " failed: " + e.getMessageWithoutStackTop(), e);
        }
    }

    /** A template is missing or broken (most likely an override from --templates). */
    public static final class RenderException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RenderException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
