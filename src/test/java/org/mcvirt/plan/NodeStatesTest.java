package org.mcvirt.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.manifest.ManifestLoader;
import org.mcvirt.model.DesiredState;
import org.mcvirt.render.Renderer;
import org.mcvirt.state.ObservedState;

/**
 * Issue 16 items 1-3 in the planner: a node in maintenance or declared offline. The golden cases failover,
 * failover-stale-refused and maintenance show the plan text; this checks what the text cannot: nothing on the offline
 * node, --accept-stale, --allow-downtime, and a vm that cannot follow its node.
 */
class NodeStatesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("src/test/resources/testdata/plan");

    @TempDir
    Path dir;

    private static Plan plan(Path manifest, Path observed, Planner.Options options) throws Exception {
        DesiredState desired = ManifestLoader.load(List.of(manifest));
        return new Planner(new Renderer(Optional.empty())).plan(desired, JSON.readValue(observed.toFile(),
                ObservedState.class), options);
    }

    private static Plan golden(String folder, Planner.Options options) throws Exception {
        return plan(ROOT.resolve(folder).resolve("manifest.yaml"), ROOT.resolve(folder).resolve("observed.json"),
                options);
    }

    /** The no-changes case (one node 'here', demo-web running and demo-db stopped, neither replicated) in state. */
    private Plan singleNode(String state, Planner.Options options) throws Exception {
        Path manifest = dir.resolve("manifest.yaml");
        String text = Files.readString(ROOT.resolve("no-changes/manifest.yaml"));
        assertThat(text).contains("  - name: here\n");
        Files.writeString(manifest, text.replace("  - name: here\n", "  - name: here\n    state: " + state + "\n"));
        return plan(manifest, ROOT.resolve("no-changes/observed.json"), options);
    }

    @Test
    void aFailoverContactsOnlyTheSurvivorAndRecordsItBeforePromoting() throws Exception {
        Plan plan = golden("failover", Planner.Options.all());
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.RECORD_FAILOVER,
                StepKind.DRBD_PROMOTE, StepKind.REGISTER_DOMAIN, StepKind.START_DOMAIN);
        assertThat(plan.steps()).allSatisfy(s -> {
            assertThat(s.node()).isEqualTo("node2");
            assertThat(s.peers()).doesNotContain("node1");
        });
        StepPayload.RecordFailover record = plan.steps().get(0).payload(StepPayload.RecordFailover.class);
        assertThat(record).isEqualTo(new StepPayload.RecordFailover("files1", "node1", "/var/lib/mcvirt",
                List.of("mcvirt_files1_root"), List.of()));
        assertThat(plan.steps().get(1).payload(StepPayload.DrbdPromote.class).force()).isFalse();
        assertThat(plan.steps().get(1).dependsOn()).contains(plan.steps().get(0).id());
        assertThat(plan.steps().get(2).payload(StepPayload.RegisterDomain.class).copies())
                .as("the saved copy is kept on the survivor only: node1 is not contacted").containsOnlyKeys("node2");
        assertThat(plan.warnings()).extracting(PlanFinding::code).contains(PlanFinding.Code.NODE_OFFLINE);
        assertThat(PlanText.render(plan, false)).startsWith("Warning: node1 is declared offline: mcvirt will not"
                + " contact it. Make sure it is powered off;");
    }

    @Test
    void aFailoverThatStoppedAfterItsRecordDoesNotWriteItAgain() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode observed = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(ROOT.resolve("failover/observed.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) observed.get("nodes").get(0).get("drbd")).set("failovers",
                JSON.readTree("[{\"vm\": \"files1\", \"from\": \"node1\", \"to\": \"node2\", \"at\":"
                        + " \"2026-12-03T14:02:00Z\", \"resources\": [\"mcvirt_files1_root\"], \"stale\": []}]"));
        Path file = dir.resolve("observed.json");
        JSON.writeValue(file.toFile(), observed);
        Plan plan = plan(ROOT.resolve("failover/manifest.yaml"), file, Planner.Options.all());
        assertThat(plan.steps()).extracting(Step::kind).containsExactly(StepKind.DRBD_PROMOTE,
                StepKind.REGISTER_DOMAIN, StepKind.START_DOMAIN);
    }

    @Test
    void aStaleSurvivorCopyIsRefusedUnlessThatDiskIsAccepted() throws Exception {
        Plan refused = golden("failover-stale-refused", Planner.Options.all());
        assertThat(refused.steps()).isEmpty();
        assertThat(refused.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(PlanFinding.Code.FAILOVER_REFUSED);
            assertThat(p.message()).contains("disk root (mcvirt_files1_root) on node2 is Outdated",
                    "--accept-stale files1/root");
        });
        Plan otherDisk = golden("failover-stale-refused", Planner.Options.all().withNodeLoss(false,
                Set.of("files1/data")));
        assertThat(otherDisk.problems()).as("accepting another disk does not take this one").hasSize(1);
        Plan accepted = golden("failover-stale-refused", Planner.Options.all().withNodeLoss(false,
                Set.of("files1/root")));
        assertThat(accepted.problems()).isEmpty();
        assertThat(accepted.steps()).extracting(Step::kind).containsExactly(StepKind.RECORD_FAILOVER,
                StepKind.DRBD_PROMOTE, StepKind.REGISTER_DOMAIN, StepKind.START_DOMAIN);
        assertThat(accepted.steps().get(1).payload(StepPayload.DrbdPromote.class).force()).isTrue();
        assertThat(accepted.steps().get(0).payload(StepPayload.RecordFailover.class).stale())
                .containsExactly("files1/root");
        assertThat(accepted.options().acceptStale()).as("a saved plan is planned again with it")
                .containsExactly("files1/root");
    }

    @Test
    void maintenanceMovesAReplicatedVmToItsPeerAndBackWhenOnline() throws Exception {
        Plan away = golden("maintenance", Planner.Options.all());
        assertThat(away.problems()).isEmpty();
        assertThat(away.changes()).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(Action.MIGRATE);
            assertThat(c.node()).isEqualTo("node2");
        });
        Path online = dir.resolve("online.yaml");
        Files.writeString(online, Files.readString(ROOT.resolve("maintenance/manifest.yaml"))
                .replace("    state: maintenance\n", ""));
        assertThat(plan(online, ROOT.resolve("maintenance/observed.json"), Planner.Options.all()).hasChanges())
                .as("files1 is on node1, its home, which is online: nothing to do").isFalse();
    }

    @Test
    void aRunningVmThatCannotLeaveMaintenanceIsRefusedUnlessDowntimeIsAllowed() throws Exception {
        Plan refused = singleNode("maintenance", Planner.Options.all());
        assertThat(refused.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(PlanFinding.Code.FAILOVER_REFUSED);
            assertThat(p.message()).isEqualTo("vm demo-web cannot leave here for its maintenance (it has no"
                    + " replicated disk); it would be stopped there: apply with --allow-downtime to stop it");
        });
        Plan stopped = singleNode("maintenance", Planner.Options.all().withNodeLoss(true, Set.of()));
        assertThat(stopped.problems()).isEmpty();
        assertThat(stopped.steps()).extracting(Step::kind, Step::subject)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(StepKind.SHUTDOWN_DOMAIN, "domain:here/demo-web"));
    }

    @Test
    void anOfflineNodeIsNeverPlannedOnAndItsUnreplicatedVmsAreSaidToBeDown() throws Exception {
        Plan plan = singleNode("offline", Planner.Options.all());
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.steps()).isEmpty();
        assertThat(plan.warnings()).extracting(PlanFinding::message).contains("vm demo-web is down with its node"
                + " here (declared offline) and cannot run elsewhere: it has no replicated disk");
        assertThat(plan.warnings()).noneMatch(w -> w.message().contains("demo-db is down"));
    }
}
