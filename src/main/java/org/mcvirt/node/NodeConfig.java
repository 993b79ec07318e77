package org.mcvirt.node;

import java.nio.charset.StandardCharsets;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * mcvirt's permissions on a node, over its command transport: the polkit rules file and libvirtd's access driver
 * ({@link NodeScript#LIBVIRT_ACCESS}). Where they live is spelt here once.
 */
public final class NodeConfig implements NodeConfigPrimitives {
    /** libvirtd's configuration file (Debian's, and libvirt's default). */
    public static final String LIBVIRTD_CONF = "/etc/libvirt/libvirtd.conf";
    /**
     * How long the access-driver script waits for a restarted libvirtd before it puts the old setting back: with the
     * restarts, inside the default node command timeout (30 s).
     */
    static final int RESTART_WAIT_SECONDS = 15;

    private final NodeCommands commands;

    public NodeConfig(String node, NodeTransport transport) {
        this.commands = new NodeCommands(node, transport);
    }

    /**
     * The cluster's polkit rules file. polkitd reads only names ending in .rules, so the atomic write's temporary file
     * beside it is never loaded; 10- sorts it before the distribution's 50-default.rules.
     */
    public static String polkitRulesPath(String cluster) {
        return "/etc/polkit-1/rules.d/10-mcvirt-" + cluster + ".rules";
    }

    @Override
    public void writeRules(String path, String text) throws NodeException {
        try {
            commands.transport().writeFileAtomically(path, text.getBytes(StandardCharsets.UTF_8), "0644");
        } catch (SshException e) {
            throw commands.failure("write " + path, e);
        }
    }

    @Override
    public void removeRules(String path) throws NodeException {
        commands.run("remove " + path, "rm", "-f", "--", path);
    }

    @Override
    public boolean accessDriver(String libvirtdConf, boolean enable, String cluster) throws NodeException {
        String what = (enable ? "enable" : "disable") + " libvirtd's polkit access driver in " + libvirtdConf;
        CommandResult result;
        try {
            result = commands.transport().run(NodeScript.LIBVIRT_ACCESS.command(libvirtdConf,
                    enable ? "enable" : "disable", cluster, Integer.toString(RESTART_WAIT_SECONDS)));
        } catch (SshException e) {
            throw commands.failure(what, e);
        }
        if (!result.succeeded()) {
            throw commands.failed(what, result);
        }
        return result.stdout().strip().endsWith("restarted");
    }
}
