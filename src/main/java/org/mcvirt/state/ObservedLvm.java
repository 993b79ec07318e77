package org.mcvirt.state;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * LVM on one node, from {@code lvs} and {@code vgs} (sizes in bytes). errors say what could not be read; whatever
 * could be read is still there.
 */
public record ObservedLvm(Availability availability, List<String> errors, List<VolumeGroup> volumeGroups,
                          List<LogicalVolume> logicalVolumes) {
    public ObservedLvm {
        availability = availability == null ? Availability.NOT_READ : availability;
        errors = errors == null ? List.of() : List.copyOf(errors);
        volumeGroups = volumeGroups == null ? List.of()
                : volumeGroups.stream().sorted(Comparator.comparing(VolumeGroup::name)).toList();
        logicalVolumes = logicalVolumes == null ? List.of() : logicalVolumes.stream()
                .sorted(Comparator.comparing(LogicalVolume::volumeGroup).thenComparing(LogicalVolume::name)).toList();
    }

    public static ObservedLvm notRead() {
        return new ObservedLvm(Availability.NOT_READ, List.of(), List.of(), List.of());
    }

    public Optional<VolumeGroup> volumeGroup(String name) {
        return volumeGroups.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    public Optional<LogicalVolume> logicalVolume(String volumeGroup, String name) {
        return logicalVolumes.stream().filter(l -> l.volumeGroup().equals(volumeGroup) && l.name().equals(name))
                .findFirst();
    }

    /**
     * What a plan depends on: names, sizes, paths and tags. Not the attribute string: its open and active flags
     * change whenever a vm starts or stops.
     */
    Map<String, Object> fingerprintView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("availability", availability);
        view.put("volumeGroups", volumeGroups);
        view.put("logicalVolumes", logicalVolumes.stream().map(l -> List.of(l.volumeGroup(), l.name(), l.sizeBytes(),
                String.valueOf(l.path()), l.tags())).toList());
        return view;
    }

    /** A volume group. extentBytes is its extent size (every LV size is a multiple of it; LVM's default 4 MiB). */
    public record VolumeGroup(String name, long sizeBytes, long freeBytes, long extentBytes) {
        public static final long DEFAULT_EXTENT = 4L << 20;

        public VolumeGroup {
            extentBytes = extentBytes <= 0 ? DEFAULT_EXTENT : extentBytes;
        }

        public VolumeGroup(String name, long sizeBytes, long freeBytes) {
            this(name, sizeBytes, freeBytes, DEFAULT_EXTENT);
        }

        /** The size an LV asked for bytes gets: rounded up to whole extents. */
        public long allocated(long bytes) {
            return (bytes + extentBytes - 1) / extentBytes * extentBytes;
        }
    }

    /** A logical volume; attributes is lvs's lv_attr string (such as {@code -wi-ao----}). */
    public record LogicalVolume(String name, String volumeGroup, long sizeBytes, String path, String attributes,
                                List<String> tags) {
        public LogicalVolume {
            tags = tags == null ? List.of() : tags.stream().sorted().toList();
        }
    }
}
