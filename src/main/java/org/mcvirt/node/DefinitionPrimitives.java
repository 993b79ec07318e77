package org.mcvirt.node;

import java.util.Optional;

/**
 * The saved copies of replicated vms' definitions in a node's state directory ({@link SavedDefinitions} on a real
 * node). An interface so the step runner can be tested with a recording fake.
 */
public interface DefinitionPrimitives {
    /**
     * Keeps a copy of a domain's definition in the state directory ({@code domains/NAME.xml}, mode 0600), so a vm
     * defined on no node can be registered again.
     */
    void saveDefinition(String stateDirectory, String domain, String xml) throws NodeException;

    /** The saved copy of a domain's definition, or empty. */
    Optional<String> readDefinition(String stateDirectory, String domain) throws NodeException;

    /** Removes the saved copy of a deleted vm's definition (none is fine). */
    void forgetDefinition(String stateDirectory, String domain) throws NodeException;

    /**
     * Writes the record that this node took a vm over from a node declared offline ({@code failover/VM.json}, mode
     * 0600): the JSON the caller made.
     */
    void writeFailoverRecord(String stateDirectory, String vm, byte[] json) throws NodeException;

    /** Removes the failover record of a vm (none is fine). */
    void forgetFailoverRecord(String stateDirectory, String vm) throws NodeException;
}
