package org.mcvirt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.testing.CiSh;
import org.mcvirt.testing.Programs;

/**
 * The GitOps example (manifests/examples/gitops) without nodes: ci.sh validate on the example and on broken copies,
 * its overrides and usage errors, shellcheck of ci.sh, and the pipeline files parsed as YAML with the jobs and reports
 * its README promises. Plan, apply and drift through ci.sh run in GitopsCiLocalLibvirtIT (host libvirt) and
 * LabGitopsIT (the lab).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GitopsExampleTest {
    private static final Duration LIMIT = Duration.ofMinutes(1);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path CI_SH = CiSh.EXAMPLE.resolve("ci.sh");
    private static Path mcvirt;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void mcvirtFromTheClassPath() throws Exception {
        mcvirt = CiSh.mcvirtCommand(shared);
    }

    private static Map<String, String> environment(String... more) {
        Map<String, String> environment = new java.util.HashMap<>(Map.of("MCVIRT", mcvirt.toString(),
                "MCVIRT_DRBD_SECRET", "Example-secret-1"));
        for (int i = 0; i < more.length; i += 2) {
            environment.put(more[i], more[i + 1]);
        }
        return environment;
    }

    /** LINE:COLUMN (1-based) of value on the first line of file that contains line: where mcvirt reports a value. */
    private static String place(Path file, String line, String value) throws Exception {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(line)) {
                return (i + 1) + ":" + (lines.get(i).indexOf(value, lines.get(i).indexOf(line)) + 1);
            }
        }
        throw new AssertionError(line + " is not in " + file);
    }

    @Test
    void validateOnTheExampleExitsZeroWithoutContactingANode() throws Exception {
        CiSh.Result result = CiSh.run(CI_SH, environment("MCVIRT_OUT", dir.resolve("out").toString()), LIMIT,
                "validate");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("The manifests are valid: cluster gitops, 2 nodes, 1 networks, 2 vms.\n");
        assertThat(result.err()).isEqualTo("+ mcvirt validate\n");
        assertThat(dir.resolve("out")).as("validate writes no artifact").doesNotExist();
    }

    @Test
    void aBrokenCopyExitsOneWithEveryProblemAsFileLineColumn() throws Exception {
        Path copy = CiSh.copyExample(dir);
        Path www1 = copy.resolve("vms/www1.yaml");
        Files.writeString(www1, Files.readString(www1).replace("memory: 64MiB", "memory: 64")
                .replace("    cpus: 1", "    cpu: 1"));
        CiSh.Result result = CiSh.run(copy.resolve("ci.sh"), environment(), LIMIT, "validate");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).contains(
                www1 + ":" + place(www1, "cpu: 1", "cpu") + ": error: unknown key 'cpu' in vm (did you mean 'cpus'?)\n",
                www1 + ":" + place(www1, "memory: 64", "64") + ": error: 'memory' must be a size with a unit");
    }

    @Test
    void theDrbdSecretIsReadFromTheEnvironmentCluster_yamlNames() throws Exception {
        Map<String, String> without = environment();
        without.remove("MCVIRT_DRBD_SECRET");
        CiSh.Result result = CiSh.run(CI_SH, without, LIMIT, "validate");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        Path cluster = CiSh.EXAMPLE.resolve("cluster.yaml");
        assertThat(result.err()).contains(cluster + ":" + place(cluster, "name: gitops", "gitops")
                + ": error: cluster.drbd.secret: the environment variable MCVIRT_DRBD_SECRET is not set");
    }

    @Test
    void mcvirtNodesReplacesTheNodesDirectory() throws Exception {
        Path nodes = dir.resolve("lab-nodes.yaml");
        Files.writeString(nodes, """
                apiVersion: mcvirt/v1
                nodes:
                  - name: node1
                    address: 127.0.0.1
                    ssh: {port: 2221}
                    storage: [{name: images, type: file, path: /tmp/images}, {name: vg0, type: lvm, volumeGroup: vg0}]
                  - name: node2
                    address: 127.0.0.1
                    ssh: {port: 2222}
                    storage: [{name: images, type: file, path: /tmp/images}, {name: vg0, type: lvm, volumeGroup: vg0}]
                """);
        CiSh.Result replaced = CiSh.run(CI_SH, environment("MCVIRT_NODES", nodes.toString()), LIMIT, "validate");
        assertThat(replaced.exitCode()).as("no duplicate node: nodes/ is not read\n%s", replaced).isZero();

        CiSh.Result added = CiSh.run(CI_SH, environment("MCVIRT_NODES", CiSh.EXAMPLE.resolve("nodes") + ":" + nodes),
                LIMIT, "validate");
        assertThat(added.exitCode()).as(added.toString()).isEqualTo(1);
        assertThat(added.err()).contains(nodes + ":3:11: error: duplicate node 'node1' (also defined at "
                + CiSh.EXAMPLE.resolve("nodes/node1.yaml") + ":");
    }

    @Test
    void mcvirtManifestReplacesTheWholeLayout() throws Exception {
        CiSh.Result result = CiSh.run(CI_SH, environment("MCVIRT_MANIFEST", CiSh.EXAMPLE.resolve("cluster.yaml") + ":"
                + CiSh.EXAMPLE.resolve("networks")), LIMIT, "validate");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("The manifests are valid: cluster gitops, 0 nodes, 1 networks, 0 vms.\n");
    }

    @Test
    void usageErrorsMissingMcvirtAndAMissingPlanAreReported() throws Exception {
        CiSh.Result none = CiSh.run(CI_SH, environment(), LIMIT);
        assertThat(none.exitCode()).isEqualTo(64);
        assertThat(none.err()).isEqualTo("usage: ci.sh validate|plan|apply|drift\n");
        CiSh.Result unknown = CiSh.run(CI_SH, environment(), LIMIT, "destroy");
        assertThat(unknown.exitCode()).isEqualTo(64);

        Map<String, String> noMcvirt = environment("PATH", "/usr/bin:/bin");
        noMcvirt.remove("MCVIRT");
        Assumptions.assumeFalse(Files.exists(Path.of("/usr/bin/mcvirt")) || Files.exists(Path.of("/bin/mcvirt")));
        CiSh.Result missing = CiSh.run(CI_SH, noMcvirt, LIMIT, "validate");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("ci.sh: no mcvirt command: put mcvirt on the PATH or set MCVIRT\n");

        CiSh.Result apply = CiSh.run(CI_SH, environment("MCVIRT_OUT", dir.toString()), LIMIT, "apply");
        assertThat(apply.exitCode()).isEqualTo(1);
        assertThat(apply.err()).isEqualTo("ci.sh: no saved plan " + dir.resolve("mcvirt.plan") + ": run 'ci.sh plan'"
                + " first (the pipeline passes it on as an artifact)\n");
    }

    @Test
    @Tag("tools")
    void shellcheckFindsNothingInCiSh() throws Exception {
        Path shellcheck = Programs.require("shellcheck", "shellcheck");
        Process process = new ProcessBuilder(shellcheck.toString(), "--shell=bash", "--severity=style", CI_SH.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    @Test
    void theExampleIsALayoutOfSmallFilesWithTinyVms() throws Exception {
        assertThat(CiSh.EXAMPLE.resolve("cluster.yaml")).isRegularFile();
        for (String directory : List.of("nodes", "networks", "vms")) {
            try (var files = Files.list(CiSh.EXAMPLE.resolve(directory))) {
                assertThat(files.map(p -> p.getFileName().toString()).toList()).as(directory).isNotEmpty()
                        .allMatch(name -> name.endsWith(".yaml"));
            }
        }
        try (var files = Files.list(CiSh.EXAMPLE.resolve("vms"))) {
            for (Path file : files.toList()) {
                for (JsonNode vm : YAML.readTree(file.toFile()).get("vms")) {
                    assertThat(vm.get("memory").asText()).as("memory of %s", file).isEqualTo("64MiB");
                    for (JsonNode disk : vm.path("disks")) {
                        assertThat(disk.get("size").asText()).as("disk size in %s", file).isIn("32MiB", "64MiB");
                    }
                }
            }
        }
        assertThat(Files.isExecutable(CI_SH)).isTrue();
    }

    private static List<String> scripts(JsonNode job) {
        List<String> lines = new ArrayList<>();
        job.path("script").forEach(line -> lines.add(line.asText()));
        job.path("steps").forEach(step -> lines.add(step.path("run").asText()));
        return lines;
    }

    @Test
    void gitlabCiValidatesPlansWithACommentAppliesTheSavedPlanAndReportsDriftAsJunit() throws Exception {
        JsonNode gitlab = YAML.readTree(CiSh.EXAMPLE.resolve(".gitlab-ci.yml").toFile());
        assertThat(gitlab.get("stages")).hasSize(4);
        for (String job : List.of("validate", "plan", "apply", "drift")) {
            assertThat(gitlab.has(job)).as("job %s", job).isTrue();
            assertThat(scripts(gitlab.get(job))).as("job %s", job).contains("./ci.sh " + job);
            assertThat(gitlab.get(job).get("rules")).as("rules of %s", job).isNotEmpty();
        }
        assertThat(gitlab.at("/plan/script/1").asText()).contains("merge_requests/$CI_MERGE_REQUEST_IID/notes",
                "PRIVATE-TOKEN: $GITLAB_TOKEN", "plan.md");
        assertThat(gitlab.at("/plan/artifacts/paths/0").asText()).isEqualTo("out/");
        assertThat(gitlab.at("/apply/needs/0").asText()).isEqualTo("plan");
        assertThat(gitlab.at("/apply/resource_group").asText()).isEqualTo(gitlab.at("/plan/resource_group").asText());
        assertThat(gitlab.at("/drift/rules/0/if").asText()).isEqualTo("$CI_PIPELINE_SOURCE == \"schedule\"");
        assertThat(gitlab.at("/drift/artifacts/reports/junit").asText()).isEqualTo("out/drift.xml");
        assertThat(gitlab.at("/drift/artifacts/when").asText()).isEqualTo("always");
        assertThat(gitlab.at("/.ssh/before_script").toString()).contains("MCVIRT_SSH_KEY", "MCVIRT_KNOWN_HOSTS",
                "mcvirt_ed25519", "mcvirt_known_hosts");
        for (String job : List.of("plan", "apply", "drift")) {
            assertThat(gitlab.at("/" + job + "/extends").asText()).as("%s gets the SSH key", job).isEqualTo(".ssh");
        }
        assertThat(gitlab.at("/variables/MCVIRT_OUT").asText()).isEqualTo("$CI_PROJECT_DIR/out");
    }

    @Test
    void githubActionsValidatesPlansWithACommentAppliesTheSavedPlanAndReportsDriftAsJunit() throws Exception {
        JsonNode github = YAML.readTree(CiSh.EXAMPLE.resolve(".github/workflows/mcvirt.yml").toFile());
        assertThat(github.get("on").has("push")).isTrue();
        assertThat(github.get("on").has("pull_request")).isTrue();
        assertThat(github.at("/on/schedule/0/cron").asText()).isNotBlank();
        JsonNode jobs = github.get("jobs");
        for (String job : List.of("validate", "plan", "apply", "drift")) {
            assertThat(jobs.has(job)).as("job %s", job).isTrue();
            assertThat(scripts(jobs.get(job))).as("job %s", job).contains("./ci.sh " + job);
        }
        assertThat(jobs.at("/plan/outputs/changes").asText()).isEqualTo("${{ steps.plan.outputs.changes }}");
        assertThat(jobs.at("/plan/permissions/pull-requests").asText()).isEqualTo("write");
        assertThat(jobs.get("plan").get("steps").toString()).contains("actions/github-script", "plan.md",
                "createComment", "actions/upload-artifact", "mcvirt-plan");
        assertThat(jobs.at("/apply/needs").asText()).isEqualTo("plan");
        assertThat(jobs.at("/apply/if").asText()).contains("needs.plan.outputs.changes == 'yes'",
                "refs/heads/main");
        assertThat(jobs.get("apply").get("steps").toString()).contains("actions/download-artifact", "mcvirt-plan");
        assertThat(jobs.at("/drift/if").asText()).contains("schedule");
        assertThat(jobs.get("drift").get("steps").toString()).contains("mikepenz/action-junit-report",
                "out/drift.xml");
        assertThat(jobs.at("/drift/permissions/checks").asText()).isEqualTo("write");
        for (String job : List.of("plan", "apply", "drift")) {
            assertThat(jobs.get(job).get("steps").toString()).as("%s gets the SSH key", job)
                    .contains("secrets.MCVIRT_SSH_KEY", "secrets.MCVIRT_KNOWN_HOSTS", "mcvirt_ed25519");
        }
        assertThat(github.at("/env/MCVIRT_DRBD_SECRET").asText()).isEqualTo("${{ secrets.MCVIRT_DRBD_SECRET }}");
    }
}
