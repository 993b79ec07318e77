package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mcvirt.render.Xml;
import org.mcvirt.state.ObservedDomain;
import org.mcvirt.state.ObservedState;
import org.w3c.dom.Element;

/**
 * What a plan destroys, decided on what its steps do in the cluster as read, not on how they are labelled: apply
 * needs --allow-destroy for any of it. A change that loses data or removes a resource; a step of a destroying kind;
 * a definition that drops a disk the domain has now (the disk is no longer the vm's, whatever happens to its volume);
 * an initial sync that overwrites a peer whose DRBD metadata the plan does not create (so the peer holds data).
 */
public final class StepEffects {
    private StepEffects() {
    }

    /** What the plan destroys, one line each, in plan order; empty when it destroys nothing. */
    public static List<String> destroys(Plan plan, ObservedState observed) {
        List<String> destroys = new ArrayList<>();
        for (ResourceChange change : plan.changes()) {
            if (change.destroysData()) {
                destroys.add(change.address() + ": " + change.action().name().toLowerCase()
                        + (change.attributes().stream().anyMatch(a -> a.effect() == Effect.DATA_LOSS)
                        ? " (destroys data)" : ""));
            }
        }
        for (Step step : plan.steps()) {
            effect(step, plan, observed).ifPresent(what -> destroys.add("step " + step.id() + " (" + step.kind()
                    + " on " + step.node() + "): " + what));
        }
        return destroys;
    }

    private static Optional<String> effect(Step step, Plan plan, ObservedState observed) {
        if (step.kind().destructive()) {
            return Optional.of(step.description());
        }
        return switch (step.kind()) {
            case DEFINE_DOMAIN -> droppedDisks(step, observed);
            case DRBD_INITIAL_SYNC -> overwrittenPeer(step, plan);
            case WRITE_IMAGE -> overwrittenDisk(step, observed);
            default -> Optional.empty();
        };
    }

    /**
     * An image written onto a replicated disk whose backing LV was there before this plan (an apply that stopped after
     * creating it, or a disk whose vm lost its definition): what it holds is overwritten.
     */
    private static Optional<String> overwrittenDisk(Step step, ObservedState observed) {
        StepPayload.WriteImage write = step.payload(StepPayload.WriteImage.class);
        boolean existed = observed.node(step.node()).map(n -> n.lvm().logicalVolumes().stream()
                .anyMatch(l -> l.name().equals(write.resource()))).orElse(true);
        return existed ? Optional.of("image written over the data already on " + write.resource() + " ("
                + write.device() + ")") : Optional.empty();
    }

    /** A (re)definition that leaves out a disk the domain on that node has now. */
    private static Optional<String> droppedDisks(Step step, ObservedState observed) {
        StepPayload.DefineDomain define = step.payload(StepPayload.DefineDomain.class);
        Optional<String> now = observed.node(step.node()).flatMap(n -> n.domains().stream()
                .filter(d -> d.name().equals(define.name())).findFirst()).map(ObservedDomain::definition);
        if (now.isEmpty() || now.get().isBlank()) {
            return Optional.empty();
        }
        Set<String> dropped = disks(now.get());
        dropped.removeAll(disks(define.xml()));
        return dropped.isEmpty() ? Optional.empty() : Optional.of("domain " + define.name() + " no longer has its"
                + " disk " + String.join(", ", dropped));
    }

    /** The sources of a definition's disks (not its CD-ROMs): files, block devices, volumes, network disks. */
    static Set<String> disks(String xml) {
        Set<String> sources = new LinkedHashSet<>();
        Element devices;
        try {
            devices = Xml.child(Xml.parse(xml).getDocumentElement(), "devices").orElse(null);
        } catch (IllegalArgumentException e) {
            return sources; // a definition that does not parse is refused where it is defined
        }
        if (devices == null) {
            return sources;
        }
        for (Element disk : Xml.children(devices, "disk")) {
            String device = disk.getAttribute("device");
            if (!device.isEmpty() && !device.equals("disk") && !device.equals("lun")) {
                continue;
            }
            Xml.child(disk, "source").ifPresent(source -> {
                for (String attribute : List.of("file", "dev", "name")) {
                    if (!source.getAttribute(attribute).isEmpty()) {
                        sources.add(source.getAttribute(attribute));
                    }
                }
                if (!source.getAttribute("volume").isEmpty()) {
                    sources.add(source.getAttribute("pool") + "/" + source.getAttribute("volume"));
                }
            });
        }
        return sources;
    }

    /** An initial sync (the peer's copy overwritten) whose peer side is not created new by the same plan. */
    private static Optional<String> overwrittenPeer(Step step, Plan plan) {
        String resource = step.payload(StepPayload.DrbdInitialSync.class).resource();
        boolean peerNew = plan.steps().stream().anyMatch(s -> s.kind() == StepKind.CREATE_DRBD_METADATA
                && !s.node().equals(step.node())
                && s.payload(StepPayload.CreateDrbdMetadata.class).resource().equals(resource));
        return peerNew ? Optional.empty() : Optional.of("overwrites the peer's copy of " + resource
                + ", whose metadata this plan does not create");
    }
}
