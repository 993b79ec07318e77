package org.mcvirt.manifest;

import java.util.List;
import java.util.stream.Collectors;

/** The manifests are invalid; carries every problem found, sorted by location. */
public final class ManifestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<Diagnostic> diagnostics;

    public ManifestException(List<Diagnostic> diagnostics) {
        super(diagnostics.stream().sorted().map(Diagnostic::toString).collect(Collectors.joining("\n")));
        this.diagnostics = diagnostics.stream().sorted().toList();
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
