package org.mcvirt.state;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Whether a node subsystem read over the command transport (LVM, DRBD) could be read. A node without the tools or
 * the kernel module is not an error: it is {@link #ABSENT}.
 */
public enum Availability {
    /** Read: the lists hold what the node reported. */
    @JsonProperty("present")
    PRESENT,
    /** Not on this node: the tools are not installed (exit status 127) or the kernel module is not loaded. */
    @JsonProperty("absent")
    ABSENT,
    /** There, but reading it failed; the record's errors say why. */
    @JsonProperty("failed")
    FAILED,
    /** Not read: the node could not be reached, or the observation was made before mcvirt read it. */
    @JsonProperty("not-read")
    NOT_READ
}
