package org.mcvirt.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Digests;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.node.StateDirectory;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.render.Renderer;
import org.mcvirt.render.Views;
import org.mcvirt.state.Availability;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedState;

/**
 * The scheduled DRBD verify ({@code cluster.drbd.verifySchedule}): on every node with DRBD, mcvirt's verify program
 * (node-scripts/drbd-verify.sh, the one {@code mcvirt verify} runs) copied to the state directory, and a systemd
 * service and timer ({@code mcvirt-verify-CLUSTER}) that run it on the schedule. Installed when missing, rewritten
 * when a file differs (a hand edit is drift) or the timer is not enabled and active, removed from every node when the
 * manifest has no schedule.
 */
final class VerifyScheduleDiffer implements ResourceDiffer {
    /** How long one resource's verify may run in a scheduled run, and the whole run. */
    static final long WAIT_SECONDS = 24 * 3600;
    static final long TIMEOUT_SECONDS = 7 * 24 * 3600;
    static final String UNIT_DIRECTORY = "/etc/systemd/system/";
    /** What a path in ExecStart may hold without quoting. */
    private static final Pattern PLAIN_PATH = Pattern.compile("/[A-Za-z0-9/._+-]*");

    private final Renderer renderer;

    VerifyScheduleDiffer(Renderer renderer) {
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    @Override
    public Diff diff(DesiredState desired, ObservedState observed, Planner.Options options) {
        if (!options.includesInfrastructure()) {
            return Diff.EMPTY;
        }
        DrbdSpec drbd = desired.cluster().drbd();
        String schedule = drbd == null || !drbd.enabled() ? null : drbd.verifySchedule();
        String cluster = desired.cluster().name();
        String unit = Views.verifyUnit(cluster);
        Diff.Builder diff = new Diff.Builder();
        for (ReadNode node : ResourceDiffer.readNodes(desired, observed)) {
            ObservedDrbd seen = node.observation().drbd();
            String program = new StateDirectory(node.spec().stateDirectory()).verifyProgram();
            String service = UNIT_DIRECTORY + unit + ".service";
            String timer = UNIT_DIRECTORY + unit + ".timer";
            Optional<ObservedDrbd.VerifySchedule> there = Optional.ofNullable(seen.verifySchedule());
            boolean installed = there.map(s -> s.file(service).isPresent() || s.file(timer).isPresent()).orElse(false);
            String address = "node." + node.name() + ".verify-schedule";
            String subject = Subjects.verifySchedule(node.name());
            if (schedule == null || seen.availability() == Availability.ABSENT) {
                if (installed) {
                    // an update, not a destroy: the units and the program go, no data does (no --allow-destroy)
                    diff.change(new ResourceChange(address, ChangeKind.NODE, "verify-schedule", node.name(),
                            Action.UPDATE, List.of(new AttributeChange("schedule", onCalendar(there.get(), timer), null,
                            Effect.LIVE)), (schedule == null ? "the manifest has no cluster.drbd.verifySchedule"
                            : "DRBD is not on this node") + ": its timer, service and program are removed"));
                    List<String> paths = new ArrayList<>(List.of(service, timer));
                    if (there.get().file(program).isPresent()) {
                        paths.add(program);
                    }
                    diff.step(node.name(), subject, List.of(), address, "remove the scheduled verify " + unit,
                            new StepPayload.RemoveVerifySchedule(unit + ".timer", paths));
                }
                continue;
            }
            if (!PLAIN_PATH.matcher(node.spec().stateDirectory()).matches()
                    || !PLAIN_PATH.matcher(node.spec().drbdConfigDirectory()).matches()) {
                diff.problem(PlanFinding.Code.VERIFY_SCHEDULE_PATHS, PlanFinding.Subject.node(node.name()),
                        "node " + node.name() + ": the scheduled verify's service names paths.state and paths.drbdConf,"
                        + " which may hold only letters, digits and / . _ + - for it; found '"
                        + node.spec().stateDirectory() + "' and '" + node.spec().drbdConfigDirectory() + "'");
                continue;
            }
            Views.VerifyScheduleView view = new Views.VerifyScheduleView(cluster, node.name(), schedule, program,
                    node.spec().stateDirectory(), node.spec().drbdConfigDirectory(), WAIT_SECONDS, TIMEOUT_SECONDS);
            String programText = NodeScript.DRBD_VERIFY.text();
            String serviceText = renderer.verifyService(view);
            String timerText = renderer.verifyTimer(view);
            List<AttributeChange> changes = new ArrayList<>();
            String before = there.map(s -> onCalendar(s, timer)).orElse(null);
            if (!schedule.equals(before)) {
                changes.add(new AttributeChange("schedule", before, schedule, Effect.LIVE));
            }
            files(there, program, programText, "program", changes);
            files(there, service, serviceText, "service", changes);
            files(there, timer, timerText, "timer", changes);
            Optional<ObservedDrbd.Timer> state = there.flatMap(s -> s.timer(unit + ".timer"));
            if (installed && (state.isEmpty() || !state.get().enabledAndActive())) {
                changes.add(new AttributeChange("timer", state.map(t -> t.unitFileState() + "/" + t.activeState())
                        .orElse("unknown"), "enabled/active", Effect.LIVE));
            }
            if (changes.isEmpty()) {
                continue;
            }
            diff.change(new ResourceChange(address, ChangeKind.NODE, "verify-schedule", node.name(),
                    installed ? Action.UPDATE : Action.CREATE, changes, installed
                    ? "the scheduled verify on this node is not what the manifest says" : "no scheduled verify here"));
            diff.step(node.name(), subject, List.of(), address, (installed ? "update" : "install")
                    + " the scheduled verify " + unit + " (" + schedule + ")",
                    new StepPayload.InstallVerifySchedule(unit + ".timer", program, Digests.sha256(programText),
                            service, serviceText, timer, timerText));
        }
        return diff.build();
    }

    /** A change for a file that is missing or differs from what mcvirt writes (a hand edit, or another build's). */
    private static void files(Optional<ObservedDrbd.VerifySchedule> there, String path, String wanted, String name,
                              List<AttributeChange> changes) {
        Optional<String> text = there.flatMap(s -> s.file(path));
        if (text.isEmpty()) {
            changes.add(new AttributeChange(name, null, path, Effect.LIVE));
        } else if (!text.get().stripTrailing().equals(wanted.stripTrailing())) {
            changes.add(new AttributeChange(name, path + " (differs)", path, Effect.LIVE));
        }
    }

    /** The timer's OnCalendar= value as the node has it, or null. */
    static String onCalendar(ObservedDrbd.VerifySchedule schedule, String timerPath) {
        return schedule.file(timerPath).flatMap(text -> text.lines().filter(l -> l.startsWith("OnCalendar="))
                .map(l -> l.substring("OnCalendar=".length()).strip()).findFirst()).orElse(null);
    }
}
