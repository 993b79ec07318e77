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
    /** How many bytes the probe asks for (image-probe.sh): a qcow2 header up to its incompatible features. */
    static final int PROBE_BYTES = 104;
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

    @Override
    public Probe probe(String url) throws NodeException {
        CommandResult result;
        try {
            result = commands.transport().run(NodeScript.IMAGE_PROBE.command(url));
        } catch (SshException e) {
            throw commands.failure("ask for " + url, e);
        }
        return parseProbe(url, result);
    }

    /** The probe script's three lines (see {@link NodeScript#IMAGE_PROBE}) as a {@link Probe}. */
    static Probe parseProbe(String url, CommandResult result) {
        String why = result.stderr().strip();
        if (result.exitStatus() != 0) {
            return new Probe(url, -1, new byte[0], why.isEmpty() ? "the probe exited with status "
                    + result.exitStatus() : printable(why));
        }
        int curl = -1;
        String headers = "";
        byte[] start = new byte[0];
        try {
            for (String line : result.stdout().split("\n")) {
                if (line.startsWith("curl ")) {
                    curl = Integer.parseInt(line.substring(5).strip());
                } else if (line.startsWith("headers ")) {
                    headers = new String(Base64.getDecoder().decode(line.substring(8).strip()),
                            StandardCharsets.ISO_8859_1);
                } else if (line.startsWith("start ")) {
                    start = Base64.getDecoder().decode(line.substring(6).strip());
                }
            }
        } catch (IllegalArgumentException e) {
            return new Probe(url, -1, new byte[0], "the probe printed something else: " + e.getMessage());
        }
        // the last response (after any redirects): the last block of header lines that starts with a status line (a
        // header such as "Server: SimpleHTTP/0.6" may hold "HTTP/" too)
        String[] lines = new String[0];
        for (String block : headers.split("\r?\n\r?\n")) {
            if (block.startsWith("HTTP/")) {
                lines = block.split("\r?\n");
            }
        }
        String statusLine = printable(lines.length == 0 ? "" : lines[0].strip());
        String[] parts = statusLine.split(" ", 3);
        int status = -1;
        if (parts.length >= 2) {
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                status = -1;
            }
        }
        boolean moreSent = curl == 23 && start.length >= PROBE_BYTES;
        if (curl != 0 && !moreSent) {
            return new Probe(url, -1, new byte[0], printable(why.isEmpty() ? "curl exited with status " + curl : why));
        }
        if (status != 200 && status != 206) {
            return new Probe(url, -1, new byte[0], "the server answered " + (statusLine.isEmpty() ? "nothing"
                    : "'" + statusLine + "'"));
        }
        long length = -1;
        for (String header : lines) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT);
            String value = header.substring(colon + 1).strip();
            try {
                if (status == 206 && name.equals("content-range") && value.matches("bytes \\d+-\\d+/\\d+")) {
                    length = Long.parseLong(value.substring(value.indexOf('/') + 1));
                } else if (status == 200 && name.equals("content-length") && value.matches("\\d+")) {
                    length = Long.parseLong(value);
                }
            } catch (NumberFormatException e) {
                length = -1;
            }
        }
        if (status == 200 && length < 0 && start.length < PROBE_BYTES) {
            length = start.length; // the whole file was sent, and it was this short
        }
        return new Probe(url, length, start, null);
    }

    /** Text from a server or curl with control characters (terminal escapes) and anything past 300 characters cut. */
    static String printable(String text) {
        String kept = text.replaceAll("[\\p{Cntrl}&&[^\n]]", "?").replace('\n', ' ');
        return kept.length() > 300 ? kept.substring(0, 300) + "..." : kept;
    }

    @Override
    public void fetch(String url, String directory, String fileName, String sha256, String format,
                      java.time.Duration timeout) throws NodeException {
        String what = "download " + url + " into " + directory + "/" + fileName;
        CommandResult result;
        try {
            result = commands.transport().run(NodeScript.IMAGE_FETCH.command(url, directory, fileName, sha256,
                    format), timeout);
        } catch (SshException e) {
            throw commands.failure(what, e);
        }
        if (!result.succeeded()) {
            throw commands.failed(what, result);
        }
    }
}
