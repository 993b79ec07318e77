package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mcvirt.testing.Cli;

/** The command line without any node: parsing, validation, exit codes, saved-plan checks. */
class CliTest {
    private static final String BROKEN = "src/test/resources/testdata/manifest/broken.yaml";

    @Test
    void validatePrintsEveryErrorAndExitsOne() {
        Cli.Result result = Cli.run("-f", BROKEN, "validate");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err().lines()).hasSize(6).allMatch(l -> l.startsWith(BROKEN + ":") && l.contains(": error: "));
        assertThat(result.out()).isEmpty();
    }

    @Test
    void validateAcceptsTheExamples() {
        Cli.Result result = Cli.run("-f", "manifests/examples/local.yaml", "validate");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("cluster demo, 1 nodes, 1 networks, 2 vms");
    }

    @Test
    void planOnABrokenManifestContactsNoNodeAndExitsOne() {
        Cli.Result result = Cli.run("-f", BROKEN, "plan", "--detailed-exitcode");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("broken.yaml:14:5: error: unknown key 'cpu' in vm (did you mean 'cpus'?)");
    }

    @Test
    void usageErrorsExit64() {
        assertThat(Cli.run("plan", "--no-such-flag").exitCode()).isEqualTo(64);
        assertThat(Cli.run("frobnicate").exitCode()).isEqualTo(64);
        Cli.Result result = Cli.run("-f", "manifests/examples/local.yaml", "apply", "--parallelism", "many");
        assertThat(result.exitCode()).isEqualTo(64);
        assertThat(result.err()).contains("--parallelism");
    }

    @Test
    void missingManifestIsNamed(@TempDir Path dir) {
        Cli.Result result = Cli.run("-f", dir.resolve("nope.yaml").toString(), "validate");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("nope.yaml:1:1: error: no such manifest file or directory");
    }

    @Test
    void damagedOrForeignPlanFilesAreRefused(@TempDir Path dir) throws Exception {
        Path damaged = dir.resolve("damaged.plan");
        Files.writeString(damaged, "{\"formatVersion\": 1, \"steps\": [");
        Cli.Result result = Cli.run("-f", "manifests/examples/local.yaml", "apply", "--auto-approve", damaged.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("Error: plan file " + damaged + " is not a valid mcvirt plan: line ");
        Path future = dir.resolve("future.plan");
        Files.writeString(future, Files.readString(Path.of("src/test/resources/testdata/plan/vm-removed/plan.json"))
                .replace("\"formatVersion\" : " + org.mcvirt.plan.Plan.FORMAT_VERSION, "\"formatVersion\" : 99"));
        result = Cli.run("-f", "manifests/examples/local.yaml", "apply", "--auto-approve", future.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("plan format version 99 is not supported");
    }

    @Test
    void aSavedPlanWithABrokenStepGraphIsRefusedBeforeAnythingElse(@TempDir Path dir) throws Exception {
        // steps 1, 2, 3: shut down, undefine, delete volume; step 3 now also waits for a step 9 that is not there
        Path bad = dir.resolve("bad.plan");
        String plan = Files.readString(Path.of("src/test/resources/testdata/plan/vm-removed/plan.json"));
        assertThat(plan).containsOnlyOnce("\"dependsOn\" : [ 2 ]");
        Files.writeString(bad, plan.replace("\"dependsOn\" : [ 2 ]", "\"dependsOn\" : [ 2, 9 ]"));
        // the manifest does not exist: the plan file is checked first, before manifests or nodes
        Cli.Result result = Cli.run("-f", dir.resolve("absent.yaml").toString(), "apply", "--auto-approve",
                "--allow-destroy", bad.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("Error: plan file " + bad + " is not a valid mcvirt plan: step 3 depends on"
                + " step 9, which is not in the plan\n");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void helpExplainsExitCodes() {
        Cli.Result result = Cli.run("--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Exit codes: 0 ok/no changes, 1 error, 2 changes present", "validate", "plan",
                "apply");
        assertThat(Cli.run("help", "apply").out()).contains("--allow-destroy", "--auto-approve", "PLANFILE");
    }

    /**
     * One node on libvirt's in-process test driver and one NAT network: plan renders network.ftl, no libvirtd needed.
     * The tests that plan with it are tagged "libvirt" all the same: planning reads the local node, which starts this
     * machine's lvs, vgs and drbdadm (when installed) and reads its /var/lib/mcvirt; the fast tier starts none.
     */
    private static final String TEST_DRIVER_MANIFEST = """
            apiVersion: mcvirt/v1
            cluster: {name: tpl}
            nodes:
              - name: here
                local: true
                libvirt: {uri: "test:///default", domainType: qemu}
            networks:
              - {name: net, nat: true, cidr: 192.168.199.0/24}
            """;

    static Stream<Arguments> brokenTemplates() {
        return Stream.of(
                Arguments.of("syntax error", "<network>\n  <name>${n.name</name>\n</network>\n",
                        ":2:18: error: syntax error: Encountered"),
                Arguments.of("runtime error", "<network>\n  <name>${nosuchvariable}</name>\n</network>\n",
                        ":2:11: error: The following has evaluated to null or missing: nosuchvariable"),
                Arguments.of("not XML", "<network>\n  <name>${n.name}</name>\n",
                        ": error: the output is not well-formed XML (output line "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenTemplates")
    @Tag("libvirt")
    void aBrokenTemplateOverrideIsAClearErrorWithoutAStackTrace(String what, String template, String expected,
                                                               @TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, TEST_DRIVER_MANIFEST);
        Path file = dir.resolve("templates/libvirt/network.ftl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, template);
        Cli.Result result = Cli.run("-f", manifest.toString(), "--templates", dir.resolve("templates").toString(), "plan");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).as(result.toString()).startsWith(file + expected)
                .doesNotContain("internal error", "Exception", "\tat ");
        assertThat(result.err().lines()).as(result.toString()).hasSize(1);
        assertThat(result.out()).isEmpty();
    }

    @Test
    @Tag("libvirt")
    void aMissingTemplateDirectoryIsAClearError(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, TEST_DRIVER_MANIFEST);
        Cli.Result result = Cli.run("-f", manifest.toString(), "--templates", dir.resolve("nope").toString(), "plan");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("template directory " + dir.resolve("nope") + " is not a directory\n");
    }

    @Test
    @Tag("libvirt")
    void theTestDriverManifestPlansWithTheBuiltInTemplates(@TempDir Path dir) throws Exception {
        // the test above would pass for any failure: this shows the same manifest plans when the templates are fine
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, TEST_DRIVER_MANIFEST);
        Cli.Result result = Cli.run("-f", manifest.toString(), "plan", "--detailed-exitcode");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.out()).contains("create network mcvirt.tpl.net");
    }
}
