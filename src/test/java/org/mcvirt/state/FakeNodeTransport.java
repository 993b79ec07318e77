package org.mcvirt.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeTransport;

/**
 * A node transport that answers StorageReader's script the way a node would, from canned results per section (lvs,
 * vgs, drbdadm, proc, show, status) and verify record files. A section without an answer exits 127, as a missing
 * program does; show or status is run only as the script picks it from the first line of the proc answer.
 */
final class FakeNodeTransport implements NodeTransport {
    private final Map<String, CommandResult> answers = new HashMap<>();
    private final Map<String, String> files = new TreeMap<>();
    final List<List<String>> commands = new ArrayList<>();

    FakeNodeTransport answer(String section, int status, String stdout, String stderr) {
        answers.put(section, new CommandResult(status, stdout, stderr));
        return this;
    }

    FakeNodeTransport answer(String section, String stdout) {
        return answer(section, 0, stdout, "");
    }

    FakeNodeTransport file(String path, String content) {
        files.put(path, content);
        return this;
    }

    @Override
    public String nodeName() {
        return "fake";
    }

    @Override
    public CommandResult run(List<String> command) {
        commands.add(command);
        if (command.size() != 17 || !command.get(2).equals(StorageReader.SCRIPT)) {
            throw new AssertionError("not StorageReader's script: " + command);
        }
        String boundary = command.get(4);
        String directory = command.get(5);
        String failoverDirectory = command.get(8);
        StringBuilder out = new StringBuilder();
        List<String> sections = new ArrayList<>(command.get(9).equals("lvm") ? List.of("lvs", "vgs", "drbdadm", "proc")
                : List.of("drbdadm", "proc"));
        CommandResult proc = answers.get("proc");
        String first = proc == null || !proc.succeeded() ? "" : proc.stdout().lines().findFirst().orElse("");
        if (first.startsWith("version: 8.")) {
            sections.add("show");
        } else if (first.startsWith("version: ")) {
            sections.add("status");
        }
        sections.add("sizes");
        if (answers.containsKey("journal")) {
            sections.add("journal");
        }
        sections.add("memory");
        if (answers.containsKey("saved")) {
            sections.add("saved");
        }
        for (String section : sections) {
            CommandResult result = answers.getOrDefault(section, new CommandResult(127, "", "sh: 1: " + section
                    + ": not found\n"));
            out.append(boundary).append(" out ").append(section).append('\n').append(result.stdout())
                    .append('\n').append(boundary).append(" err ").append(section).append('\n').append(result.stderr())
                    .append('\n').append(boundary).append(" status ").append(section).append(' ')
                    .append(result.exitStatus()).append('\n');
        }
        files.forEach((path, content) -> {
            if ((path.startsWith(directory + "/") || path.startsWith(failoverDirectory + "/"))
                    && path.endsWith(".json")) {
                out.append(boundary).append(" file ").append(path).append('\n').append(content).append('\n')
                        .append(boundary).append(" end ").append(path).append('\n');
            }
        });
        return new CommandResult(0, out.toString(), "");
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
        throw new UnsupportedOperationException("StorageReader reads files within its one command");
    }

    @Override
    public void close() {
    }
}
