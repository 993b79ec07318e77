package org.mcvirt.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.node.DrbdNode;
import org.mcvirt.node.DrbdVerifyProgram;
import org.mcvirt.node.NodeException;
import org.mcvirt.node.StateDirectory;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.node.ssh.SshException;
import org.mcvirt.plan.DomainMarks;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;
import org.mcvirt.state.VerifyRecord;

/**
 * The imperative DRBD operations on the replicated disks of vms: online verify and resync. Both run under the
 * cluster lock, on the disks the vms' domains record (resource and minor from mcvirt's metadata), one disk at a time.
 * A mark that is not what mcvirt writes ({@link DomainMarks}) is refused before anything runs.
 */
public final class Replication {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Replication() {
    }

    /** A replicated disk of a vm as its domain records it: where the vm is defined, and its DRBD pair. */
    public record ReplicatedDisk(String vm, String disk, String resource, int minor, String vmNode, List<String> pair) {
        public String peerOf(String node) {
            return pair.stream().filter(n -> !n.equals(node)).findFirst().orElse(null);
        }
    }

    /** What verify found for one disk: the record kept on the pair, and the nodes it could not be written to. */
    public record VerifyOutcome(ReplicatedDisk disk, VerifyRecord record, List<String> notRecordedOn,
                                boolean markStands) {
        /** Whether the disk was found in sync. */
        public boolean clean() {
            return record.result() == VerifyRecord.Result.CLEAN;
        }

        /** Whether the verify could not tell (it failed, or was aborted). */
        public boolean failed() {
            return record.result() == VerifyRecord.Result.FAILED;
        }

        /** Whether blocks were found out of sync: the vm is marked. */
        public boolean marks() {
            return record.marks();
        }
    }

    /**
     * The replicated disks of the named vms (all managed vms of the cluster with one when vms is empty), from the
     * domains on the nodes. A named vm that is not defined on a readable node, or has no replicated disk, is an error.
     */
    static List<ReplicatedDisk> disks(DesiredState desired, ObservedState observed, List<String> vms)
            throws McvirtException {
        String cluster = desired.cluster().name();
        List<ReplicatedDisk> found = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (NodeObservation node : observed.nodes()) {
            for (ObservedDomain domain : node.domains()) {
                VmMetadata meta = domain.metadata();
                if (meta == null || !cluster.equals(meta.cluster()) || (!vms.isEmpty() && !vms.contains(meta.name()))) {
                    continue;
                }
                List<String> wrong = DomainMarks.problems(desired, domain.name(), meta);
                if (!wrong.isEmpty()) {
                    // its resource, minor and pair would reach drbdadm, the verify record's path and the nodes
                    throw new McvirtException(McvirtException.Category.REFUSED, DomainMarks.message(domain.name(),
                            node.node(), wrong).replace(" and nothing of the vm is planned", "") + "; nothing was run");
                }
                seen.add(meta.name());
                List<String> pair = meta.pair().isEmpty() ? List.of(node.node()) : meta.pair();
                for (VmMetadata.Disk disk : meta.disks()) {
                    if (disk.resource() != null && disk.minor() != null) {
                        found.add(new ReplicatedDisk(meta.name(), disk.name(), disk.resource(), disk.minor(), node.node(),
                                pair));
                    }
                }
            }
        }
        for (String vm : vms) {
            if (!seen.contains(vm)) {
                String unread = observed.nodes().stream().filter(n -> !n.reachable()).map(NodeObservation::node)
                        .reduce((a, b) -> a + ", " + b).map(n -> " (not read: " + n + ")").orElse("");
                throw new McvirtException(McvirtException.Category.NODE, "vm " + vm + " is not defined on any node of"
                        + " cluster " + cluster + unread);
            }
            if (found.stream().noneMatch(d -> d.vm().equals(vm))) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vm + " has no replicated disk;"
                        + " only DRBD-replicated disks can be verified or resynced");
            }
        }
        return found;
    }

    /**
     * Runs DRBD's online verify of one disk from the vm's node with the node's verify program (the one the scheduled
     * verify runs), waits for it with progress, and records the result on both nodes of the pair: the program records
     * it where it ran, and the record is copied to the peer. A verify that cannot run (no connection, a resync
     * running) is recorded as failed.
     */
    static VerifyOutcome verify(Cluster cluster, ReplicatedDisk disk, Duration limit, Consumer<String> progress) {
        String runOn = disk.pair().contains(disk.vmNode()) ? disk.vmNode() : disk.pair().get(0);
        String started = now();
        VerifyRecord record;
        boolean recordedThere = false;
        boolean[] markStands = {false};
        try {
            DrbdVerifyProgram program = program(cluster, runOn);
            String stateDirectory = cluster.spec(runOn).stateDirectory();
            DrbdVerifyProgram.Start start = program.start(stateDirectory, disk.resource(), disk.minor());
            DrbdVerifyProgram.Recorded recorded = start.recorded();
            if (start.running()) {
                progress.accept(disk.vm() + " disk " + disk.disk() + " (" + disk.resource() + "): "
                        + (start.startedNow() ? "online verify started on " : "waiting for the online verify already"
                        + " running on ") + runOn);
                try {
                    drbd(cluster, runOn).awaitVerify(disk.minor(), disk.resource(), limit,
                            line -> progress.accept(disk.vm() + " disk " + disk.disk() + ": " + line));
                } catch (NodeException e) {
                    progress.accept(disk.vm() + " disk " + disk.disk() + ": " + e.getMessage());
                }
                // ended (or the limit passed: then the program records that it did not end)
                recorded = program.finish(stateDirectory, disk.resource(), disk.minor(), 0);
            }
            record = JSON.readValue(recorded.json(), VerifyRecord.class);
            recordedThere = true;
            markStands[0] = recorded.kept();
        } catch (NodeException | IOException | IllegalArgumentException e) {
            record = new VerifyRecord(disk.resource(), started, now(), VerifyRecord.Result.FAILED, null, runOn,
                    e.getMessage());
        }
        List<String> notRecorded = keep(cluster, disk, record, recordedThere ? runOn : null, markStands);
        return new VerifyOutcome(disk, record, notRecorded, markStands[0]);
    }

    /**
     * Resyncs one disk from the source node: a full resync that overwrites the other node's copy, then waits for both
     * to be UpToDate, with progress. The other node is often Primary (the vm's node stays Primary while the vm is
     * stopped): it is made Secondary for the resync and Primary again after it, but only when the vm does not run
     * there. The verify record stays as it was: only a clean verify lifts a mark.
     */
    static void resync(Cluster cluster, ReplicatedDisk disk, String source, boolean vmRunning, Duration limit,
                       Consumer<String> progress) throws McvirtException {
        String target = disk.peerOf(source);
        String what = disk.vm() + " disk " + disk.disk() + " (" + disk.resource() + "): ";
        try {
            DrbdNode from = drbd(cluster, source);
            DrbdNode to = drbd(cluster, target);
            boolean demoted = false;
            Optional<DrbdNode.DeviceState> there = to.state(disk.minor());
            if (there.isPresent() && "Primary".equals(there.get().role())) {
                if (vmRunning && target.equals(disk.vmNode())) {
                    throw new McvirtException(McvirtException.Category.REFUSED, "vm " + disk.vm() + " runs on " + target
                            + ", on the copy the resync would overwrite; stop it first, or resync from " + target
                            + " if its copy is the good one. Nothing was changed");
                }
                to.demote(disk.minor(), disk.resource());
                demoted = true;
                progress.accept(what + target + " made Secondary for the resync");
            }
            from.startResyncToPeer(disk.minor(), disk.resource());
            progress.accept(what + "resync started, " + source + " -> " + target);
            from.awaitInSync(disk.minor(), disk.resource(), limit, line -> progress.accept(what + line));
            if (demoted) {
                to.promote(disk.minor(), disk.resource());
                progress.accept(what + target + " made Primary again");
            }
            progress.accept(what + "resync done, both copies UpToDate");
        } catch (NodeException e) {
            throw new McvirtException(McvirtException.Category.NODE, e.getMessage(), e);
        }
    }

    /**
     * Writes the record on the nodes of the pair but recordedOn (where the verify program wrote it); returns the nodes
     * where it could not be written. A failed verify does not replace an out-of-sync record (markStands is set): only a
     * clean verify lifts a mark.
     */
    private static List<String> keep(Cluster cluster, ReplicatedDisk disk, VerifyRecord record, String recordedOn,
                                     boolean[] markStands) {
        List<String> failed = new ArrayList<>();
        byte[] content;
        try {
            content = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        for (String node : disk.pair()) {
            if (node.equals(recordedOn)) {
                continue; // the verify program wrote it there
            }
            if (cluster.stalled(node) != null || cluster.spec(node) == null) {
                failed.add(node);
                continue;
            }
            String directory = cluster.spec(node).stateDirectory();
            try {
                var transport = cluster.transport(node);
                if (record.result() == VerifyRecord.Result.FAILED && marked(transport.readFile(
                        new StateDirectory(directory).verifyRecord(disk.resource())))) {
                    markStands[0] = true; // a verify that did not finish says nothing new: the earlier result stands
                    continue;
                }
                transport.runChecked(NodeScript.STATE_DIRECTORY.command(directory,
                        new StateDirectory(directory).verifyDirectory()));
                transport.writeFileAtomically(new StateDirectory(directory).verifyRecord(disk.resource()), content,
                        "0600");
            } catch (SshException e) {
                failed.add(node);
            }
        }
        return failed;
    }

    /** Whether a record file (as read from a node) is an out-of-sync result, the vm's verify mark. */
    private static boolean marked(Optional<byte[]> content) {
        if (content.isEmpty()) {
            return false;
        }
        try {
            return JSON.readValue(content.get(), VerifyRecord.class).marks();
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static DrbdVerifyProgram program(Cluster cluster, String node) throws NodeException {
        return new DrbdVerifyProgram(node, transport(cluster, node));
    }

    private static DrbdNode drbd(Cluster cluster, String node) throws NodeException {
        return new DrbdNode(node, transport(cluster, node));
    }

    /** The command transport of a node of the manifest that has not stopped answering in this run. */
    private static NodeTransport transport(Cluster cluster, String node) throws NodeException {
        if (cluster.stalled(node) != null) {
            throw new NodeException(node, cluster.stalled(node), null);
        }
        if (cluster.spec(node) == null) {
            throw new NodeException(node, "node " + node + " is not in the manifests", null);
        }
        try {
            return cluster.transport(node);
        } catch (SshException e) {
            throw new NodeException(node, "ssh: " + e.getMessage(), e);
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
