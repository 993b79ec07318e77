package org.mcvirt.node;

import java.util.List;
import java.util.Optional;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;

/**
 * The LVM primitives of one node (lvm2 on the node), run over its command transport. Each is idempotent, and none
 * touches a logical volume that is not mcvirt's (without its tag): that is an error naming the node and the volume.
 */
public final class LvmNode implements LvmPrimitives {
    private final NodeCommands commands;

    public LvmNode(String node, NodeTransport transport) {
        this.commands = new NodeCommands(node, transport);
    }

    /**
     * Creates {@code vg/name} of the given size, tagged as mcvirt's ({@code tag}). An LV of that name that carries the
     * tag and is at least that large is left as it is; one without the tag is someone else's and an error.
     * Returns true when it created the LV.
     */
    @Override
    public boolean createLogicalVolume(String volumeGroup, String name, long bytes, String tag) throws NodeException {
        Optional<long[]> existing = logicalVolumeSize(volumeGroup, name, tag);
        if (existing.isPresent()) {
            if (existing.get()[1] == 0) {
                throw new NodeException(commands.node(), "logical volume " + volumeGroup + "/" + name
                        + " exists but is not mcvirt's (no tag " + tag + "); it is left alone", null);
            }
            if (existing.get()[0] < bytes) {
                throw new NodeException(commands.node(), "logical volume " + volumeGroup + "/" + name + " exists with "
                        + existing.get()[0] + " bytes, less than the " + bytes + " asked for", null);
            }
            return false;
        }
        commands.run("create logical volume " + volumeGroup + "/" + name, "lvcreate", "--yes", "--wipesignatures", "y",
                "--zero", "y", "--addtag", tag, "--size", bytes + "b", "--name", name, volumeGroup);
        // A new LV may sit on extents an earlier volume used: zero its first MiB (create-md refuses a disk on which it
        // finds data) and its tail, where internal metadata goes (stale DRBD metadata there would be taken as this
        // resource's, with another resource's generation). Nothing can be lost: mcvirt created the LV just now.
        commands.run("clear the ends of new logical volume " + volumeGroup + "/" + name,
                NodeScript.CLEAR_LV_ENDS.command(volumeGroup, name));
        return true;
    }

    /** {size in bytes, 1 when it carries the tag else 0}, or empty when there is no such LV. */
    public Optional<long[]> logicalVolumeSize(String volumeGroup, String name, String tag) throws NodeException {
        CommandResult result = commands.command("lvs", "--noheadings", "--units", "b", "--nosuffix", "-o",
                "lv_size,lv_tags", volumeGroup + "/" + name);
        if (!result.succeeded()) {
            if (result.stderr().contains("Failed to find logical volume") || result.stderr().contains("not found")) {
                return Optional.empty();
            }
            throw commands.failed("read logical volume " + volumeGroup + "/" + name, result);
        }
        String[] fields = result.stdout().strip().split("\\s+", 2);
        long size = Long.parseLong(fields[0]);
        boolean tagged = fields.length > 1 && List.of(fields[1].split(",")).contains(tag);
        return Optional.of(new long[] {size, tagged ? 1 : 0});
    }

    /** Grows {@code vg/name} to bytes; a smaller size is refused, an equal one is a no-op. Returns true when it grew. */
    @Override
    public boolean growLogicalVolume(String volumeGroup, String name, long bytes, String tag) throws NodeException {
        long[] existing = logicalVolumeSize(volumeGroup, name, tag).orElseThrow(() -> new NodeException(commands.node(),
                "logical volume " + volumeGroup + "/" + name + " does not exist", null));
        if (existing[0] >= bytes) {
            return false;
        }
        commands.run("grow logical volume " + volumeGroup + "/" + name, "lvextend", "--size", bytes + "b",
                volumeGroup + "/" + name);
        return true;
    }

    /** Removes {@code vg/name} if it exists and is mcvirt's. */
    @Override
    public boolean removeLogicalVolume(String volumeGroup, String name, String tag) throws NodeException {
        Optional<long[]> existing = logicalVolumeSize(volumeGroup, name, tag);
        if (existing.isEmpty()) {
            return false;
        }
        if (existing.get()[1] == 0) {
            throw new NodeException(commands.node(), "logical volume " + volumeGroup + "/" + name
                    + " is not mcvirt's (no tag " + tag + "); it is left alone", null);
        }
        commands.run("remove logical volume " + volumeGroup + "/" + name, "lvremove", "--yes",
                volumeGroup + "/" + name);
        return true;
    }
}
