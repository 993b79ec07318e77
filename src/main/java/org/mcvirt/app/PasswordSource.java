package org.mcvirt.app;

/** Supplies the node's login password once. */
@FunctionalInterface
public interface PasswordSource {
    char[] password(String node, String endpoint, String user) throws McvirtException;
}
