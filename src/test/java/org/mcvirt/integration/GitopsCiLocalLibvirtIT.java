package org.mcvirt.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mcvirt.testing.CiSh;
import org.mcvirt.testing.JunitSchemas;
import org.mcvirt.testing.Virsh;

/**
 * The GitOps example's ci.sh plan, apply and drift against the real libvirtd on this machine (qemu:///system), with a
 * manifest of its own through MCVIRT_MANIFEST (one stopped vm without disks, so nothing runs): the artifacts, the
 * exit codes, the GitHub step output, a saved plan refused once the cluster changed, and drift after virsh. The
 * example's own manifests need the two-node lab: LabGitopsIT.
 */
@Tag("libvirt")
@Timeout(value = 8, unit = java.util.concurrent.TimeUnit.MINUTES)
class GitopsCiLocalLibvirtIT {
    private static final Virsh VIRSH = new Virsh("qemu:///system");
    private static final String ID = UUID.randomUUID().toString().substring(0, 6);
    private static final String CLUSTER = "go" + ID;
    private static final String VM = "it-gitops-" + ID;
    private static final Duration LIMIT = Duration.ofMinutes(2);
    private static Path dir;
    private static Path ciSh;
    private static Path out;
    private static Path manifest;
    private static Map<String, String> environment;

    @BeforeAll
    static void setUp() throws Exception {
        assertThat(VIRSH.run("version").status()).as("libvirtd must answer (.ci/start-libvirt)").isZero();
        dir = Files.createTempDirectory("mcvirt-gitops-it");
        ciSh = CiSh.copyExample(dir).resolve("ci.sh");
        out = dir.resolve("out");
        Path state = Files.createDirectories(dir.resolve("state"));
        manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, """
                apiVersion: mcvirt/v1
                cluster: {name: %s}
                nodes:
                  - name: here
                    local: true
                    libvirt: {uri: "qemu:///system", domainType: qemu}
                    paths: {state: %s}
                vms:
                  - {name: %s, node: here, memory: 64MiB, state: stopped}
                """.formatted(CLUSTER, state, VM));
        environment = new HashMap<>(Map.of("MCVIRT", CiSh.mcvirtCommand(dir).toString(), "MCVIRT_MANIFEST",
                manifest.toString(), "MCVIRT_OUT", out.toString(), "GITHUB_OUTPUT",
                dir.resolve("github-output").toString()));
    }

    @AfterAll
    static void cleanUp() {
        VIRSH.run("undefine", VM);
    }

    private static CiSh.Result ci(String command) throws Exception {
        return CiSh.run(ciSh, environment, LIMIT, command);
    }

    @Test
    void planApplyDriftAndDriftAgainAfterVirsh() throws Exception {
        CiSh.Result plan = ci("plan");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("+ vm \"" + VM + "\"", "Plan: 1 to create, 0 to change, 0 to migrate, 0 to"
                + " destroy.", "ci.sh: the plan has changes; saved to " + out.resolve("mcvirt.plan"));
        assertThat(out.resolve("mcvirt.plan")).isRegularFile();
        assertThat(Files.readString(out.resolve("plan.md"))).contains(VM).doesNotContain("Saved the plan");
        assertThat(Files.readString(out.resolve("plan.changes"))).isEqualTo("yes\n");
        assertThat(Files.readString(dir.resolve("github-output"))).isEqualTo("changes=yes\n");

        CiSh.Result apply = ci("apply");
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(VIRSH.ok("domstate", VM).strip()).isEqualTo("shut off");

        String applied = VIRSH.ok("dumpxml", VM, "--inactive") + VIRSH.ok("domstate", VM);
        CiSh.Result again = ci("apply");
        assertThat(again.exitCode()).as("the same saved plan, now stale: %s", again).isEqualTo(1);
        assertThat(again.err()).contains("the plan is stale: the cluster changed since it was made");
        assertThat(VIRSH.run("list", "--all", "--name").text().lines().filter(VM::equals)).as("one vm " + VM)
                .hasSize(1);
        assertThat(VIRSH.ok("dumpxml", VM, "--inactive") + VIRSH.ok("domstate", VM))
                .as("the vm after the stale plan was refused").isEqualTo(applied);

        CiSh.Result empty = ci("plan");
        assertThat(empty.exitCode()).as(empty.toString()).isZero();
        assertThat(empty.out()).contains("ci.sh: no changes; the cluster matches the manifests");
        assertThat(Files.readString(out.resolve("plan.changes"))).isEqualTo("no\n");
        CiSh.Result nothing = ci("apply");
        assertThat(nothing.exitCode()).as(nothing.toString()).isZero();
        assertThat(nothing.out()).isEqualTo("ci.sh: the saved plan has no changes; nothing to apply\n");

        CiSh.Result clean = ci("drift");
        assertThat(clean.exitCode()).as(clean.toString()).isZero();
        assertThat(clean.out()).contains("  ok    vm " + VM + "\n", "ci.sh: no drift\n");
        assertThat(JunitSchemas.failures(JunitSchemas.parse(Files.readString(out.resolve("drift.xml"))))).isZero();
        assertThat(out.resolve("drift.md")).isRegularFile();

        VIRSH.ok("setmaxmem", VM, "131072", "--config");
        CiSh.Result drifted = ci("drift");
        assertThat(drifted.exitCode()).as(drifted.toString()).isEqualTo(2);
        assertThat(drifted.err()).contains("ci.sh: drift found; the report is " + out.resolve("drift.xml"));
        String xml = Files.readString(out.resolve("drift.xml"));
        assertThat(JunitSchemas.failures(JunitSchemas.parse(xml))).isEqualTo(1);
        assertThat(JunitSchemas.failedTestCases(JunitSchemas.parse(xml))).containsExactly("mcvirt." + CLUSTER + ".vm/"
                + VM);
        assertThat(Files.readString(out.resolve("drift.md"))).contains(VM, "memory");
    }
}
