package org.mcvirt.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.mcvirt.model.Names;
import org.mcvirt.model.VmMetadata;

/**
 * The health of the replicated disks of a cluster's vms, from what was read: one finding per condition that needs an
 * operator (a disconnected, StandAlone or degraded resource, blocks out of sync, a verify that found differences or
 * failed) with the command that fixes it. Pure: plan shows the findings, list and info mark the vms, and a verify
 * mark keeps a vm from being started.
 */
public final class DiskHealth {
    private DiskHealth() {
    }

    /** What is wrong. Only SYNCING is expected (it ends by itself); VERIFY_MARK keeps the vm from starting. */
    public enum Kind {
        NOT_UP, STANDALONE, DISCONNECTED, DEGRADED, SYNCING, OUT_OF_SYNC, VERIFY_MARK, VERIFY_FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** One condition of one disk, seen on node (null when it is the pair's, like a verify result). */
    public record Finding(String vm, String disk, String resource, String node, Kind kind, String detail, String fix) {
        /** One line for plan, info and drift: what, where, and the fix. */
        public String text() {
            return "vm " + vm + " " + aboutDisk();
        }

        /** The same line without the vm: for a message that already names it. */
        public String aboutDisk() {
            return "disk " + disk + " (" + resource + ")" + (node == null ? "" : " on " + node) + ": " + detail
                    + (fix == null ? "" : "; fix: " + fix);
        }

        public boolean expected() {
            return kind == Kind.SYNCING;
        }
    }

    /** Every finding for the managed vms of the cluster, sorted by vm, disk, node and kind. */
    public static List<Finding> of(ObservedState observed, String cluster) {
        List<Finding> findings = new ArrayList<>();
        for (NodeObservation home : observed.nodes()) {
            for (ObservedDomain domain : home.domains()) {
                VmMetadata meta = domain.metadata();
                if (meta == null || !meta.cluster().equals(cluster)) {
                    continue;
                }
                for (VmMetadata.Disk disk : meta.disks()) {
                    // a resource that is not the name mcvirt derives was not written by mcvirt: its fixes would name
                    // it (the plan reports the mark, plan.DomainMarks)
                    if (disk.resource() != null && meta.name().equals(domain.name())
                            && disk.resource().equals(Names.drbdResource(meta.name(), disk.name()))) {
                        findings.addAll(disk(observed, meta.name(), home.node(),
                                meta.pair().isEmpty() ? List.of(home.node()) : meta.pair(), disk));
                    }
                }
            }
        }
        findings.sort(Comparator.comparing(Finding::vm).thenComparing(Finding::disk)
                .thenComparing(f -> f.node() == null ? "" : f.node()).thenComparing(Finding::kind));
        return findings;
    }

    /**
     * The findings of the replicated disks of a vm that is defined on no node (so no mark names them): each disk's
     * resource, on the pair, as the manifest gives them. For register, which checks them as a migration does.
     */
    public static List<Finding> ofDisks(ObservedState observed, String vm, String vmNode, List<String> pair,
                                        List<VmMetadata.Disk> disks) {
        List<Finding> findings = new ArrayList<>();
        for (VmMetadata.Disk disk : disks) {
            if (disk.resource() != null) {
                findings.addAll(disk(observed, vm, vmNode, pair.isEmpty() ? List.of(vmNode) : pair, disk));
            }
        }
        return findings;
    }

    /** The findings of one vm. */
    public static List<Finding> of(ObservedState observed, String cluster, String vm) {
        return of(observed, cluster).stream().filter(f -> f.vm().equals(vm)).toList();
    }

    /** The verify mark of a vm (the latest verify of one of its disks found blocks out of sync), if any. */
    public static Optional<Finding> mark(ObservedState observed, String cluster, String vm) {
        return Optional.ofNullable(marks(observed, cluster).get(vm));
    }

    /** The first verify mark of each marked vm, by vm: computed once for a whole plan. */
    public static java.util.Map<String, Finding> marks(ObservedState observed, String cluster) {
        java.util.Map<String, Finding> marks = new java.util.HashMap<>();
        of(observed, cluster).stream().filter(f -> f.kind() == Kind.VERIFY_MARK).forEach(f -> marks.putIfAbsent(f.vm(), f));
        return marks;
    }

    /** Every finding of the cluster, grouped by vm: computed once for a list of many vms. */
    public static java.util.Map<String, List<Finding>> byVm(ObservedState observed, String cluster) {
        java.util.Map<String, List<Finding>> grouped = new java.util.HashMap<>();
        of(observed, cluster).forEach(f -> grouped.computeIfAbsent(f.vm(), v -> new ArrayList<>()).add(f));
        return grouped;
    }

    private static List<Finding> disk(ObservedState observed, String vm, String vmNode, List<String> pair,
                                      VmMetadata.Disk disk) {
        List<Finding> findings = new ArrayList<>();
        String res = disk.resource();
        // the latest record on either node of the pair, and the latest that concluded: a verify that failed later (on
        // either node: the scheduled verify records only where it ran) does not lift the mark of an out-of-sync one
        VerifyRecord latest = null;
        VerifyRecord conclusive = null;
        for (String node : pair) {
            Optional<NodeObservation> seen = observed.node(node).filter(NodeObservation::reachable);
            if (seen.isEmpty()) {
                continue; // an unread node is reported by the plan itself
            }
            ObservedDrbd drbd = seen.get().drbd();
            // the records come from the state directory: they count even when DRBD itself could not be read
            Optional<VerifyRecord> record = drbd.verification(res);
            if (record.isPresent() && newer(record.get(), latest)) {
                latest = record.get();
            }
            if (record.isPresent() && record.get().result() != VerifyRecord.Result.FAILED
                    && newer(record.get(), conclusive)) {
                conclusive = record.get();
            }
            if (drbd.availability() != Availability.PRESENT) {
                continue;
            }
            String peer = pair.stream().filter(n -> !n.equals(node)).findFirst().orElse("the peer");
            List<ObservedDrbd.Resource> volumes = drbd.resource(res);
            if (volumes.isEmpty()) {
                findings.add(new Finding(vm, disk.name(), res, node, Kind.NOT_UP, "the DRBD resource is not up",
                        "'drbdadm adjust " + res + "' on " + node));
                continue;
            }
            ObservedDrbd.Resource r = volumes.get(0);
            String cs = String.valueOf(r.connectionState());
            String states = cs + ", " + r.role() + "/" + r.peerRole() + ", " + r.diskState() + "/" + r.peerDiskState();
            if (cs.equals("StandAlone")) {
                findings.add(new Finding(vm, disk.name(), res, node, Kind.STANDALONE, "StandAlone (" + states + "): it"
                        + " will not reconnect by itself; split-brain, or disconnected by hand",
                        "after a split-brain keep " + vmNode + "'s data (the vm's node): on " + otherThan(pair, vmNode)
                                + " 'drbdadm disconnect " + res + "; drbdadm secondary " + res + "; drbdadm connect"
                                + " --discard-my-data " + res + "' (DESTROYS " + otherThan(pair, vmNode) + "'s changes"
                                + " since the split), then 'drbdadm connect " + res + "' on " + vmNode
                                + "; if it was disconnected by hand, 'drbdadm connect " + res + "' on " + node));
            } else if (cs.startsWith("Sync") || cs.startsWith("PausedSync") || cs.equals("StartingSyncS")
                    || cs.equals("StartingSyncT") || cs.startsWith("WFBitMap") || cs.equals("WFSyncUUID")) {
                String done = r.sync() == null ? "" : " " + r.sync().percentDone() + "% done";
                findings.add(new Finding(vm, disk.name(), res, node, Kind.SYNCING, "resync running (" + states + ")"
                        + done, null));
            } else if (!cs.equals("Connected") && !cs.startsWith("Verify")) {
                findings.add(new Finding(vm, disk.name(), res, node, Kind.DISCONNECTED, "not connected to " + peer
                        + " (" + states + "): writes are not replicated",
                        "check that " + peer + " is up and reaches " + node + " on its DRBD address; then 'drbdadm"
                                + " adjust " + res + "' on " + peer));
            } else if (!"UpToDate".equals(r.diskState()) || !"UpToDate".equals(r.peerDiskState())) {
                findings.add(new Finding(vm, disk.name(), res, node, Kind.DEGRADED, "degraded (" + states + ")",
                        "Diskless".equals(r.diskState()) ? "'drbdadm attach " + res + "' on " + node
                                : "'drbdadm adjust " + res + "' on " + node + " and on " + peer));
            } else if (r.outOfSyncKiB() > 0 && node.equals(pair.get(0))) {
                findings.add(new Finding(vm, disk.name(), res, null, Kind.OUT_OF_SYNC, r.outOfSyncKiB()
                        + " KiB out of sync between " + String.join(" and ", pair),
                        "'mcvirt resync " + vm + " --source-node NODE' with the node whose data is good (" + vmNode
                                + " runs the vm), then 'mcvirt verify " + vm + "'"));
            }
        }
        if (conclusive != null && conclusive.marks()) {
            findings.add(new Finding(vm, disk.name(), res, null, Kind.VERIFY_MARK, "the verify of "
                    + conclusive.startedAt() + " found " + conclusive.outOfSyncKiB() + " KiB out of sync; the vm is not"
                    + " started until a resync and a clean verify", "'mcvirt resync " + vm + " --source-node NODE' with the node whose data is"
                    + " good, then 'mcvirt verify " + vm + "'"));
        } else if (latest != null && latest.result() == VerifyRecord.Result.FAILED) {
            findings.add(new Finding(vm, disk.name(), res, null, Kind.VERIFY_FAILED, "the verify of "
                    + latest.startedAt() + " failed" + (latest.detail() == null ? "" : ": " + latest.detail()),
                    "'mcvirt verify " + vm + "' once both nodes are connected"));
        }
        return findings;
    }

    private static boolean newer(VerifyRecord record, VerifyRecord than) {
        return than == null || String.valueOf(record.startedAt()).compareTo(String.valueOf(than.startedAt())) > 0;
    }

    private static String otherThan(List<String> pair, String node) {
        return pair.stream().filter(n -> !n.equals(node)).findFirst().orElse(node);
    }
}
