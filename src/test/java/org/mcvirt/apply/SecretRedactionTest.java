package org.mcvirt.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.node.NodePrimitives;
import org.mcvirt.node.StoragePrimitives;
import org.mcvirt.node.ssh.CommandResult;
import org.mcvirt.node.ssh.NodeTransport;
import org.mcvirt.plan.Plan;
import org.mcvirt.plan.Step;
import org.mcvirt.plan.StepPayload;
import org.mcvirt.render.Views;

/**
 * The DRBD shared secret never leaves a node in what mcvirt reports: drbd-utils prints the failing drbdsetup command
 * line, every option as {@code --name=value}, when a child exits with 10 or more (drbd-utils' shared_main.c), and the
 * bring-up's connect carries the secret. Over a transport that answers as the lab's drbd-utils 9.22 on DRBD 8.4 does
 * when the resource's port is already taken, neither the step's outcome, nor the journal line on the node, nor
 * anything the listener shows holds the secret.
 */
class SecretRedactionTest {
    private static final String SECRET = "Unique-Secret-4711";
    private static final String RESOURCE = "mcvirt_vm1_root";

    /** drbdadm adjust on DRBD 8.4 when another connection holds the local address (kernel: ERR_LOCAL_ADDR). */
    private static final String ADJUST_FAILED = RESOURCE + ": Failure: (102) Local address(port) already in use.\n"
            + "Command 'drbdsetup-84 connect " + RESOURCE + " ipv4:10.99.0.1:7900 ipv4:10.99.0.2:7900 --protocol=C"
            + " --cram-hmac-alg=sha1 --shared-secret=" + SECRET + " --verify-alg=sha1' terminated with exit code 10\n";

    /** What drbdadm dump prints of the resource (the secret as the file has it). */
    private static final String DUMP = "# resource " + RESOURCE + " on node1: not ignored, not stacked\n"
            + "resource " + RESOURCE + " {\n    net {\n        cram-hmac-alg    sha1;\n        shared-secret    \""
            + SECRET + "\";\n    }\n}\n";

    /** Answers drbd-utils' commands as the lab's node did; records the journal lines and files it is given. */
    private static final class FailingConnect implements NodeTransport {
        final List<String> journal = Collections.synchronizedList(new ArrayList<>());
        final List<String> files = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String nodeName() {
            return "n1";
        }

        @Override
        public CommandResult run(List<String> command) {
            if (command.size() > 4 && command.get(3).startsWith("mcvirt-journal")) {
                journal.add(command.get(5));
                return new CommandResult(0, "", "");
            }
            String line = String.join(" ", command);
            if (line.contains("drbdadm adjust")) {
                return new CommandResult(10, "", ADJUST_FAILED);
            }
            if (line.contains("drbdadm net-options")) {
                return new CommandResult(10, "", RESOURCE + ": Failure: (164) Can not clear allow_two_primaries\n"
                        + "Command 'drbdsetup-84 net-options ipv4:10.99.0.1:7900 ipv4:10.99.0.2:7900 --set-defaults"
                        + " --protocol=C --shared-secret=" + SECRET + "' terminated with exit code 10\n");
            }
            if (line.contains("drbdadm dump") || line.contains("dump " + RESOURCE)) {
                return new CommandResult(0, DUMP, "");
            }
            return new CommandResult(0, "", "");
        }

        @Override
        public String endpoint() {
            return "test";
        }

        @Override
        public void writeFileAtomically(String path, byte[] content, String mode) {
            files.add(path + " " + new String(content, StandardCharsets.UTF_8));
        }

        @Override
        public Optional<byte[]> readFile(String path) {
            return Optional.empty();
        }

        @Override
        public void close() {
        }
    }

    /** Libvirt is not used by these steps: any call is a test failure. */
    private static NodePrimitives noLibvirt() {
        return (NodePrimitives) Proxy.newProxyInstance(NodePrimitives.class.getClassLoader(),
                new Class<?>[] {NodePrimitives.class}, (proxy, method, arguments) -> {
                    throw new AssertionError("libvirt was called: " + method.getName());
                });
    }

    private static final class Shown implements ApplyListener {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void started(Step step) {
            lines.add("started " + step.description());
        }

        @Override
        public void finished(Step step, long millis, String note) {
            lines.add("finished " + note);
        }

        @Override
        public void failed(Step step, long millis, String error) {
            lines.add("failed " + error);
        }

        @Override
        public void skipped(Step step, String why) {
            lines.add("skipped " + why);
        }

        @Override
        public void progress(Step step, String message) {
            lines.add("progress " + message);
        }
    }

    private static List<StepOutcome> apply(FailingConnect node, Shown shown, Step... steps) {
        StepRunner runner = new JournalingStepRunner(new LibvirtStepRunner(Map.of("n1", noLibvirt()),
                name -> StoragePrimitives.over(name, node), 30, Duration.ofSeconds(5), shown), name -> node,
                Map.of("n1", "/var/lib/mcvirt"), "apply-1");
        Plan plan = new Plan(Plan.FORMAT_VERSION, "c", "f", List.of(), List.of(steps), List.of(),
                new Plan.Summary(0, 0, 0, 0));
        return new Executor(runner, 1, shown).execute(plan);
    }

    @Test
    void aFailedBringUpReportsDrbdUtilsWordsButNeverTheSecret(@TempDir Path directory) throws Exception {
        Path secret = directory.resolve("drbd.secret");
        Files.writeString(secret, SECRET + "\n");
        Step write = new Step(1, "n1", "drbd:n1/" + RESOURCE, List.of(), "disk", "write the resource file",
                new StepPayload.WriteDrbdConfig(RESOURCE, "resource " + RESOURCE + " { net { shared-secret \""
                        + Views.SECRET_PLACEHOLDER + "\"; } }", "/etc/drbd.d", "/var/lib/mcvirt", secret.toString(),
                        null), List.of());
        Step up = new Step(2, "n1", "drbd-up:n1/" + RESOURCE, List.of(), "disk", "bring up " + RESOURCE,
                new StepPayload.DrbdUp(RESOURCE), List.of(1));
        FailingConnect node = new FailingConnect();
        Shown shown = new Shown();

        List<StepOutcome> outcomes = apply(node, shown, write, up);

        assertThat(node.files).as("the file itself has the secret: it is what DRBD needs")
                .anyMatch(f -> f.startsWith("/etc/drbd.d/" + RESOURCE + ".res ") && f.contains(SECRET));
        assertThat(outcomes).extracting(StepOutcome::status)
                .containsExactly(StepOutcome.Status.DONE, StepOutcome.Status.FAILED);
        String failure = outcomes.get(1).message();
        assertThat(failure).as("drbd-utils' own words are kept")
                .contains("Local address(port) already in use").contains("--shared-secret=(secret)")
                .doesNotContain(SECRET);
        assertThat(node.journal).as("the journal on the node").anyMatch(l -> l.contains("\"failed\""))
                .allMatch(l -> !l.contains(SECRET));
        assertThat(shown.lines).as("what the terminal shows").anyMatch(l -> l.startsWith("failed "))
                .allMatch(l -> !l.contains(SECRET));
    }

    @Test
    void aResourceBroughtUpInALaterRunAndDualPrimaryAreRedactedToo() throws Exception {
        Step up = new Step(1, "n1", "drbd-up:n1/" + RESOURCE, List.of(), "disk", "bring up " + RESOURCE,
                new StepPayload.DrbdUp(RESOURCE), List.of());
        FailingConnect node = new FailingConnect();
        Shown shown = new Shown();

        List<StepOutcome> outcomes = apply(node, shown, up);

        assertThat(outcomes.get(0).message()).contains("terminated with exit code 10").doesNotContain(SECRET);
        assertThat(node.journal).allMatch(l -> !l.contains(SECRET));
        assertThat(shown.lines).allMatch(l -> !l.contains(SECRET));

        assertThatThrownBy(() -> StoragePrimitives.over("n1", node).drbd()
                .allowTwoPrimaries(RESOURCE, false)).hasMessageContaining("Can not clear allow_two_primaries")
                .hasMessageNotContaining(SECRET);
    }
}
