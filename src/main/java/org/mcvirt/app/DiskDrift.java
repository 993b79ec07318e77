package org.mcvirt.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.VmMetadata;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.Availability;
import org.mcvirt.state.DiskHealth;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedDrbd;

/**
 * The replicated disks of a drift check. A disk drifts on a DiskHealth finding (StandAlone or split-brain,
 * disconnected, degraded, out of sync, a verify mark or a failed verify), when DRBD cannot be read on a node of its
 * pair, when it does not exist, or when its last verify is too old ({@link VerifyAge}). Pure.
 */
final class DiskDrift {
    private DiskDrift() {
    }

    /** One entry per replicated disk: those the manifest asks for and those mcvirt's marks show on the nodes. */
    static void disks(Drift.Inputs in, BiFunction<DriftReport.Kind, String, DriftFindings> object) {
        String cluster = in.desired().cluster().name();
        // what the nodes have: vm -> disk -> (its mark, the pair)
        Map<String, Map<String, VmMetadata.Disk>> marked = new TreeMap<>();
        Map<String, List<String>> pairs = new TreeMap<>();
        for (NodeObservation node : in.observed().nodes()) {
            for (ObservedDomain domain : node.domains()) {
                VmMetadata meta = domain.metadata();
                if (meta == null || !meta.cluster().equals(cluster)) {
                    continue;
                }
                meta.disks().stream().filter(VmMetadata.Disk::replicated).forEach(d -> marked
                        .computeIfAbsent(meta.name(), v -> new TreeMap<>()).put(d.name(), d));
                pairs.put(meta.name(), meta.pair().isEmpty() ? List.of(node.node()) : meta.pair());
            }
        }
        Map<String, List<String>> wanted = new TreeMap<>();
        for (VmSpec vm : in.desired().vms()) {
            vm.disks().stream().filter(VmSpec.DiskSpec::replicated).forEach(d -> wanted
                    .computeIfAbsent(vm.name(), v -> new ArrayList<>()).add(d.name()));
        }
        Map<String, List<DiskHealth.Finding>> health = new TreeMap<>();
        DiskHealth.of(in.observed(), cluster).forEach(f -> health.computeIfAbsent(f.vm() + "/" + f.disk(),
                k -> new ArrayList<>()).add(f));
        Optional<Duration> maxAge = in.desired().cluster().drbdIfEnabled()
                .map(DrbdSpec::verifyMaxAge);

        Set<String> all = new TreeSet<>();
        wanted.forEach((vm, disks) -> disks.forEach(d -> all.add(vm + "/" + d)));
        marked.forEach((vm, disks) -> disks.keySet().forEach(d -> all.add(vm + "/" + d)));
        for (String key : all) {
            String vm = key.substring(0, key.indexOf('/'));
            String diskName = key.substring(key.indexOf('/') + 1);
            DriftFindings findings = object.apply(DriftReport.Kind.DISK, key);
            boolean inManifest = wanted.getOrDefault(vm, List.of()).contains(diskName);
            VmMetadata.Disk mark = marked.getOrDefault(vm, Map.of()).get(diskName);
            Optional<VmSpec> spec = in.desired().vm(vm);
            List<String> pair = mark != null ? pairs.get(vm)
                    : spec.map(v -> v.pair().isEmpty() ? List.of(v.node()) : v.pair()).orElse(List.of());
            List<String> unreadPair = pair.stream().filter(n -> in.observed().node(n)
                    .map(o -> !o.reachable()).orElse(true)).toList();
            unreadPair.forEach(n -> findings.add("not-checked", "not checked on node " + n + ": it could not be read"));
            if (mark == null) {
                if (unreadPair.isEmpty()) {
                    findings.add("change", "does not exist on the nodes yet: apply creates it with vm " + vm);
                }
                continue;
            }
            if (!inManifest) {
                findings.add("change", "vm " + vm + (spec.isPresent() ? " has no replicated disk " + diskName
                        + " in the manifest" : " is not in the manifest") + ": the plan removes the disk");
            }
            for (String node : pair) {
                Optional<NodeObservation> seen = in.observed().node(node).filter(NodeObservation::reachable);
                if (seen.isPresent() && seen.get().drbd().availability() != Availability.PRESENT) {
                    ObservedDrbd drbd = seen.get().drbd();
                    findings.add("drbd-not-read", "DRBD on node " + node + " cannot be read ("
                            + drbd.availability().name().toLowerCase(Locale.ROOT).replace('_', '-')
                            + (drbd.errors().isEmpty() ? "" : ": " + String.join("; ", drbd.errors())) + ")");
                }
            }
            for (DiskHealth.Finding finding : health.getOrDefault(key, List.of())) {
                if (finding.expected()) {
                    findings.note(finding.text());
                } else {
                    findings.add("disk-health", finding.text());
                }
            }
            VerifyAge.assess(in, findings, vm, mark.resource(), pair, maxAge);
        }
    }

}
