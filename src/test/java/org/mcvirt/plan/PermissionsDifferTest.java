package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mcvirt.plan.DifferFixture.NODE;
import static org.mcvirt.plan.DifferFixture.RENDERER;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mcvirt.model.ClusterSpec;
import org.mcvirt.model.DesiredState;
import org.mcvirt.model.PermissionsSpec;
import org.mcvirt.model.VmSpec;
import org.mcvirt.state.NodeObservation;
import org.mcvirt.state.ObservedPermissions;
import org.mcvirt.state.ObservedState;

/**
 * Permissions on a node: the rules file written and the access driver set, left alone when both are as mcvirt writes
 * them, rewritten after a hand edit, unset and removed with the last permission; unknown names and a node without
 * polkitd.
 */
class PermissionsDifferTest {
    private static final PermissionsDiffer DIFFER = new PermissionsDiffer(RENDERER);
    private static final String PATH = "/etc/polkit-1/rules.d/10-mcvirt-c.rules";
    private static final List<String> OURS = List.of("# mcvirt-access-driver: c", "access_drivers = [ \"polkit\" ]");

    /** web1 with owners (and carol as its user, unless nobody has any permission), db1 with none. */
    private static DesiredState desired(List<String> superusers, List<String> owners) {
        boolean any = !superusers.isEmpty() || !owners.isEmpty();
        VmSpec web1 = new VmSpec("web1", "n", 1, 64L << 20, VmSpec.PowerState.RUNNING, false, false, List.of(),
                List.of(new VmSpec.NicSpec("lan", "52:54:00:00:00:01")), owners, any ? List.of("carol") : List.of());
        VmSpec db1 = new VmSpec("db1", "n", 1, 64L << 20, VmSpec.PowerState.RUNNING, false, false, List.of(),
                List.of(), List.of(), List.of());
        return new DesiredState(new ClusterSpec("c", null, null, null, null,
                superusers.isEmpty() ? null : new PermissionsSpec(superusers)), List.of(NODE), List.of(),
                List.of(web1, db1));
    }

    private static ObservedState observed(ObservedPermissions permissions) {
        return new ObservedState(List.of(new NodeObservation("n", true, null, "9.0.0", "QEMU 7.2.0", List.of(),
                List.of(), List.of(), List.of()).withPermissions(permissions)));
    }

    private static ObservedPermissions seen(String rules, List<String> access) {
        return new ObservedPermissions(rules, access, true, Set.of("alice", "bob", "carol"), Set.of("ops"));
    }

    private static StepPayload.ConfigurePermissions payload(Diff diff) {
        assertThat(diff.drafts()).hasSize(1);
        return (StepPayload.ConfigurePermissions) diff.drafts().get(0).payload();
    }

    @Test
    void theRulesAreWrittenAndTheDriverSetWithTheRestartSaid() {
        Diff diff = DIFFER.diff(desired(List.of("alice", "@ops"), List.of("bob")), observed(seen(null, List.of())),
                Planner.Options.all());
        assertThat(diff.problems()).isEmpty();
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.address()).isEqualTo("node.n.permissions");
            assertThat(c.kind()).isEqualTo(ChangeKind.NODE);
            assertThat(c.action()).isEqualTo(Action.CREATE);
            assertThat(c.attributes()).containsExactly(new AttributeChange("rules", null, PATH, Effect.LIVE),
                    new AttributeChange("access_drivers", "(libvirt's default)", "[\"polkit\"]", Effect.LIVE));
            assertThat(c.reason()).contains("restarts libvirtd (running vms keep running)");
        });
        StepPayload.ConfigurePermissions p = payload(diff);
        assertThat(p.accessDriver()).isEqualTo(StepPayload.ConfigurePermissions.AccessDriver.ENABLE);
        assertThat(p.rules()).contains("var superusers = [\"@ops\", \"alice\"];", "\"web1\": {owners: [\"bob\"],"
                + " users: [\"carol\"], networks: [\"mcvirt.c.lan\"]}", "var cluster = [\"db1\", \"web1\"];");
        assertThat(diff.drafts().get(0).description()).isEqualTo("write the polkit rules " + PATH
                + " and set libvirtd's polkit access driver (restarts libvirtd)");
    }

    @Test
    void nothingIsPlannedWhenBothAreAsMcvirtWritesThemAndAHandEditIsRewrittenWithoutARestart() {
        DesiredState desired = desired(List.of("alice"), List.of("bob"));
        String rules = DIFFER.rules(desired);
        assertThat(DIFFER.diff(desired, observed(seen(rules, OURS)), Planner.Options.all()).changes()).isEmpty();
        // polkit set by hand counts too: mcvirt does not take it over
        assertThat(DIFFER.diff(desired, observed(seen(rules, List.of("access_drivers = [ \"polkit\" ]"))),
                Planner.Options.all()).changes()).isEmpty();
        Diff edited = DIFFER.diff(desired, observed(seen(rules.replace("\"bob\"", "\"mallory\""), OURS)),
                Planner.Options.all());
        assertThat(edited.changes()).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(Action.UPDATE);
            assertThat(c.attributes()).containsExactly(new AttributeChange("rules", PATH + " (differs)", PATH,
                    Effect.LIVE));
        });
        assertThat(payload(edited).accessDriver()).isEqualTo(StepPayload.ConfigurePermissions.AccessDriver.KEEP);
        assertThat(payload(edited).rules()).isEqualTo(rules);
    }

    @Test
    void withTheLastPermissionGoneTheDriverMcvirtSetIsUnsetAndTheFileRemovedAsAnUpdate() {
        DesiredState none = desired(List.of(), List.of());
        Diff diff = DIFFER.diff(none, observed(seen("old rules", OURS)), Planner.Options.all());
        assertThat(diff.changes()).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(Action.UPDATE);
            assertThat(c.attributes()).containsExactly(new AttributeChange("rules", PATH, null, Effect.LIVE),
                    new AttributeChange("access_drivers", "[\"polkit\"]", "(libvirt's default)", Effect.LIVE));
        });
        StepPayload.ConfigurePermissions p = payload(diff);
        assertThat(p.rules()).isNull();
        assertThat(p.accessDriver()).isEqualTo(StepPayload.ConfigurePermissions.AccessDriver.DISABLE);
        assertThat(StepKind.CONFIGURE_PERMISSIONS.destructive()).isFalse();
        // a driver set by hand stays; nothing of mcvirt's left: no change
        Diff handSet = DIFFER.diff(none, observed(seen("old rules", List.of("access_drivers = [ \"polkit\" ]"))),
                Planner.Options.all());
        assertThat(payload(handSet).accessDriver()).isEqualTo(StepPayload.ConfigurePermissions.AccessDriver.KEEP);
        assertThat(DIFFER.diff(none, observed(seen(null, List.of("access_drivers = [ \"polkit\" ]"))),
                Planner.Options.all()).changes()).isEmpty();
        assertThat(DIFFER.diff(none, observed(ObservedPermissions.notRead()), Planner.Options.all()).changes())
                .isEmpty();
        // a node whose storage read failed: nothing is known, so nothing is planned there (no false drift)
        assertThat(DIFFER.diff(desired(List.of("alice"), List.of("bob")), observed(ObservedPermissions.notRead()),
                Planner.Options.all()).changes()).isEmpty();
    }

    @Test
    void aNameTheNodeDoesNotKnowIsAWarningNamingBoth() {
        Diff diff = DIFFER.diff(desired(List.of("alice", "@admins"), List.of("dave")), observed(seen(null, OURS)),
                Planner.Options.all());
        assertThat(diff.problems()).extracting(PlanFinding::message).containsExactly(
                "node n has no group 'admins' (superuser): polkit never matches it there",
                "node n has no user 'dave' (owner of web1): polkit never matches it there");
        assertThat(diff.problems()).allMatch(f -> f.code().warning());
        assertThat(diff.changes()).hasSize(1);
    }

    @Test
    void aNodeWithoutPolkitdIsAProblemAndNothingIsPlannedThere() {
        Diff diff = DIFFER.diff(desired(List.of("alice"), List.of()), observed(new ObservedPermissions(null,
                List.of(), false, Set.of("alice", "carol"), null)), Planner.Options.all());
        assertThat(diff.changes()).isEmpty();
        assertThat(diff.problems()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(PlanFinding.Code.PERMISSIONS_NO_POLKIT);
            assertThat(f.code().warning()).isFalse();
            assertThat(f.message()).startsWith("node n has no polkitd (/usr/lib/polkit-1/polkitd): with libvirtd's"
                    + " polkit access driver nobody could use libvirt there, root included");
        });
    }

    /** mcvirt's own login, when it is not root, must be a superuser: else the driver would shut mcvirt out. */
    @Test
    void aLoginThatIsNotRootMustBeASuperuser() {
        org.mcvirt.model.NodeSpec asMcvirt = new org.mcvirt.model.NodeSpec("n", false, "192.0.2.1", null, null,
                new org.mcvirt.model.NodeSpec.SshSpec("mcvirt", 22, "/k", "/h"), "qemu+libssh://mcvirt@192.0.2.1/system",
                org.mcvirt.model.NodeSpec.DomainType.QEMU, "/var/lib/mcvirt", "/etc/drbd.d", List.of());
        DesiredState plain = desired(List.of("alice"), List.of());
        DesiredState desired = new DesiredState(plain.cluster(), List.of(asMcvirt), List.of(), plain.vms());
        Diff diff = DIFFER.diff(desired, observed(seen(null, List.of())), Planner.Options.all());
        assertThat(diff.changes()).isEmpty();
        assertThat(diff.problems()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(PlanFinding.Code.PERMISSIONS_LOCKOUT);
            assertThat(f.message()).isEqualTo("node n: mcvirt uses libvirt there as 'mcvirt', not root; under"
                    + " libvirtd's polkit access driver it would lose its own access to libvirt: add 'mcvirt' to"
                    + " cluster.permissions.superusers (by name: a group is not checked)");
        });
        DesiredState allowed = new DesiredState(desired(List.of("alice", "mcvirt"), List.of()).cluster(),
                List.of(asMcvirt), List.of(), plain.vms());
        assertThat(DIFFER.diff(allowed, observed(new ObservedPermissions(null, List.of(), true,
                Set.of("alice", "carol", "mcvirt"), null)), Planner.Options.all()).problems()).isEmpty();
    }

    /** The user libvirt sees: the URI's, else this process's (a local URI, or a remote one without a user). */
    @Test
    void theLibvirtLoginComesFromTheUri() {
        String me = System.getProperty("user.name");
        assertThat(PermissionsDiffer.libvirtLogin("qemu+libssh://ops@192.0.2.1/system?sshauth=privkey")).isEqualTo("ops");
        assertThat(PermissionsDiffer.libvirtLogin("qemu+ssh://192.0.2.1:2222/system")).isEqualTo(me);
        assertThat(PermissionsDiffer.libvirtLogin("qemu:///system")).isEqualTo(me);
    }

    /** A saved plan changed to write elsewhere is refused when it is read back. */
    @Test
    void aPayloadThatPointsElsewhereIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new StepPayload.ConfigurePermissions("c",
                "/etc/shadow", "x", "/etc/libvirt/libvirtd.conf",
                StepPayload.ConfigurePermissions.AccessDriver.KEEP)).hasMessageContaining("/etc/shadow");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new StepPayload.ConfigurePermissions("c", PATH, "x",
                "/etc/passwd", StepPayload.ConfigurePermissions.AccessDriver.KEEP)).hasMessageContaining("/etc/passwd");
    }
}
