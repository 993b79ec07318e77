package org.mcvirt.node;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * The saved copies of replicated vms' definitions on one node ({@link StateDirectory#definition}), over its command
 * transport: written on both nodes of a pair by every define, read by register, removed with the vm.
 */
public final class SavedDefinitions implements DefinitionPrimitives {
    private final NodeCommands commands;

    public SavedDefinitions(String node, NodeTransport transport) {
        this.commands = new NodeCommands(node, transport);
    }

    @Override
    public void saveDefinition(String stateDirectory, String domain, String xml) throws NodeException {
        StateDirectory state = new StateDirectory(stateDirectory);
        try {
            commands.transport().runChecked(NodeScript.STATE_DIRECTORY.command(stateDirectory,
                    state.definitionsDirectory()));
            commands.transport().writeFileAtomically(state.definition(domain), xml.getBytes(StandardCharsets.UTF_8),
                    "0600");
        } catch (SshException e) {
            throw commands.failure("save a copy of the definition of domain " + domain, e);
        }
    }

    @Override
    public Optional<String> readDefinition(String stateDirectory, String domain) throws NodeException {
        try {
            return commands.transport().readFile(new StateDirectory(stateDirectory).definition(domain))
                    .map(b -> new String(b, StandardCharsets.UTF_8));
        } catch (SshException e) {
            throw commands.failure("read the saved definition of domain " + domain, e);
        }
    }

    @Override
    public void forgetDefinition(String stateDirectory, String domain) throws NodeException {
        try {
            commands.transport().runChecked(List.of("rm", "-f", "--",
                    new StateDirectory(stateDirectory).definition(domain)));
        } catch (SshException e) {
            throw commands.failure("remove the saved definition of domain " + domain, e);
        }
    }

    @Override
    public void writeFailoverRecord(String stateDirectory, String vm, byte[] json) throws NodeException {
        StateDirectory state = new StateDirectory(stateDirectory);
        try {
            commands.transport().runChecked(NodeScript.STATE_DIRECTORY.command(stateDirectory,
                    state.failoverDirectory()));
            commands.transport().writeFileAtomically(state.failoverRecord(vm), json, "0600");
        } catch (SshException e) {
            throw commands.failure("record the failover of vm " + vm, e);
        }
    }

    @Override
    public void forgetFailoverRecord(String stateDirectory, String vm) throws NodeException {
        try {
            commands.transport().runChecked(List.of("rm", "-f", "--", new StateDirectory(stateDirectory)
                    .failoverRecord(vm)));
        } catch (SshException e) {
            throw commands.failure("remove the failover record of vm " + vm, e);
        }
    }
}
