package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mcvirt.plan.DifferFixture.NODE;
import static org.mcvirt.plan.DifferFixture.RENDERER;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.Digests;
import org.mcvirt.model.DrbdSpec;
import org.mcvirt.model.IntRange;
import org.mcvirt.node.ssh.NodeScript;
import org.mcvirt.state.Availability;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedDrbd;
import org.mcvirt.state.ObservedState;

/** The scheduled verify on a node: installed, left alone when it is as mcvirt writes it, rewritten, removed. */
class VerifyScheduleDifferTest {
    private static final VerifyScheduleDiffer DIFFER = new VerifyScheduleDiffer(RENDERER);
    private static final String PROGRAM = "/var/lib/mcvirt/bin/drbd-verify.sh";
    private static final String SERVICE = "/etc/systemd/system/mcvirt-verify-c.service";
    private static final String TIMER = "/etc/systemd/system/mcvirt-verify-c.timer";

    private static DesiredState desired(String schedule) {
        DrbdSpec drbd = new DrbdSpec(true, "C", "100M", "sha256", new IntRange(7789, 7999), new IntRange(1, 999), null,
                null, schedule);
        return new DesiredState(new ClusterSpec("c", drbd), List.of(NODE), List.of(), List.of());
    }

    private static ObservedState observed(Availability drbd, ObservedDrbd.VerifySchedule schedule) {
        ObservedDrbd seen = new ObservedDrbd(drbd, List.of(), drbd == Availability.PRESENT ? "8.4.11" : null, null,
                "9.22.0", List.of(), List.of(), Map.of(), List.of(), Map.of(), schedule);
        return new ObservedState(List.of(new NodeObservation("n", true, null, "9.0.0", "QEMU 7.2.0", List.of(),
                List.of(), List.of(), List.of(), null, seen)));
    }

    /** What the install step of this schedule writes, as the node would have it after the apply. */
    private static ObservedDrbd.VerifySchedule installed(String schedule, String unitFileState) {
        StepPayload.InstallVerifySchedule install = (StepPayload.InstallVerifySchedule) DIFFER.diff(desired(schedule),
                observed(Availability.PRESENT, null), Planner.Options.all()).drafts().get(0).payload();
        return new ObservedDrbd.VerifySchedule(Map.of(PROGRAM, NodeScript.DRBD_VERIFY.text(), SERVICE,
                install.service(), TIMER, install.timer()), Map.of("mcvirt-verify-c.timer",
                new ObservedDrbd.Timer(unitFileState, "active", "Sun 2026-12-06 03:00:00 UTC", null)));
    }

    @Test
    void aScheduleIsInstalledOnANodeWithDrbd() {
        Diff diff = DIFFER.diff(desired("Sun *-*-* 03:00"), observed(Availability.PRESENT, null),
                Planner.Options.all());
        assertThat(diff.problems()).isEmpty();
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.address()).isEqualTo("node.n.verify-schedule");
            assertThat(c.kind()).isEqualTo(ChangeKind.NODE);
            assertThat(c.action()).isEqualTo(Action.CREATE);
            assertThat(c.attributes()).contains(new AttributeChange("schedule", null, "Sun *-*-* 03:00", Effect.LIVE));
        });
        assertThat(diff.drafts()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(StepKind.INSTALL_VERIFY_SCHEDULE);
            StepPayload.InstallVerifySchedule p = (StepPayload.InstallVerifySchedule) d.payload();
            assertThat(p.timerUnit()).isEqualTo("mcvirt-verify-c.timer");
            assertThat(p.programPath()).isEqualTo(PROGRAM);
            assertThat(p.programSha256()).isEqualTo(Digests.sha256(NodeScript.DRBD_VERIFY.text()));
            assertThat(p.service()).contains("ExecStart=/bin/sh " + PROGRAM + " scheduled /var/lib/mcvirt /etc/drbd.d n c"
                    + " 86400\n");
            assertThat(p.timer()).contains("OnCalendar=Sun *-*-* 03:00\n", "Persistent=true\n",
                    "WantedBy=timers.target\n");
        });
    }

    @Test
    void anInstalledScheduleIsLeftAloneAndAHandEditOrADisabledTimerIsRewritten() {
        assertThat(DIFFER.diff(desired("Sun *-*-* 03:00"), observed(Availability.PRESENT,
                installed("Sun *-*-* 03:00", "enabled")), Planner.Options.all()).changes()).isEmpty();
        Map<String, String> edited = new HashMap<>(installed("Sun *-*-* 03:00", "enabled").files());
        edited.put(SERVICE, edited.get(SERVICE).replace("Nice=10", "Nice=0"));
        Diff diff = DIFFER.diff(desired("Sun *-*-* 03:00"), observed(Availability.PRESENT,
                new ObservedDrbd.VerifySchedule(edited, installed("Sun *-*-* 03:00", "enabled").timers())),
                Planner.Options.all());
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(Action.UPDATE);
            assertThat(c.attributes()).containsExactly(new AttributeChange("service", SERVICE + " (differs)", SERVICE,
                    Effect.LIVE));
        });
        assertThat(diff.drafts()).extracting(StepDraft::kind).containsExactly(StepKind.INSTALL_VERIFY_SCHEDULE);
        assertThat(DIFFER.diff(desired("Sun *-*-* 03:00"), observed(Availability.PRESENT,
                installed("Sun *-*-* 03:00", "disabled")), Planner.Options.all()).changes())
                .singleElement().satisfies(c -> assertThat(c.attributes()).containsExactly(new AttributeChange("timer",
                        "disabled/active", "enabled/active", Effect.LIVE)));
        assertThat(DIFFER.diff(desired("daily"), observed(Availability.PRESENT,
                installed("Sun *-*-* 03:00", "enabled")), Planner.Options.all()).changes())
                .singleElement().satisfies(c -> assertThat(c.attributes()).containsExactly(
                        new AttributeChange("schedule", "Sun *-*-* 03:00", "daily", Effect.LIVE),
                        new AttributeChange("timer", TIMER + " (differs)", TIMER, Effect.LIVE)));
    }

    @Test
    void noScheduleRemovesTheUnitsAndTheProgramAndANodeWithoutDrbdGetsNone() {
        Diff diff = DIFFER.diff(desired(null), observed(Availability.PRESENT, installed("daily", "enabled")),
                Planner.Options.all());
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(Action.UPDATE);
            assertThat(c.destroysData()).isFalse();
            assertThat(c.attributes()).containsExactly(new AttributeChange("schedule", "daily", null, Effect.LIVE));
        });
        assertThat(diff.drafts()).singleElement().satisfies(d -> assertThat(d.payload()).isEqualTo(
                new StepPayload.RemoveVerifySchedule("mcvirt-verify-c.timer", List.of(SERVICE, TIMER, PROGRAM))));
        assertThat(DIFFER.diff(desired(null), observed(Availability.PRESENT, null), Planner.Options.all()).changes())
                .isEmpty();
        assertThat(DIFFER.diff(desired("daily"), observed(Availability.ABSENT, null), Planner.Options.all()).changes())
                .isEmpty();
        assertThat(DIFFER.diff(desired("daily"), observed(Availability.PRESENT, null),
                new Planner.Options(java.util.Set.of("web1"))).changes()).isEmpty();
    }
}
