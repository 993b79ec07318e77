package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.VmSpec;

/**
 * Which steps of a plan are repairs of health and power state, the only ones {@code mcvirt reconcile} applies: a DRBD
 * resource brought up ({@link StepKind#DRBD_UP}), a vm's disk made primary on the node it runs on (not forced), a vm
 * started on that node when the manifest says running, and the other node of a vm's pair made secondary with two
 * primaries forbidden again (the end of a live migration that stopped part-way). An explicit allow-list: every other
 * kind (a define, an undefine, a migration, a failover record, an autostart flag, anything that creates or deletes) is
 * beyond repairs. Pure: the vm a step belongs to is its change's address ({@code vm.NAME...}; names have no '.'), and
 * where the vm runs is the effective placement the differs planned from ({@link Homes}).
 */
public final class Repairs {
    private Repairs() {
    }

    /** A plan split into its repairs and the steps beyond them, each list in plan order. */
    public record Verdict(List<Step> repairs, List<Step> beyond) {
        public Verdict {
            repairs = List.copyOf(repairs);
            beyond = List.copyOf(beyond);
        }

        /** Whether every step of the plan is a repair (true for a plan with no steps). */
        public boolean onlyRepairs() {
            return beyond.isEmpty();
        }

        /** The kinds of the steps beyond repairs, each once, in plan order. */
        public List<StepKind> beyondKinds() {
            return beyond.stream().map(Step::kind).distinct().toList();
        }
    }

    /** Splits plan, made from desired, into repairs and the rest. */
    public static Verdict of(DesiredState desired, Plan plan) {
        DesiredState effective = Homes.of(desired, Planner.Options.all()).effective();
        List<Step> repairs = new ArrayList<>();
        List<Step> beyond = new ArrayList<>();
        for (Step step : plan.steps()) {
            (isRepair(effective, step) ? repairs : beyond).add(step);
        }
        return new Verdict(repairs, beyond);
    }

    /** Whether one step is a repair; effective is the manifest with each vm on the node it runs on (Homes). */
    static boolean isRepair(DesiredState effective, Step step) {
        Optional<VmSpec> vm = vmOf(step).flatMap(effective::vm);
        boolean onItsNode = vm.filter(v -> v.node().equals(step.node())).isPresent();
        return switch (step.kind()) {
            case DRBD_UP -> true; // only a resource that is not up: drbdadm adjust from its file and metadata
            case DRBD_PROMOTE -> onItsNode && !step.payload(StepPayload.DrbdPromote.class).force();
            case START_DOMAIN -> onItsNode && vm.get().state() == VmSpec.PowerState.RUNNING;
            case DRBD_DEMOTE -> vm.isPresent() && !onItsNode
                    && step.payload(StepPayload.DrbdDemote.class).forbidTwoPrimaries();
            case CREATE_POOL, START_POOL, CREATE_VOLUME, CREATE_NETWORK, START_NETWORK, DELETE_NETWORK, DEFINE_DOMAIN,
                 SET_MEMORY_LIVE, ATTACH_DEVICE_LIVE, DETACH_DEVICE_LIVE, SET_AUTOSTART, SHUTDOWN_DOMAIN,
                 UNDEFINE_DOMAIN, DELETE_VOLUME, CREATE_LV, WRITE_DRBD_CONFIG, CREATE_DRBD_METADATA, DRBD_INITIAL_SYNC,
                 DELETE_DRBD, DELETE_LV, GROW_VOLUME, GROW_LV, GROW_DRBD, MIGRATE_LIVE, UNDEFINE_MIGRATED,
                 REGISTER_DOMAIN, DELETE_POOL, RECORD_FAILOVER, REJOIN_STALE_COPY, INSTALL_VERIFY_SCHEDULE,
                 REMOVE_VERIFY_SCHEDULE, CONFIGURE_PERMISSIONS, UPLOAD_IMAGE, CREATE_VOLUME_FROM_IMAGE, WRITE_SEED,
                 WRITE_IMAGE, DELETE_SEED -> false;
        };
    }

    /** The vm a step belongs to, from its change's address ({@code vm.NAME} or {@code vm.NAME.PART}). */
    private static Optional<String> vmOf(Step step) {
        String change = step.change();
        if (change == null || !change.startsWith("vm.")) {
            return Optional.empty();
        }
        String rest = change.substring(3);
        int dot = rest.indexOf('.');
        return Optional.of(dot < 0 ? rest : rest.substring(0, dot));
    }

    /** A repair in a few words, for reconcile's log: "bring up mcvirt_web_root on node1", "start web on node1". */
    public static String describe(Step step) {
        return switch (step.kind()) {
            case DRBD_UP -> "bring up " + step.payload(StepPayload.DrbdUp.class).resource() + " on " + step.node();
            case DRBD_PROMOTE -> "make " + step.payload(StepPayload.DrbdPromote.class).resource() + " primary on "
                    + step.node();
            case DRBD_DEMOTE -> "make " + step.payload(StepPayload.DrbdDemote.class).resource() + " secondary on "
                    + step.node() + " (two primaries)";
            case START_DOMAIN -> "start " + step.payload(StepPayload.StartDomain.class).name() + " on " + step.node();
            case CREATE_POOL, START_POOL, CREATE_VOLUME, CREATE_NETWORK, START_NETWORK, DELETE_NETWORK, DEFINE_DOMAIN,
                 SET_MEMORY_LIVE, ATTACH_DEVICE_LIVE, DETACH_DEVICE_LIVE, SET_AUTOSTART, SHUTDOWN_DOMAIN,
                 UNDEFINE_DOMAIN, DELETE_VOLUME, CREATE_LV, WRITE_DRBD_CONFIG, CREATE_DRBD_METADATA, DRBD_INITIAL_SYNC,
                 DELETE_DRBD, DELETE_LV, GROW_VOLUME, GROW_LV, GROW_DRBD, MIGRATE_LIVE, UNDEFINE_MIGRATED,
                 REGISTER_DOMAIN, DELETE_POOL, RECORD_FAILOVER, REJOIN_STALE_COPY, INSTALL_VERIFY_SCHEDULE,
                 REMOVE_VERIFY_SCHEDULE, CONFIGURE_PERMISSIONS, UPLOAD_IMAGE, CREATE_VOLUME_FROM_IMAGE, WRITE_SEED,
                 WRITE_IMAGE, DELETE_SEED -> step.description();
        };
    }
}
