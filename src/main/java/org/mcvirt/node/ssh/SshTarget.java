package org.mcvirt.node.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach one node over SSH.
 *
 * @param nodeName       the node's name in the manifest, used in every error message
 * @param host           address or host name to connect to
 * @param port           TCP port of the node's sshd
 * @param user           remote user to log in as
 * @param identityFile   private key file (OpenSSH format); the only credential offered
 * @param knownHosts     known_hosts file the node's host key must already be in; never modified
 * @param connectTimeout limit for establishing the TCP connection and the SSH handshake
 * @param commandTimeout limit for each command; a command running longer is killed
 */
public record SshTarget(String nodeName, String host, int port, String user, Path identityFile, Path knownHosts,
                        Duration connectTimeout, Duration commandTimeout) {

    public SshTarget {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(identityFile, "identityFile");
        Objects.requireNonNull(knownHosts, "knownHosts");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (nodeName.isBlank() || host.isBlank() || user.isBlank()) {
            throw new IllegalArgumentException("node name, host and user must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
        requirePositiveMilliseconds("connectTimeout", connectTimeout);
        requirePositiveMilliseconds("commandTimeout", commandTimeout);
    }

    /** {@code host:port}, with an IPv6 address in brackets, as used in messages. */
    public String endpoint() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static void requirePositiveMilliseconds(String name, Duration duration) {
        if (duration.toMillis() < 1 || duration.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be between 1 ms and " + Integer.MAX_VALUE + " ms");
        }
    }
}
