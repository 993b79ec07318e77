package org.mcvirt.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeTransport;

/**
 * Answers commands in order, recording them: each answer is matched to the next command run. A tool run through a
 * node script ({@code sh -c TEXT NAME ARGS}) is recorded as its arguments; files written are recorded by path.
 */
final class ScriptedTransport implements NodeTransport {
    final Deque<CommandResult> answers = new ArrayDeque<>();
    final List<String> commands = new ArrayList<>();
    final List<String> written = new ArrayList<>();

    ScriptedTransport answer(int status, String out, String err) {
        answers.add(new CommandResult(status, out, err));
        return this;
    }

    @Override
    public String nodeName() {
        return "node2";
    }

    @Override
    public CommandResult run(List<String> command) {
        List<String> argv = command.size() > 4 && command.get(0).equals("sh") ? command.subList(4, command.size())
                : command;
        commands.add(String.join(" ", argv));
        return answers.isEmpty() ? new CommandResult(0, "", "") : answers.poll();
    }

    @Override
    public String endpoint() {
        return "test";
    }

    @Override
    public void writeFileAtomically(String path, byte[] content, String mode) {
        written.add(path + " " + mode);
    }

    @Override
    public Optional<byte[]> readFile(String path) {
        return Optional.empty();
    }

    @Override
    public void close() {
    }
}
