package org.mcvirt.app;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mcvirt.manifest.ManifestEditor;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.LibvirtUris;
import org.mcvirt.node.Deadline;
import org.mcvirt.node.LibvirtNode;
import org.mcvirt.node.NodeException;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeEnrolment;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.SshException;
import org.mcvirt.node.ssh.SshTarget;
import org.mcvirt.node.ssh.SshTransport;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.StateReader;

/** The steps of {@code mcvirt cluster add-node}, in order; each failure says what was already done. */
final class AddNode {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final List<String> TOOLS = List.of("virsh", "qemu-img", "drbdadm", "lvs", "timeout");

    private final List<Path> manifests;
    private final DesiredState desired;
    private final NodeEnrolmentRequest request;

    AddNode(List<Path> manifests, DesiredState desired, NodeEnrolmentRequest request) {
        this.manifests = manifests;
        this.desired = desired;
        this.request = request;
    }

    String run(HostKeyConfirmation confirmation, PasswordSource passwords) throws McvirtException {
        String node = request.node();
        if (!node.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            throw refused("'" + node + "' is not a valid node name: use 1-63 lowercase letters, digits and '-'");
        }
        if (!LibvirtUris.HOST.matcher(request.address()).matches()) {
            throw refused("'" + request.address() + "' is not a host name or IP address");
        }
        if (!LibvirtUris.USER.matcher(request.user()).matches()) {
            throw refused("'" + request.user() + "' is not a valid user name");
        }
        for (Path path : List.of(request.identityFile(), request.knownHosts())) {
            Optional<String> problem = LibvirtUris.pathProblem(path.toString());
            if (problem.isPresent()) {
                throw refused("'" + path + "' " + problem.get());
            }
        }
        if (desired.node(node).isPresent()) {
            throw refused("node " + node + " is already in the manifest");
        }
        Path publicKeyFile = Path.of(request.identityFile() + ".pub");
        if (!Files.isRegularFile(request.identityFile()) || !Files.isRegularFile(publicKeyFile)) {
            throw refused("mcvirt's key " + request.identityFile() + " (and " + publicKeyFile + ") must exist; create it"
                    + " with: ssh-keygen -t ed25519 -N '' -f " + request.identityFile());
        }
        String endpoint = request.address() + ":" + request.port();
        List<String> done = new ArrayList<>();
        try {
            NodeEnrolment.OfferedKey key = NodeEnrolment.scanHostKey(node, request.address(), request.port(), TIMEOUT);
            if (request.expectedFingerprint() != null) {
                if (!request.expectedFingerprint().equals(key.fingerprint())) {
                    throw refused("node " + node + " (" + endpoint + ") offers host key " + key.type() + " "
                            + key.fingerprint() + ", not the expected " + request.expectedFingerprint()
                            + "; nothing was changed");
                }
            } else if (!confirmation.confirm(node, endpoint, key.type(), key.fingerprint())) {
                throw refused("the host key " + key.fingerprint() + " was not accepted; nothing was changed");
            }
            char[] password = passwords.password(node, endpoint, request.user());
            String publicKey = Files.readString(publicKeyFile).strip();
            NodeEnrolment.installPublicKey(node, request.address(), request.port(), request.user(), password, key,
                    publicKey, TIMEOUT);
            done.add("installed " + publicKeyFile + " in " + request.user() + "'s authorized_keys on " + node);
            NodeEnrolment.recordHostKey(request.knownHosts(), request.address(), request.port(), key);
            done.add("recorded host key " + key.type() + " " + key.fingerprint() + " in " + request.knownHosts());
            check(node);
            List<String> item = manifestItem(request);
            Optional<Path> edited = ManifestEditor.appendNode(manifests, item);
            if (edited.isPresent()) {
                done.add("added node " + node + " to " + edited.get());
            } else {
                done.add("no manifest has a nodes list; add this to one:\nnodes:\n  " + String.join("\n  ", item));
            }
            return String.join("\n", done);
        } catch (SshException e) {
            throw new McvirtException(McvirtException.Category.NODE, e.getMessage() + alreadyDone(done), e);
        } catch (IOException e) {
            throw new McvirtException(McvirtException.Category.NODE, e.getMessage() + alreadyDone(done), e);
        } catch (McvirtException e) {
            throw new McvirtException(e.category(), e.getMessage() + alreadyDone(done), e);
        }
    }

    /** Over key authentication and strict host keys only: the tools, libvirt, and no vm name collisions. */
    private void check(String node) throws SshException, McvirtException {
        SshTarget target = new SshTarget(node, request.address(), request.port(), request.user(), request.identityFile(),
                request.knownHosts(), TIMEOUT, Duration.ofSeconds(60));
        try (SshTransport transport = SshTransport.open(target)) {
            List<String> missing = new ArrayList<>();
            for (String tool : TOOLS) {
                CommandResult found = transport.run(NodeScript.HAS_TOOL.command(tool));
                if (!found.succeeded()) {
                    missing.add(tool);
                }
            }
            if (!missing.isEmpty()) {
                throw refused("node " + node + " lacks tools mcvirt needs: " + String.join(", ", missing)
                        + " (install libvirt-clients, qemu-utils, drbd-utils, lvm2, coreutils)");
            }
        }
        String uri = LibvirtUris.derived(request.user(), request.address(), request.port(),
                request.identityFile().toString(), request.knownHosts().toString());
        Duration timeout = Cluster.DEFAULT_NODE_TIMEOUT;
        LibvirtNode libvirt = null;
        try {
            libvirt = Deadline.run(node, "connect to libvirt", timeout, () -> null,
                    () -> LibvirtNode.open(node, uri, timeout));
            LibvirtNode opened = libvirt;
            NodeObservation observed = Deadline.run(node, "reading the node", timeout, opened::activity,
                    () -> StateReader.read(opened));
            List<String> collisions = observed.domains().stream().map(ObservedDomain::name)
                    .filter(name -> desired.vm(name).isPresent()).toList();
            List<String> ours = observed.domains().stream().filter(ObservedDomain::managed)
                    .filter(d -> d.metadata().cluster().equals(desired.cluster().name())).map(ObservedDomain::name).toList();
            if (!collisions.isEmpty() || !ours.isEmpty()) {
                List<String> all = new ArrayList<>(collisions);
                ours.stream().filter(n -> !all.contains(n)).forEach(all::add);
                throw refused("node " + node + " already has domains that would collide with this cluster's vms: "
                        + String.join(", ", all));
            }
        } catch (NodeException e) {
            throw new McvirtException(McvirtException.Category.NODE, "libvirt on the new node does not answer: "
                    + e.getMessage(), e);
        } finally {
            if (libvirt != null) {
                LibvirtNode opened = libvirt;
                Thread closer = new Thread(opened::close, "mcvirt-close");
                closer.setDaemon(true);
                closer.start();
            }
        }
    }

    /**
     * The node's list item for the manifest, every value a double-quoted YAML scalar (JSON string escaping, which
     * YAML's double-quoted style reads the same), so no address, user or path can add a key or end the mapping.
     */
    static List<String> manifestItem(NodeEnrolmentRequest request) {
        return List.of("- name: " + quoted(request.node()), "  address: " + quoted(request.address()),
                "  ssh: {user: " + quoted(request.user()) + ", port: " + request.port() + ", identityFile: "
                        + quoted(request.identityFile().toString()) + ", knownHosts: "
                        + quoted(request.knownHosts().toString()) + "}");
    }

    private static String quoted(String value) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + "\"";
    }

    private static McvirtException refused(String message) {
        return new McvirtException(McvirtException.Category.REFUSED, message);
    }

    private static String alreadyDone(List<String> done) {
        return done.isEmpty() ? "" : "\nAlready done: " + String.join("; ", done) + ". The node was not added.";
    }
}
