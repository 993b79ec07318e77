package org.mcvirt.app;

import org.mcvirt.state.ObservedState;

/** What 'mcvirt observe' read from every node (the input of plan), and whether every node could be read. */
public record Observation(ObservedState state, boolean allRead) {
}
