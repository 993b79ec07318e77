package org.mcvirt.state;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeTransport;

/**
 * A node transport that answers from canned results. StorageReader wraps each tool in {@code sh -c SCRIPT
 * mcvirt-read TOOL ARGS...}: the key is "TOOL ARGS..." (the words after mcvirt-read). A command without an answer
 * exits 127, as a missing program does.
 */
final class FakeNodeTransport implements NodeTransport {
    private final Map<String, CommandResult> answers = new HashMap<>();
    private final Map<String, byte[]> files = new HashMap<>();
    final List<List<String>> commands = new ArrayList<>();

    FakeNodeTransport answer(String command, int status, String stdout, String stderr) {
        answers.put(command, new CommandResult(status, stdout, stderr));
        return this;
    }

    FakeNodeTransport answer(String command, String stdout) {
        return answer(command, 0, stdout, "");
    }

    FakeNodeTransport file(String path, String content) {
        files.put(path, content.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    @Override
    public String nodeName() {
        return "fake";
    }

    @Override
    public CommandResult run(List<String> command) {
        commands.add(command);
        int start = command.indexOf("mcvirt-read");
        String key = String.join(" ", start < 0 ? command : command.subList(start + 1, command.size()));
        if (key.startsWith("sh -c ") && key.endsWith("/verify")) {
            // the listing of verify records: every file under that directory
            String directory = key.substring(key.lastIndexOf(' ') + 1);
            StringBuilder listing = new StringBuilder();
            files.keySet().stream().filter(p -> p.startsWith(directory + "/") && p.endsWith(".json")).sorted()
                    .forEach(p -> listing.append(p).append('\n'));
            return new CommandResult(0, listing.toString(), "");
        }
        return answers.getOrDefault(key, new CommandResult(127, "", "sh: 1: exec: " + command.get(start + 1)
                + ": not found\n"));
    }

    @Override
    public String endpoint() {
        return "fake:22";
    }

    @Override
    public void writeFileAtomically(String path, byte[] content, String mode) {
        throw new UnsupportedOperationException("reading only");
    }

    @Override
    public Optional<byte[]> readFile(String path) {
        return Optional.ofNullable(files.get(path));
    }

    @Override
    public void close() {
    }
}
