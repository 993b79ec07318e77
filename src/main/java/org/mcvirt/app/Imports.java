package org.mcvirt.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mcvirt.manifest.ManifestException;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.manifest.ManifestWriter;
import org.mcvirt.model.DesiredState;
import org.mcvirt.plan.Planner;
import org.mcvirt.state.ObservedState;

/** mcvirt import (manifests written from the live cluster, checked by a plan) and import --adopt. */
public final class Imports {
    private final ClusterAccess access;

    public Imports(ClusterAccess access) {
        this.access = access;
    }

    /**
     * mcvirt import: reads the cluster, writes one manifest per vm into directory (a file import did not write is never
     * overwritten), then plans those vms with the manifests and the written files, as if they were adopted, to check
     * that nothing but adopting them would change. Changes nothing on the nodes and takes no lock.
     */
    public ImportResult importVms(Path directory, List<String> vms) throws McvirtException {
        DesiredState desired = access.validate();
        ObservedState observed;
        try (Cluster cluster = access.connect(desired)) {
            observed = cluster.read();
        }
        Importer.Selection selection = Importer.select(desired, observed, vms);
        List<ImportedFile> files = new ArrayList<>();
        List<String> skipped = new ArrayList<>(selection.skipped());
        List<Path> all = new ArrayList<>(access.manifests());
        List<String> checked = new ArrayList<>(selection.inManifests());
        List<String> toAdopt = new ArrayList<>(selection.inManifests());
        try {
            if (!selection.vms().isEmpty()) {
                Files.createDirectories(directory);
            }
            for (Importer.ImportedVm vm : selection.vms()) {
                Path file = directory.resolve(vm.vm().name() + ".yaml");
                if (Files.exists(file) && !Files.readString(file).startsWith(ManifestWriter.HEADER)) {
                    skipped.add(vm.vm().name() + ": " + file + " exists and was not written by mcvirt import; it was"
                            + " left as it is");
                    continue;
                }
                Files.writeString(file, ManifestWriter.vm(vm.vm(), "domain " + vm.vm().name() + " on node "
                        + vm.vm().node(), vm.notes()));
                files.add(new ImportedFile(vm.vm().name(), vm.vm().node(), file, vm.managed(), vm.vm().disks().size(),
                        vm.vm().nics().size(), vm.notes()));
                checked.add(vm.vm().name());
                if (!vm.managed()) {
                    toAdopt.add(vm.vm().name());
                }
                if (!covered(access.manifests(), file)) {
                    all.add(file);
                }
            }
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.REFUSED, "cannot write to " + directory + ": "
                    + e.getMessage(), e);
        }
        List<String> beyond = List.of();
        if (!checked.isEmpty()) {
            DesiredState after;
            try {
                after = ManifestLoader.load(all);
            } catch (ManifestException e) {
                throw new McvirtException(McvirtException.Category.MANIFEST, "the manifests with the files import"
                        + " wrote do not load:\n" + e.getMessage(), e);
            }
            beyond = Importer.beyondAdoption(access.plan(after, observed, new Planner.Options(Set.copyOf(checked),
                    false, Set.copyOf(toAdopt))));
        }
        return new ImportResult(files, skipped, all, checked.stream().sorted().toList(),
                toAdopt.stream().sorted().toList(), beyond);
    }

    /** Whether the loader reads file through paths: given itself, or in a directory given (its *.yaml files). */
    private static boolean covered(List<Path> paths, Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return paths.stream().map(p -> p.toAbsolutePath().normalize())
                .anyMatch(p -> p.equals(absolute) || p.equals(absolute.getParent()) && Files.isDirectory(p));
    }

    /**
     * mcvirt import --adopt: under the cluster lock, reads the cluster again and plans the imported vms with the
     * manifests import read and wrote, their unmanaged domains as if they carried mcvirt's mark; refuses unless that
     * plan has nothing but adopting them (no problem, no other change), then adds the mark to each (a define of its
     * definition as it is, with the mark). Refused before anything is locked when import's own check found more.
     */
    public ApplyResult adopt(ImportResult imported, ApplyOptions options, ApplyProgress listener,
                             Interaction interaction) throws McvirtException {
        if (!imported.beyondAdoption().isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "not adopted: a plan for "
                    + String.join(", ", imported.checked()) + " shows more than adopting them; nothing was changed:\n  "
                    + String.join("\n  ", imported.beyondAdoption()));
        }
        Planner.Options planOptions = new Planner.Options(Set.copyOf(imported.checked()), false,
                Set.copyOf(imported.toAdopt()));
        Scope scope = new Scope(d -> d, planOptions, (d, o) -> {
        }, plan -> {
            List<String> beyond = Importer.beyondAdoption(plan);
            if (!beyond.isEmpty()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "not adopted: the cluster changed since"
                        + " import read it, and a plan for " + String.join(", ", imported.checked()) + " now shows more"
                        + " than adopting them; nothing was changed:\n  " + String.join("\n  ", beyond));
            }
        });
        return new PlanApply(access.withManifests(imported.manifests())).apply(Optional.empty(), true, options,
                listener, interaction, scope);
    }
}
