package org.mcvirt.node;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;

/**
 * Images and seeds on a node ({@link NodeScript#IMAGE_SHA256}, {@link NodeScript#SEED_WRITE}). The seed's files reach
 * the node in a file of mode 0600 that the script removes, never on a command line: user data may hold secrets.
 */
public final class ImageNode implements ImagePrimitives {
    private final NodeCommands commands;

    public ImageNode(String node, NodeTransport transport) {
        this.commands = new NodeCommands(node, transport);
    }

    @Override
    public String sha256(String path, java.time.Duration timeout) throws NodeException {
        String what = "compute the SHA-256 of " + path;
        CommandResult result;
        try {
            result = commands.transport().run(NodeScript.IMAGE_SHA256.command(path), timeout);
        } catch (SshException e) {
            throw commands.failure(what, e);
        }
        String hex = result.stdout().strip();
        if (!result.succeeded() || !hex.matches("[0-9a-f]{64}")) {
            throw commands.failed(what, result);
        }
        return hex;
    }

    /** The image written onto a block device (a replicated disk's DRBD device, Primary on this node) as raw bytes. */
    @Override
    public void writeImage(String image, String format, String device, long virtualBytes, java.time.Duration timeout)
            throws NodeException {
        String what = "write image " + image + " onto " + device;
        CommandResult result;
        try {
            result = commands.transport().run(NodeScript.IMAGE_WRITE.command(image, format, device,
                    Long.toString(virtualBytes)), timeout);
        } catch (SshException e) {
            throw commands.failure(what, e);
        }
        if (!result.succeeded()) {
            throw commands.failed(what, result);
        }
    }

    @Override
    public void writeSeed(String directory, String fileName, String userData, String metaData, String networkConfig)
            throws NodeException {
        String input = directory + "/.mcvirt-seed-input." + fileName;
        Base64.Encoder base64 = Base64.getEncoder();
        String lines = base64.encodeToString(userData.getBytes(StandardCharsets.UTF_8)) + "\n"
                + base64.encodeToString(metaData.getBytes(StandardCharsets.UTF_8)) + "\n"
                + (networkConfig == null ? "" : base64.encodeToString(networkConfig.getBytes(StandardCharsets.UTF_8)))
                + "\n";
        String what = "write the cloud-init seed " + directory + "/" + fileName;
        CommandResult result;
        try {
            commands.transport().writeFileAtomically(input, lines.getBytes(StandardCharsets.US_ASCII), "0600");
            result = commands.transport().run(NodeScript.SEED_WRITE.command(directory, fileName, input));
        } catch (SshException e) {
            throw commands.failure(what, e);
        }
        if (!result.succeeded()) {
            throw commands.failed(what, result);
        }
    }
}
