package org.mcvirt.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mcvirt.app.McvirtException;
import org.mcvirt.app.NodeEnrolmentRequest;
import org.mcvirt.app.Nodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "cluster", footer = {"", "Example:", "  mcvirt cluster add-node --node beta --ip-address 192.0.2.12"},
         description = "Add nodes to or remove nodes from the cluster (and its manifest).",
        subcommands = {ClusterCommand.AddNode.class, ClusterCommand.RemoveNode.class})
final class ClusterCommand {
    @ParentCommand
    McvirtCommand parent;

    @Command(name = "add-node", footer = {"", "Example:", "  mcvirt cluster add-node --node beta --ip-address 192.0.2.12 --ssh-user root"},
         description = {"Enrol a node: show its host key fingerprint and record it once accepted,"
        + " log in once with a password to install mcvirt's public key, check the node (tools, libvirt, no colliding"
        + " vms) over key authentication, and add it to the manifest (editing the file in place).",
        "Without a terminal give --password-stdin and --host-key-fingerprint (check it on the node with"
        + " ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub)."})
    static final class AddNode implements Callable<Integer> {
        @ParentCommand
        ClusterCommand cluster;

        @Spec
        CommandSpec spec;

        @Option(names = "--node", required = true, paramLabel = "NODE", description = "Name of the new node.")
        String node;

        @Option(names = "--ip-address", required = true, paramLabel = "IP", description = "Its SSH/management address.")
        String address;

        @Option(names = "--ssh-user", defaultValue = "root", paramLabel = "USER", description = "Default: ${DEFAULT-VALUE}.")
        String user;

        @Option(names = "--ssh-port", defaultValue = "22", paramLabel = "PORT", description = "Default: ${DEFAULT-VALUE}.")
        int port;

        @Option(names = "--identity-file", paramLabel = "FILE",
                description = "mcvirt's private key; FILE.pub is installed. Default: ~/.ssh/id_ed25519.")
        Path identityFile;

        @Option(names = "--known-hosts", paramLabel = "FILE", description = "Where to record the host key."
                + " Default: ~/.ssh/known_hosts.")
        Path knownHosts;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
        boolean passwordStdin;

        @Option(names = "--host-key-fingerprint", paramLabel = "SHA256:...",
                description = "Accept the host key only if it has this fingerprint (no question asked).")
        String fingerprint;

        @Override
        public Integer call() throws Exception {
            McvirtCommand root = cluster.parent;
            if (port < 1 || port > 65535) {
                throw new ParameterException(spec.commandLine(), "--ssh-port must be 1-65535");
            }
            var out = spec.commandLine().getOut();
            Path home = Path.of(System.getProperty("user.home"));
            var request = new NodeEnrolmentRequest(node, address, user, port,
                    (identityFile != null ? identityFile : home.resolve(".ssh/id_ed25519")).toAbsolutePath(),
                    (knownHosts != null ? knownHosts : home.resolve(".ssh/known_hosts")).toAbsolutePath(), fingerprint);
            String result = new Nodes(root.access()).addNode(request, (name, endpoint, type, fingerprint) -> {
                out.printf("The host key of %s (%s) is %s %s.%n", name, endpoint, type, fingerprint);
                if (!root.terminal.interactive()) {
                    throw new McvirtException(McvirtException.Category.REFUSED,
                            "no terminal to confirm the host key " + fingerprint + "; check it on the node and pass"
                                    + " --host-key-fingerprint " + fingerprint + "; nothing was changed");
                }
                return root.terminal.confirm(out, "Is this the key of that node (compare with ssh-keygen -lf on it)?");
            }, (name, endpoint, login) -> {
                if (passwordStdin) {
                    return root.terminal.readStandardInputLine().map(String::toCharArray).orElseThrow(
                            () -> new McvirtException(McvirtException.Category.REFUSED,
                                    "--password-stdin given but standard input is empty"));
                }
                if (!root.terminal.interactive()) {
                    throw new McvirtException(McvirtException.Category.REFUSED,
                            "no terminal to ask for the password; use --password-stdin");
                }
                return root.terminal.readSecret("Password for " + login + "@" + endpoint + ": ", out).orElseThrow(
                        () -> new McvirtException(McvirtException.Category.REFUSED,
                                "no password given"));
            });
            out.println(result);
            return ExitCodes.OK;
        }
    }

    @Command(name = "remove-node", footer = {"", "Example:", "  mcvirt cluster remove-node --node beta"},
         description = {"Remove a node from the manifest, editing the file in place.",
        "Refuses while vms or their disks live on it (in the manifest or on the node), naming them."})
    static final class RemoveNode implements Callable<Integer> {
        @ParentCommand
        ClusterCommand cluster;

        @Spec
        CommandSpec spec;

        @Option(names = "--node", required = true, paramLabel = "NODE", description = "The node to remove.")
        String node;

        @Option(names = "--force", description = "Remove it even when the node cannot be read.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            McvirtCommand root = cluster.parent;
            spec.commandLine().getOut().println(new Nodes(root.access()).removeNode(node, force, root.commandLine(spec)));
            return ExitCodes.OK;
        }
    }
}
