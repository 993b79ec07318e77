package org.mcvirt.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.NodeSpec;
import org.mcvirt.model.Sizes;
import org.mcvirt.model.VmSpec;
import org.mcvirt.plan.Action;
import org.mcvirt.plan.AttributeChange;
import org.mcvirt.plan.ChangeKind;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.ResourceChange;
import org.mcvirt.plan.StepKind;
import org.mcvirt.plan.StepPayload;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;

/**
 * What {@code mcvirt import} makes of the domains on the nodes: for each one a manifest vm that plans as no change, and
 * a note for everything of the domain the manifest cannot say (mcvirt then leaves that part as it is, or the note says
 * what a plan would do with it). Pure: it works on the observed state, so it is tested without a node.
 *
 * <p>This class selects the domains and refuses those that cannot be a manifest vm at all; {@link DomainImport} maps
 * one domain, {@link DiskImport} its disks. {@link #beyondAdoption} is what {@code --adopt} checks in its plan.
 */
public final class Importer {
    private static final long MINIMUM_MEMORY = 16L << 20;

    private Importer() {
    }

    /** A vm import writes: the manifest's vm, the node it was found on, and what the manifest leaves out. */
    public record ImportedVm(VmSpec vm, boolean managed, List<String> notes) {
        public ImportedVm {
            notes = List.copyOf(notes);
        }
    }

    /**
     * What import does with the domains: the vms to write, the vms already in the manifests whose domain is unmanaged
     * (adopted as the manifests describe them), and one line for each domain left out, with why.
     */
    public record Selection(List<ImportedVm> vms, List<String> inManifests, List<String> skipped) {
        public Selection {
            vms = List.copyOf(vms);
            inManifests = List.copyOf(inManifests);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * The domains to import: those named, or every domain on the manifests' nodes that is unmanaged or this cluster's
     * and not in the manifests. A named domain found on no node that was read is refused before anything is written.
     */
    public static Selection select(DesiredState desired, ObservedState observed, List<String> names) throws McvirtException {
        String cluster = desired.cluster().name();
        Map<String, List<NodeObservation>> where = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        for (NodeSpec spec : desired.nodes()) {
            Optional<NodeObservation> node = observed.node(spec.name());
            if (node.isEmpty() || !node.get().reachable()) {
                skipped.add("node " + spec.name() + " could not be read, so none of its domains is imported"
                        + node.map(n -> " (" + n.error() + ")").orElse(""));
                continue;
            }
            for (ObservedDomain domain : node.get().domains()) {
                where.computeIfAbsent(domain.name(), n -> new ArrayList<>()).add(node.get());
            }
        }
        List<String> missing = names.stream().filter(n -> !where.containsKey(n)).distinct().toList();
        if (!missing.isEmpty()) {
            throw new McvirtException(McvirtException.Category.REFUSED, "no domain named " + String.join(", ", missing)
                    + " on the nodes that were read; nothing was written");
        }
        List<ImportedVm> vms = new ArrayList<>();
        List<String> inManifests = new ArrayList<>();
        for (String name : names.isEmpty() ? List.copyOf(where.keySet()) : names.stream().distinct().sorted().toList()) {
            List<NodeObservation> nodes = where.get(name);
            if (nodes.size() > 1) {
                skipped.add(name + ": defined on nodes " + String.join(", ", nodes.stream().map(NodeObservation::node)
                        .toList()) + "; a vm has one definition: undefine the stale one first");
                continue;
            }
            NodeObservation node = nodes.get(0);
            ObservedDomain domain = node.domain(name).orElseThrow();
            if (domain.managed() && !domain.metadata().cluster().equals(cluster)) {
                skipped.add(name + ": managed by mcvirt cluster " + domain.metadata().cluster() + ", not " + cluster);
                continue;
            }
            if (desired.vm(name).isPresent()) {
                if (domain.managed()) {
                    skipped.add(name + ": already in the manifests and managed by mcvirt; nothing to import");
                } else {
                    skipped.add(name + ": already in the manifests, so no file is written for it; --adopt adopts it"
                            + " as the manifests describe it");
                    inManifests.add(name);
                }
                continue;
            }
            String refused = refusal(domain);
            if (refused != null) {
                skipped.add(name + ": " + refused);
                continue;
            }
            vms.add(DomainImport.describe(desired, desired.node(node.node()).orElseThrow(), node, observed, domain));
        }
        return new Selection(vms, inManifests, skipped);
    }

    /** Why a domain cannot be a manifest vm at all, or null. */
    private static String refusal(ObservedDomain domain) {
        if (!Names.validName(domain.name())) {
            return "its name is not a manifest name (1-63 lowercase letters, digits and '-'; mcvirt names the domain"
                    + " after the vm); rename it first (virsh domrename)";
        }
        if (!domain.persistent()) {
            return "it is transient (running without a definition); mcvirt manages defined domains (virsh define it"
                    + " first)";
        }
        if (domain.memoryKib() * 1024 < MINIMUM_MEMORY) {
            return "its memory (" + Sizes.formatKib(domain.memoryKib()) + ") is below the manifest's"
                    + " minimum of 16MiB";
        }
        if (domain.vcpus() < 1 || domain.vcpus() > 256) {
            return "its " + domain.vcpus() + " vcpus are outside the manifest's 1-256";
        }
        return null;
    }


    /**
     * What a plan made to adopt vms shows besides adopting them: every change other than a vm's {@code managed}
     * attribute, and every problem. Empty when adopting changes nothing else.
     */
    public static List<String> beyondAdoption(Plan plan) {
        List<String> findings = new ArrayList<>(plan.problemMessages());
        for (ResourceChange change : plan.changes()) {
            List<AttributeChange> other = change.attributes().stream().filter(a -> change.kind() != ChangeKind.VM
                    || !"managed".equals(a.name())).toList();
            if (change.kind() != ChangeKind.VM || change.action() != Action.UPDATE) {
                findings.add(change.address() + ": " + change.action().verb() + (change.reason() == null ? ""
                        : " (" + change.reason() + ")"));
                continue;
            }
            for (AttributeChange attribute : other) {
                findings.add(change.address() + ": " + attribute.name() + " = " + attribute.before() + " -> "
                        + attribute.after());
            }
        }
        plan.steps().stream().filter(step -> step.kind() != StepKind.DEFINE_DOMAIN
                || !step.payload(StepPayload.DefineDomain.class).adoptionOnly()).forEach(step -> findings.add("step "
                + step.kind() + " on " + step.node() + ": " + step.description()));
        return findings.stream().distinct().toList();
    }
}
