package org.mcvirt.app;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mcvirt.model.Digests;
import org.mcvirt.apply.StepRunner;
import org.mcvirt.model.DesiredState;
import org.mcvirt.node.DefinitionPrimitives;
import org.mcvirt.node.NodeException;
import org.mcvirt.node.StateDirectory;
import org.mcvirt.plan.DomainMarks;
import org.mcvirt.plan.Step;
import org.mcvirt.plan.StepKind;
import org.mcvirt.plan.StepPayload;

/**
 * Checks a saved definition before register defines it (issue 17 item 3): STATE/domains/VM.xml on a node is a file
 * whoever has root there can edit, and a plan carries only its SHA-256. Before a {@link StepKind#REGISTER_DOMAIN} step
 * runs, the copy is read and, when it is the one the plan names (the runner defines it only if its digest still
 * matches, so it defines what was checked), refused unless {@link DomainMarks#savedDefinitionProblems} finds nothing
 * wrong: vm's domain, this cluster's mark with the resources, minors, ports and pair mcvirt would have written, and no
 * disk but the vm's DRBD devices. Every other step goes straight to the runner.
 */
final class SavedDefinitionGuard implements StepRunner {
    /** The saved definitions of a node. */
    @FunctionalInterface
    interface Definitions {
        DefinitionPrimitives of(String node) throws NodeException;
    }

    private final StepRunner runner;
    private final String cluster;
    private final Set<String> nodes;
    private final DesiredState desired;
    private final Definitions definitions;

    /**
     * @param desired the manifests of the apply, for the cluster's DRBD ranges; null for a saved plan applied without
     *                them
     */
    SavedDefinitionGuard(StepRunner runner, String cluster, Set<String> nodes, DesiredState desired,
                         Definitions definitions) {
        this.runner = runner;
        this.cluster = cluster;
        this.nodes = Set.copyOf(nodes);
        this.desired = desired;
        this.definitions = definitions;
    }

    @Override
    public String run(Step step) throws NodeException {
        if (step.kind() == StepKind.REGISTER_DOMAIN) {
            check(step.payload(StepPayload.RegisterDomain.class));
        }
        return runner.run(step);
    }

    private void check(StepPayload.RegisterDomain register) throws NodeException {
        String from = register.copyNode();
        Optional<String> copy = definitions.of(from).readDefinition(register.copyDirectory(), register.name());
        if (copy.isEmpty() || !Digests.sha256(copy.get()).equals(register.sha256())) {
            return; // gone or changed since the plan: the runner refuses it with that
        }
        List<String> wrong = DomainMarks.savedDefinitionProblems(copy.get(), register.name(), cluster, nodes, desired);
        if (!wrong.isEmpty()) {
            throw new NodeException(from, "the saved definition of domain " + register.name() + " on node " + from
                    + " is not what mcvirt writes (" + String.join("; ", wrong) + "), so it is not defined; look at "
                    + new StateDirectory(register.copyDirectory()).definition(register.name()) + " on " + from, null);
        }
    }

}
