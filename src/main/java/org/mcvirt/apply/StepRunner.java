package org.mcvirt.apply;

import org.mcvirt.node.NodeException;
import org.mcvirt.plan.Step;

/** Runs one step on its node; returns a note for the progress line (may be empty). */
@FunctionalInterface
public interface StepRunner {
    String run(Step step) throws NodeException;
}
