package org.mcvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    void helpExplainsExitCodes() {
        Cli.Result result = Cli.run("--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Exit codes: 0 ok/no changes, 1 error, 2 changes present", "validate", "plan",
                "apply");
        assertThat(Cli.run("help", "apply").out()).contains("--allow-destroy", "--auto-approve", "PLANFILE");
    }
}
