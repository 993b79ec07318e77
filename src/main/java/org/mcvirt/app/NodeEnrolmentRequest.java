package org.mcvirt.app;

import java.nio.file.Path;

/** What add-node needs to know; identityFile's ".pub" sibling is the key installed on the node. */
public record NodeEnrolmentRequest(String node, String address, String user, int port, Path identityFile,
                                   Path knownHosts, String expectedFingerprint) {
}
