package org.mcvirt.app;

/** Confirms a host key with the operator; returns false to refuse it. */
@FunctionalInterface
public interface HostKeyConfirmation {
    boolean confirm(String node, String endpoint, String type, String fingerprint) throws McvirtException;
}
