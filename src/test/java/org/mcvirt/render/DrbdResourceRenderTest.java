package org.mcvirt.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcvirt.testing.Goldens;

/**
 * The DRBD resource file mcvirt renders, for an 8.4 and a 9 kernel, against golden files, and checked by the real
 * drbd-utils (installed by .ci/install): the parser of that DRBD version must accept it ({@code drbdadm -c FILE dump}),
 * and a dry run of {@code drbdadm -d up} must find the resource as each node ({@code unshare -u} sets the hostname).
 * After a deliberate template change, regenerate with -Dgolden.update=true and review the diff (refused where CI is
 * set). The drbdadm checks are tagged "drbd".
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrbdResourceRenderTest {
    private static final Path GOLDEN = Path.of("src/test/resources/testdata/drbd/render");
    /** -Dgolden.update=true, refused where CI is set (testing.Goldens). */
    private static boolean update;

    @BeforeAll
    static void noGoldenUpdateInCi() {
        update = Goldens.update();
    }

    static Views.DrbdResourceView resource(boolean drbd9, String secret) {
        return new Views.DrbdResourceView("prod", "web1", "root", "mcvirt-web1-root", drbd9, "C", "100M", "sha256",
                secret, List.of(new Views.DrbdHostView("node1", 100, "/dev/vg0/mcvirt-web1-root", "10.99.0.1", 7900),
                        new Views.DrbdHostView("node2", 100, "/dev/vg0/mcvirt-web1-root", "10.99.0.2", 7900)),
                drbd9 ? NOTIFY : null);
    }

    /** The golden file of DRBD 9 has cluster.notify, that of 8.4 not. */
    static final String NOTIFY = "/usr/local/bin/page-oncall drbd";

    record Run(int status, String output) {
    }

    static Run run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    /** drbdadm of the given DRBD version, run with the hostname of a node. */
    static Run drbdadm(boolean drbd9, String hostname, String... args) throws Exception {
        String drbdadm = drbd9 ? "drbdadm" : "/lib/drbd/drbdadm-84";
        List<String> command = new ArrayList<>(List.of("unshare", "-u", "sh", "-c",
                "hostname \"$1\" && shift && exec \"$@\"", "sh", hostname, drbdadm));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String rendered(boolean drbd9) throws Exception {
        return new Renderer(Optional.empty()).drbdResource(resource(drbd9, "not-the-real-one"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theResourceFileMatchesItsGoldenFile(boolean drbd9) throws Exception {
        String text = rendered(drbd9);
        Path golden = GOLDEN.resolve(drbd9 ? "drbd9.res" : "drbd84.res");
        if (update) {
            Files.writeString(golden, text);
        }
        assertThat(text).isEqualTo(Files.readString(golden));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Tag("drbd")
    void drbdUtilsAcceptTheResourceFileAsEachNode(boolean drbd9, @TempDir Path dir) throws Exception {
        String text = rendered(drbd9);
        Path file = dir.resolve("mcvirt-web1-root.res");
        Files.writeString(file, text);
        for (String node : List.of("node1", "node2")) {
            Run dump = drbdadm(drbd9, node, "-c", file.toString(), "dump", "mcvirt-web1-root");
            assertThat(dump.status()).as("drbdadm dump as %s:%n%s", node, dump.output()).isZero();
            assertThat(dump.output()).contains("resource mcvirt-web1-root", "verify-alg", "sha256");
            Run up = drbdadm(drbd9, node, "-c", file.toString(), "-d", "up", "mcvirt-web1-root");
            assertThat(up.status()).as("drbdadm -d up as %s:%n%s", node, up.output()).isZero();
            String self = node.equals("node1") ? "10.99.0.1:7900" : "10.99.0.2:7900";
            assertThat(up.output()).contains("/dev/vg0/mcvirt-web1-root", self);
        }
        Run stranger = drbdadm(drbd9, "node3", "-c", file.toString(), "-d", "up", "mcvirt-web1-root");
        assertThat(stranger.status()).as("a host that is not in the pair").isNotZero();
        assertThat(stranger.output()).contains("not defined in your config (for this host)");
    }

    /**
     * The handlers as DRBD runs them: {@code drbdadm -d EVENT RESOURCE} prints the command the kernel's call would run
     * ({@code /bin/sh -c ...}); that command, run with a logger and timeout of the test's own first on PATH, logs the
     * resource and event and starts cluster.notify's command with the resource as its last argument.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Tag("drbd")
    void theHandlersLogTheEventAndRunTheNotifyCommand(boolean drbd9, @TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("logger"), "#!/bin/sh\nprintf '%s|' \"$@\" >>" + dir.resolve("logged") + "\n");
        Files.writeString(bin.resolve("timeout"), "#!/bin/sh\nshift\nexec \"$@\"\n");
        Path notify = dir.resolve("notify");
        Files.writeString(notify, "#!/bin/sh\nprintf '%s|' \"$@\" >>" + dir.resolve("notified") + "\n");
        for (Path script : List.of(bin.resolve("logger"), bin.resolve("timeout"), notify)) {
            assertThat(script.toFile().setExecutable(true)).isTrue();
        }
        Views.DrbdResourceView view = resource(drbd9, "not-the-real-one");
        view = new Views.DrbdResourceView(view.cluster(), view.vm(), view.disk(), view.name(), drbd9, view.protocol(),
                view.syncRate(), view.verifyAlg(), view.secret(), view.hosts(), notify + " --page drbd");
        Path file = dir.resolve("mcvirt-web1-root.res");
        Files.writeString(file, new Renderer(Optional.empty()).drbdResource(view));
        for (String event : List.of("split-brain", "out-of-sync")) {
            Run dry = drbdadm(drbd9, "node1", "-c", file.toString(), "-d", event, "mcvirt-web1-root");
            assertThat(dry.status()).as("drbdadm -d %s:%n%s", event, dry.output()).isZero();
            String line = dry.output().lines().filter(l -> l.startsWith("/bin/sh -c ")).findFirst().orElseThrow();
            ProcessBuilder builder = new ProcessBuilder("sh", "-c", line).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().put("PATH", bin + ":/usr/bin:/bin");
            Process handler = builder.start();
            assertThat(handler.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readString(dir.resolve("logged"))).isEqualTo(
                "-t|mcvirt-drbd|-p|daemon.err|mcvirt-web1-root (cluster prod, vm web1, disk root): split brain|"
                        + "-t|mcvirt-drbd|-p|daemon.err|mcvirt-web1-root (cluster prod, vm web1, disk root): out of sync|");
        Path notified = dir.resolve("notified");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((!Files.exists(notified) || Files.readString(notified).split("\\|").length < 4)
                && System.nanoTime() < until) {
            Thread.sleep(50); // the notify command runs in the background: DRBD does not wait for it
        }
        assertThat(Files.readString(notified)).isEqualTo("--page|drbd|mcvirt-web1-root|--page|drbd|mcvirt-web1-root|");
    }
}
