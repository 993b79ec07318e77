package org.mcvirt.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mcvirt.testing.CiSh;
import org.mcvirt.testing.JunitSchemas;

/**
 * The GitOps example (manifests/examples/gitops) on the lab, through its ci.sh as the pipelines call it: a copy with
 * the lab's nodes (MCVIRT_NODES), a cluster name, DRBD ranges, state directory and vm names of its own; validate, plan
 * (changes, the plan file written), apply of the saved plan, drift clean, a second plan without changes, then the file
 * vm's memory changed with virsh on its node and drift again: exit 2, one failed test case, that vm.
 */
@Tag("lab")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class LabGitopsIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "go" + ID;
    private static final String WWW = "go-www-" + ID;
    private static final String PG = "go-pg-" + ID;
    private static final String RESOURCE = "mcvirt_" + PG + "_data";
    private static final String STATE = "/var/lib/mcvirt-" + CLUSTER;
    private static final Duration LIMIT = Duration.ofMinutes(8);
    private static Path dir;
    private static Path nodes;
    private static Path ciSh;
    private static Path out;
    private static Map<String, String> environment;

    @BeforeAll
    static void theExampleWithTheLabsNodes() throws Exception {
        Lab.assertUp();
        dir = Files.createTempDirectory("mcvirt-lab-gitops");
        nodes = Lab.drbdNodesFor(dir, CLUSTER, STATE);
        Path copy = CiSh.copyExample(dir);
        ciSh = copy.resolve("ci.sh");
        out = dir.resolve("out");
        replace(copy.resolve("cluster.yaml"), Map.of("name: gitops", "name: " + CLUSTER,
                "minors: 1-999", "minors: 450-499", "ports: 7789-7999", "ports: 7850-7899"));
        replace(copy.resolve("vms/www1.yaml"), Map.of("name: www1", "name: " + WWW));
        replace(copy.resolve("vms/pg1.yaml"), Map.of("name: pg1", "name: " + PG));
        environment = Map.of("MCVIRT", CiSh.mcvirtCommand(dir).toString(), "MCVIRT_NODES", nodes.toString(),
                "MCVIRT_OUT", out.toString(), "MCVIRT_DRBD_SECRET",
                "Go-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
    }

    /** Each key replaced by its value in file; each must be there. */
    private static void replace(Path file, Map<String, String> replacements) throws Exception {
        String text = Files.readString(file);
        for (Map.Entry<String, String> entry : replacements.entrySet()) {
            assertThat(text).as("the example's %s", file.getFileName()).contains(entry.getKey());
            text = text.replace(entry.getKey(), entry.getValue());
        }
        Files.writeString(file, text);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir == null) {
            return;
        }
        Lab.destroyDrbdCluster(nodes, dir, CLUSTER, RESOURCE, STATE);
    }

    private static CiSh.Result ci(String command) throws Exception {
        CiSh.Result result = CiSh.run(ciSh, environment, LIMIT, command);
        System.out.println("LabGitopsIT: ci.sh " + command + " -> exit " + result.exitCode());
        return result;
    }

    private static String virsh(String node, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "virsh";
        all[1] = "-c";
        all[2] = "qemu:///system";
        System.arraycopy(args, 0, all, 3, args.length);
        return Lab.ssh(node, all);
    }

    @Test
    void validatePlanApplyDriftCleanThenVirshMakesOneVmDrift() throws Exception {
        CiSh.Result validate = ci("validate");
        assertThat(validate.exitCode()).as(validate.toString()).isZero();
        assertThat(validate.out()).contains("cluster " + CLUSTER + ", 2 nodes, 1 networks, 2 vms");

        CiSh.Result plan = ci("plan");
        assertThat(plan.exitCode()).as("0: success, with changes\n%s", plan).isZero();
        assertThat(out.resolve("mcvirt.plan")).isRegularFile();
        assertThat(Files.readString(out.resolve("plan.changes"))).isEqualTo("yes\n");
        assertThat(Files.readString(out.resolve("plan.md"))).contains(WWW, PG);
        assertThat(plan.out()).contains("+ vm \"" + WWW + "\"", "+ vm \"" + PG + "\"", "ci.sh: the plan has changes");

        CiSh.Result apply = ci("apply");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(virsh("node1", "domstate", WWW).strip()).isEqualTo("running");
        assertThat(virsh("node2", "domstate", PG).strip()).isEqualTo("running");
        assertThat(Lab.ssh("node2", "drbdadm", "role", RESOURCE).strip()).isEqualTo("Primary/Secondary");

        CiSh.Result clean = ci("drift");
        assertThat(clean.exitCode()).as(clean.toString()).isZero();
        assertThat(clean.out()).contains("  ok    vm " + WWW + "\n", "  ok    vm " + PG + "\n", "ci.sh: no drift\n");
        String cleanXml = Files.readString(out.resolve("drift.xml"));
        assertThat(JunitSchemas.failures(JunitSchemas.parse(cleanXml))).isZero();
        assertThat(cleanXml).contains("name=\"" + PG + "/data\"");
        JunitSchemas.assertValid(cleanXml);

        CiSh.Result again = ci("plan");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(Files.readString(out.resolve("plan.changes"))).as("a second plan: %s", again).isEqualTo("no\n");

        virsh("node1", "setmaxmem", WWW, "131072", "--config");
        CiSh.Result drifted = ci("drift");
        assertThat(drifted.exitCode()).as(drifted.toString()).isEqualTo(2);
        assertThat(drifted.out()).contains("  DRIFT vm " + WWW + ": the vm differs from the manifest (memory)",
                "Drift: 1 of ");
        String xml = Files.readString(out.resolve("drift.xml"));
        assertThat(JunitSchemas.failedTestCases(JunitSchemas.parse(xml))).containsExactly("mcvirt." + CLUSTER + ".vm/"
                + WWW);
        assertThat(Files.readString(out.resolve("drift.md"))).contains(WWW, "memory");
    }
}
