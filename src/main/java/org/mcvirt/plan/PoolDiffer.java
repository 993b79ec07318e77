package org.mcvirt.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Names;
import org.mcvirt.model.StorageSpec;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.state.ObservedPool;
import org.mcvirt.state.ObservedState;

/**
 * Storage pools: each {@code file} storage of a node is a libvirt directory pool {@code mcvirt.CLUSTER.NAME}, created
 * when missing and started when stopped. A pool is never changed in place, and a directory that is already another
 * pool is a problem. {@code lvm} storage is not a libvirt pool: its LVs are the {@link ReplicatedDiskDiffer}'s.
 *
 * <p>A pool of this cluster that the node's storage no longer names (a storage removed from the manifest) is removed
 * when it holds no volumes: stopped and undefined, its directory kept ({@link StepKind#DELETE_POOL}, destructive, so
 * it needs {@code --allow-destroy}). A stopped one is undefined as it is (its volumes cannot be listed, and undefining
 * touches no file). One that still holds volumes is kept with a warning naming them (not a problem: the same plan may
 * be deleting the vms whose disks they are, and the next plan then removes the pool); so is one that cannot be read.
 * Another cluster's pools and pools that are not mcvirt's are never touched.
 */
final class PoolDiffer implements ResourceDiffer {
    private final Renderer renderer;

    PoolDiffer(Renderer renderer) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    @Override
    public Diff diff(DesiredState desired, ObservedState observed, Planner.Options options) {
        if (!options.includesInfrastructure()) {
            return Diff.EMPTY;
        }
        Diff.Builder diff = new Diff.Builder();
        for (ReadNode node : ResourceDiffer.readNodes(desired, observed)) {
            for (StorageSpec storage : node.spec().storage()) {
                if (storage.type() == StorageSpec.StorageType.FILE) {
                    pool(desired, node, storage, diff);
                }
            }
            removed(desired, node, diff);
        }
        return diff.build();
    }

    /** This cluster's pools on the node that the node's storage no longer names. */
    private static void removed(DesiredState desired, ReadNode node, Diff.Builder diff) {
        for (ObservedPool pool : node.observation().pools()) {
            String storage = Names.manifestName(desired.cluster().name(), pool.name()).orElse(null);
            if (storage == null || node.spec().storage().stream().anyMatch(s -> s.type()
                    == StorageSpec.StorageType.FILE && s.name().equals(storage))) {
                continue;
            }
            if (pool.error() != null) {
                diff.problem(PlanFinding.Code.POOL_KEPT, PlanFinding.Subject.storage(storage, node.name()),
                        "storage pool " + pool.name() + " on node " + node.name() + " is not in the manifest but"
                        + " cannot be read (" + pool.error() + "): it is kept");
                continue;
            }
            if (!pool.volumes().isEmpty()) {
                diff.problem(PlanFinding.Code.POOL_KEPT, PlanFinding.Subject.storage(storage, node.name()),
                        "storage pool " + pool.name() + " on node " + node.name() + " is not in the manifest but"
                        + " holds " + (pool.volumes().size() == 1 ? "volume " : "volumes ") + String.join(", ",
                        pool.volumes().stream()
                        .map(ObservedPool.ObservedVolume::name).toList()) + ": it is kept; once they are gone, a plan"
                        + " removes it");
                continue;
            }
            String address = "storage." + storage + "@" + node.name();
            diff.change(new ResourceChange(address, ChangeKind.STORAGE, storage, node.name(), Action.DELETE,
                    List.of(new AttributeChange("path", pool.path(), null, Effect.LIVE)), pool.active()
                    ? "storage pool is not in the manifest and holds no volumes; its directory is kept"
                    : "storage pool is not in the manifest and is stopped; its directory is kept as it is"));
            diff.step(node.name(), Subjects.pool(node.name(), pool.name()), List.of(), address,
                    "remove storage pool " + pool.name() + " (its directory " + pool.path() + " is kept)",
                    new StepPayload.DeletePool(pool.name()));
        }
    }

    private void pool(DesiredState desired, ReadNode node, StorageSpec storage, Diff.Builder diff) {
        String name = Names.poolName(desired.cluster().name(), storage.name());
        String address = "storage." + storage.name() + "@" + node.name();
        String subject = Subjects.pool(node.name(), name);
        Optional<ObservedPool> pool = node.observation().pool(name);
        Optional<ObservedPool> sharing = node.observation().pools().stream()
                .filter(p -> storage.path().equals(p.path()) && !p.name().equals(name))
                .findFirst();
        if (pool.isEmpty() && sharing.isPresent()) {
            diff.problem(PlanFinding.Code.STORAGE_PATH_TAKEN, PlanFinding.Subject.storage(storage.name(), node.name()),
                    "storage " + storage.name() + " on node " + node.name() + ": path " + storage.path()
                    + " is already the storage pool " + sharing.get().name() + ", which is not this cluster's;"
                    + " libvirt allows one pool per directory (use another path)");
            return;
        }
        if (pool.isEmpty()) {
            diff.change(new ResourceChange(address, ChangeKind.STORAGE, storage.name(), node.name(), Action.CREATE,
                    List.of(new AttributeChange("path", null, storage.path(), Effect.LIVE)),
                    "storage pool " + name + " does not exist"));
            diff.step(node.name(), subject, List.of(), address,
                    "create storage pool " + name + " at " + storage.path(),
                    new StepPayload.CreatePool(name, renderer.pool(Views.pool(desired.cluster(), storage))));
            return;
        }
        if (pool.get().error() != null) {
            diff.problem(PlanFinding.Code.POOL_MISMATCH, PlanFinding.Subject.storage(storage.name(), node.name()),
                    "storage pool " + name + " on node " + node.name() + " cannot be read: " + pool.get().error());
            return;
        }
        if (!Objects.equals(pool.get().path(), storage.path()) || !"dir".equals(pool.get().type())) {
            diff.problem(PlanFinding.Code.POOL_MISMATCH, PlanFinding.Subject.storage(storage.name(), node.name()),
                    "storage pool " + name + " on node " + node.name() + " is a "
                    + pool.get().type() + " pool at " + pool.get().path() + " but the manifest says a file pool at "
                    + storage.path() + "; pools are never changed in place (move the data, then remove the pool)");
            return;
        }
        if (!pool.get().active()) {
            diff.change(new ResourceChange(address, ChangeKind.STORAGE, storage.name(), node.name(), Action.UPDATE,
                    List.of(new AttributeChange("active", "false", "true", Effect.LIVE)), "storage pool is stopped"));
            diff.step(node.name(), subject, List.of(), address,
                    "start storage pool " + name, new StepPayload.StartPool(name));
        }
    }
}
