package org.mcvirt.app;

import java.nio.file.Path;
import java.util.List;

/**
 * What import did: the files, a line for each domain left out, the manifests with the written files (what a plan
 * reads next), the vms checked and the unmanaged ones among them (to adopt), and what a plan for those vms shows
 * besides adopting them (empty: the manifests describe the domains as they are).
 */
public record ImportResult(List<ImportedFile> files, List<String> skipped, List<Path> manifests,
                           List<String> checked, List<String> toAdopt, List<String> beyondAdoption) {
    public ImportResult {
        files = List.copyOf(files);
        skipped = List.copyOf(skipped);
        manifests = List.copyOf(manifests);
        checked = List.copyOf(checked);
        toAdopt = List.copyOf(toAdopt);
        beyondAdoption = List.copyOf(beyondAdoption);
    }
}
