package org.mcvirt.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.mcvirt.node.NodeException;
import org.mcvirt.node.StateDirectory;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;
import org.mcvirt.plan.Step;

/**
 * Writes a journal entry on the step's node (and on each node it also touches) before and after each step ({@code STATE/journal.jsonl}, one JSON
 * object a line), so any controller can see what an interrupted apply did. A step whose first entry cannot be
 * written does not run. With a {@link LockCheck} that first entry is written only while the command still holds the
 * cluster lock on the node, in the same round trip (one command a node before a step, one after; no program
 * started on the node beyond its shell).
 */
public final class JournalingStepRunner implements StepRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Opens (or reuses) the command transport of a node. */
    @FunctionalInterface
    public interface Transports {
        NodeTransport transport(String node) throws SshException;
    }

    /** The cluster lock a step's first journal line is written under. */
    public interface LockCheck {
        /** The lock file this command holds on the node, or null when it holds none there (nothing to check). */
        String lockFile(String node);

        /** The token this command's lock files hold. */
        String token();

        /** The lock file on the node no longer holds the token: recorded, and why, for the step's failure. */
        String lost(String node);
    }

    private static final LockCheck NO_LOCK = new LockCheck() {
        @Override
        public String lockFile(String node) {
            return null;
        }

        @Override
        public String token() {
            return "";
        }

        @Override
        public String lost(String node) {
            throw new IllegalStateException("no lock is checked");
        }
    };

    private final StepRunner inner;
    private final Transports transports;
    private final Map<String, String> stateDirectories;
    private final String applyId;
    private final LockCheck lock;

    public JournalingStepRunner(StepRunner inner, Transports transports, Map<String, String> stateDirectories,
                                String applyId) {
        this(inner, transports, stateDirectories, applyId, NO_LOCK);
    }

    public JournalingStepRunner(StepRunner inner, Transports transports, Map<String, String> stateDirectories,
                                String applyId, LockCheck lock) {
        this.inner = inner;
        this.transports = transports;
        this.stateDirectories = Map.copyOf(stateDirectories);
        this.applyId = applyId;
        this.lock = lock;
    }

    @Override
    public String run(Step step) throws NodeException {
        List<String> started = new ArrayList<>();
        try {
            append(step, "started", null, step.nodes(), started);
        } catch (NodeException e) {
            // a later node refused (its lock lost, or its journal): the nodes that took "started" are told it failed
            journalFailure(step, e, started);
            throw e;
        }
        String note;
        try {
            note = inner.run(step);
        } catch (NodeException e) {
            if (!e.unresponsive()) { // a node that stopped answering cannot take a journal line either
                journalFailure(step, e);
            }
            throw e;
        } catch (RuntimeException e) {
            journalFailure(step, e);
            throw e;
        }
        append(step, "done", note);
        TestKill.stepDone();
        return note;
    }

    private void journalFailure(Step step, Exception e) {
        journalFailure(step, e, step.nodes());
    }

    private void journalFailure(Step step, Exception e, List<String> nodes) {
        try {
            append(step, "failed", e.getMessage(), nodes, new ArrayList<>());
        } catch (NodeException journal) {
            e.addSuppressed(journal);
        }
    }

    private void append(Step step, String event, String message) throws NodeException {
        append(step, event, message, step.nodes(), new ArrayList<>());
    }

    /** The line on each of nodes in name order; written collects the nodes that took it. */
    private void append(Step step, String event, String message, List<String> nodes, List<String> written)
            throws NodeException {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("time", Instant.now().toString());
        entry.put("apply", applyId);
        entry.put("step", step.id());
        entry.put("kind", step.kind().name());
        entry.put("subject", step.subject());
        entry.put("event", event);
        if (message != null && !message.isEmpty()) {
            entry.put("message", message);
        }
        if (!step.peers().isEmpty()) {
            entry.put("node", step.node());
            entry.put("peers", step.peers());
        }
        boolean checked = event.equals("started");
        for (String node : nodes.stream().sorted().toList()) {
            writeStepLine(node, entry, checked ? lock.lockFile(node) : null);
            written.add(node);
        }
    }

    /** A step's line, under the lock when lockFile is given: a lost lock fails the step before it runs. */
    private void writeStepLine(String node, Map<String, Object> entry, String lockFile) throws NodeException {
        CommandResult result = runJournal(node, entry, json -> NodeScript.JOURNAL_STEP.command(
                new StateDirectory(stateDirectories.get(node)).journalFile(), json,
                lockFile == null ? "" : lockFile, lockFile == null ? "" : lock.token()));
        if (lockFile != null && result.exitStatus() == NodeScript.LOCK_GONE_STATUS) {
            throw new NodeException(node, "not run: " + lock.lost(node), null);
        }
        requireWritten(node, result);
    }

    /**
     * Writes the apply-level first line on every node the plan touches: the apply, its step count and the command,
     * so a later read can tell an apply that was killed between two steps from one that ended. Best effort: a node
     * that cannot take it fails at its first step anyway.
     */
    public void applyStarted(java.util.Collection<String> nodes, int steps, String command) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("steps", steps);
        fields.put("command", command);
        applyLine(nodes, "apply-started", fields);
    }

    /** Writes the apply-level last line on every node given (those still answering). Best effort. */
    public void applyFinished(java.util.Collection<String> nodes, String outcome) {
        applyLine(nodes, "apply-finished", Map.of("message", outcome));
    }

    /** A node that cannot take an apply-level line fails at its first step, or is reported stopped part-way. */
    private void applyLine(java.util.Collection<String> nodes, String event, Map<String, Object> fields) {
        for (String node : nodes) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("time", Instant.now().toString());
            entry.put("apply", applyId);
            entry.put("event", event);
            entry.putAll(fields);
            try {
                write(node, entry);
            } catch (NodeException e) {
                // best effort, see above
            }
        }
    }

    private void write(String node, Map<String, Object> entry) throws NodeException {
        String directory = stateDirectories.get(node);
        requireWritten(node, runJournal(node, entry, json -> NodeScript.JOURNAL_APPEND.command(directory, json,
                new StateDirectory(directory).journalFile())));
    }

    /** The journal command for the entry (as one JSON line) run on the node. */
    private CommandResult runJournal(String node, Map<String, Object> entry,
                                     Function<String, List<String>> command)
            throws NodeException {
        try {
            return transports.transport(node).run(command.apply(JSON.writeValueAsString(entry)));
        } catch (SshException e) {
            throw NodeException.transportFailure(node, "write the apply journal", e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireWritten(String node, CommandResult result) throws NodeException {
        if (!result.succeeded()) {
            throw new NodeException(node, "cannot write the apply journal: " + result.stderr().strip(), null);
        }
    }
}
