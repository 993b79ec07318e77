package org.mcvirt.app;

import java.nio.file.Path;
import java.util.List;

/**
 * One vm import wrote, the node it was found on, whether it already carries mcvirt's mark, and what its manifest
 * could not express.
 */
public record ImportedFile(String vm, String node, Path file, boolean managed, int disks, int nics,
                           List<String> notes) {
    public ImportedFile {
        notes = List.copyOf(notes);
    }
}
