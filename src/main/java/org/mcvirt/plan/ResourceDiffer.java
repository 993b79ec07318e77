package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedState;

/**
 * The differ of one resource kind (pools, networks, replicated disks, migrations, vms): a pure function
 * of the desired state (derived MACs already resolved against the nodes), the observed state and the options. It
 * reads nothing else, contacts no node and shares nothing with the other differs; what it finds is its
 * {@link Diff}. A differ plans only on the nodes that could be read ({@link #readNodes}); the {@link Planner}
 * reports the others once.
 *
 * <p>Step drafts name what they act on and what they use by subject ({@link Subjects}), and {@link StepOrder}
 * links the drafts of all differs by its rules, so a new differ adds its step kinds and the rules that relate them
 * to the existing ones, and needs no change in the others.
 */
interface ResourceDiffer {
    Diff diff(DesiredState desired, ObservedState observed, Planner.Options options);

    /** A node of the manifest together with what was read from it. */
    record ReadNode(NodeSpec spec, NodeObservation observation) {
        String name() {
            return spec.name();
        }
    }

    /** The manifest's nodes that were read, in the manifest's (name) order. */
    static List<ReadNode> readNodes(DesiredState desired, ObservedState observed) {
        List<ReadNode> read = new ArrayList<>();
        for (NodeSpec node : desired.nodes()) {
            Optional<NodeObservation> seen = observed.node(node.name());
            if (seen.isPresent() && seen.get().reachable()) {
                read.add(new ReadNode(node, seen.get()));
            }
        }
        return read;
    }
}
