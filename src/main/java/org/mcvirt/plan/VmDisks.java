package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.render.Views;
import org.mcvirt.state.ObservedDomain;

/**
 * A defined vm's disks matched with the manifest's by the manifest name its mark records: the one matching that the vm
 * differ (file volumes, the definition) and the replicated-disk differ (LVs and DRBD resources) both plan from.
 */
final class VmDisks {
    private VmDisks() {
    }

    enum Status {
        /** Not in the mark: a new disk. */
        NEW,
        /** In the mark at another source or target: refused (the vm differ says so). */
        MOVED,
        /** In the mark, replicated there and not in the manifest or the other way round: refused (the vm differ). */
        CONVERTED,
        /** In the mark where the manifest puts it: sized. */
        KEPT
    }

    /** A disk of the manifest with its view, what the mark records of it (null for a new one) and its status. */
    record Match(VmSpec.DiskSpec disk, Views.DiskView view, VmMetadata.Disk existing, Status status) {
    }

    /** The manifest's disks in manifest order, each matched. */
    static List<Match> match(VmSpec vm, ObservedDomain domain, Views.DomainView view) {
        Map<String, VmMetadata.Disk> recorded = domain.metadata().disks().stream()
                .collect(Collectors.toMap(VmMetadata.Disk::name, d -> d, (a, b) -> a));
        List<Match> matches = new ArrayList<>();
        for (int i = 0; i < vm.disks().size(); i++) {
            VmSpec.DiskSpec disk = vm.disks().get(i);
            Views.DiskView diskView = view.disks().get(i);
            VmMetadata.Disk existing = recorded.get(disk.name());
            Status status;
            if (existing == null) {
                status = Status.NEW;
            } else if (!existing.source().equals(diskView.source()) || !existing.target().equals(diskView.target())) {
                status = Status.MOVED;
            } else if (disk.replicated() != existing.replicated()) {
                status = Status.CONVERTED;
            } else {
                status = Status.KEPT;
            }
            matches.add(new Match(disk, diskView, existing, status));
        }
        return matches;
    }

    /** The disks the mark records that the manifest no longer has, in the mark's order. */
    static List<VmMetadata.Disk> removed(VmSpec vm, ObservedDomain domain) {
        return domain.metadata().disks().stream()
                .filter(existing -> vm.disks().stream().noneMatch(d -> d.name().equals(existing.name()))).toList();
    }

    /** A protected vm keeps its disks: removing one is refused (the vm differ says so). */
    static boolean keepsRemovedDisks(VmSpec vm, ObservedDomain domain) {
        return vm.protect() || domain.metadata().protect();
    }
}
