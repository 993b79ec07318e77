package org.mcvirt.node;

/**
 * What apply configures on a node for mcvirt's permissions: the cluster's polkit rules file and libvirtd's polkit
 * access driver. {@link NodeConfig} does it over the command transport; tests use a recording fake.
 */
public interface NodeConfigPrimitives {
    /** Writes the polkit rules file (root's, mode 0644): a temporary file renamed into place, so polkitd never loads half. */
    void writeRules(String path, String text) throws NodeException;

    /** Removes the polkit rules file (none there is fine). */
    void removeRules(String path) throws NodeException;

    /**
     * Sets (enable) or unsets libvirtd's polkit access driver for the cluster in libvirtd.conf; restarts libvirtd only
     * when the file changed (running vms keep running) and waits until it answers. Returns whether it restarted.
     */
    boolean accessDriver(String libvirtdConf, boolean enable, String cluster) throws NodeException;
}
