package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.node.ssh.NodeScript;

/**
 * The node's verify program (node-scripts/drbd-verify.sh) in a real shell, with a recorded /proc/drbd and fake
 * drbdadm, dmesg and logger first on the PATH: what it records for each way a verify ends, that a failed verify keeps
 * an out-of-sync record, and which resources the scheduled run verifies.
 */
@Timeout(60)
class DrbdVerifyScriptTest {
    private static final String PROC = """
            version: 8.4.11 (api:1/proto:86-101)
            300: cs:%s ro:%s ds:UpToDate/UpToDate C r-----
                ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:%d
            301: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r-----
                ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
            """;

    @TempDir
    Path dir;
    Path bin;
    Path state;

    @BeforeEach
    void fakes() throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        state = dir.resolve("state");
        // verify: the kernel is done at once: /proc/drbd becomes proc.after, and dmesg gains the done line
        tool("drbdadm", """
                case $1 in
                  verify) [ -f "$FAKE/refuse" ] && { echo 'State change failed: (-15) Need a connection' >&2; exit 11; }
                          echo "$2" >>"$FAKE/verified"; cp "$FAKE/proc.after" "$FAKE/proc"
                          [ -f "$FAKE/abort" ] || echo 'block drbd300: Online verify done (total 4 sec)' >>"$FAKE/dmesg" ;;
                  sh-minor) case $2 in r0) echo 300 ;; r1) echo 301 ;; *) exit 10 ;; esac ;;
                esac
                """);
        tool("dmesg", "cat \"$FAKE/dmesg\"");
        tool("logger", "echo \"$*\" >>\"$FAKE/logged\"");
        Files.writeString(dir.resolve("dmesg"), "block drbd300: Online verify done (total 3 sec)\n");
    }

    @Test
    void aCleanVerifyIsRecordedWithItsNode() throws Exception {
        proc("Connected", "Primary/Secondary", 0, 0);
        assertThat(run("start", state.toString(), "r0", "300", "node1")).isEqualTo("started\n");
        String out = run("finish", state.toString(), "r0", "300", "node1", "0");
        assertThat(out).startsWith("recorded {\"resource\":\"r0\",\"startedAt\":\"20")
                .contains("\"result\":\"clean\",\"outOfSyncKiB\":0,\"node\":\"node1\"}");
        assertThat(record("r0")).isEqualTo(out.substring("recorded ".length()).strip());
        assertThat(Files.exists(state.resolve("verify/r0.run"))).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("verify/r0.json"))))
                .isEqualTo("rw-------");
    }

    @Test
    void blocksFoundAreOutOfSyncAndAFailedVerifyLaterKeepsThatRecord() throws Exception {
        proc("Connected", "Primary/Secondary", 0, 64);
        run("start", state.toString(), "r0", "300", "node1");
        assertThat(run("finish", state.toString(), "r0", "300", "node1", "0"))
                .contains("\"result\":\"out-of-sync\",\"outOfSyncKiB\":64");
        String marked = record("r0");
        proc("StandAlone", "Primary/Unknown", 0, 0);
        assertThat(run("start", state.toString(), "r0", "300", "node1")).startsWith("kept {\"resource\":\"r0\"")
                .contains("\"result\":\"failed\"", "it is StandAlone on node1");
        assertThat(record("r0")).isEqualTo(marked);
    }

    @Test
    void aVerifyThatCannotStartOrWasAbortedIsRecordedAsFailed() throws Exception {
        proc("StandAlone", "Primary/Unknown", 0, 0);
        assertThat(run("start", state.toString(), "r0", "300", "node1"))
                .contains("\"result\":\"failed\"").contains("it is StandAlone on node1; an online verify needs both");
        proc("Connected", "Primary/Secondary", 0, 0);
        Files.writeString(dir.resolve("abort"), "");
        run("start", state.toString(), "r0", "300", "node1");
        assertThat(run("finish", state.toString(), "r0", "300", "node1", "0"))
                .contains("\"result\":\"failed\"").contains("aborted before its end");
        Files.delete(dir.resolve("abort"));
        Files.writeString(dir.resolve("refuse"), "");
        assertThat(run("start", state.toString(), "r0", "300", "node1"))
                .contains("\"result\":\"failed\"").contains("drbdadm verify r0 failed: State change failed");
        assertThat(run("start", state.toString(), "r9", "309", "node1"))
                .contains("DRBD minor 309 is not up on node1");
    }

    @Test
    void aVerifyStillRunningAfterTheWaitIsFailedNotOutOfSync() throws Exception {
        proc("VerifyS", "Primary/Secondary", 0, 0);
        assertThat(run("start", state.toString(), "r0", "300", "node1")).isEqualTo("running\n");
        assertThat(run("finish", state.toString(), "r0", "300", "node1", "0"))
                .contains("\"result\":\"failed\"").contains("did not end in the time allowed");
        assertThat(Files.exists(dir.resolve("verified"))).isFalse();
    }

    @Test
    void theScheduledRunVerifiesThisClustersPrimaryResourcesAndLogsEach() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("drbd.d"));
        resourceFile(conf, "r0", "prod");   // Primary here (minor 300)
        resourceFile(conf, "r1", "prod");   // Secondary here: its vm runs on the peer, which verifies it
        resourceFile(conf, "r2", "other");  // another cluster's
        Files.writeString(conf.resolve("hand.res"), "resource hand { }\n");
        proc("Connected", "Primary/Secondary", 0, 64);
        assertThat(run("scheduled", state.toString(), conf.toString(), "node1", "prod", "60")).isEmpty();
        assertThat(Files.readString(dir.resolve("verified"))).isEqualTo("r0\n");
        assertThat(record("r0")).contains("\"result\":\"out-of-sync\"");
        assertThat(Files.exists(state.resolve("verify/r1.json"))).isFalse();
        assertThat(Files.readString(dir.resolve("logged")))
                .isEqualTo("-t mcvirt-drbd -p daemon.err r0 (cluster prod): scheduled verify on node1: out of sync"
                        + " (the vm is marked; see mcvirt resync)\n");
        // while the cluster lock is held here, nothing is verified
        Files.delete(dir.resolve("verified"));
        Files.writeString(state.resolve("lock.json"), "{\"holder\":\"apply\"}\n");
        run("scheduled", state.toString(), conf.toString(), "node1", "prod", "60");
        assertThat(Files.exists(dir.resolve("verified"))).isFalse();
        assertThat(Files.readString(dir.resolve("logged"))).contains("scheduled verify skipped on node1: the cluster"
                + " lock is held ({\"holder\":\"apply\"})");
    }

    private void resourceFile(Path conf, String resource, String cluster) throws IOException {
        Files.writeString(conf.resolve(resource + ".res"), "# Managed by mcvirt (cluster " + cluster + ", vm v, disk d):"
                + " do not edit, mcvirt rewrites it.\n# mcvirt-resource: " + resource + "\nresource " + resource
                + " {\n}\n");
    }

    /** /proc/drbd now, and after the (fake) kernel finished a verify: minor 300 with oos KiB. */
    private void proc(String cs, String ro, long oosNow, long oosAfter) throws IOException {
        Files.writeString(dir.resolve("proc"), PROC.formatted(cs, ro, oosNow));
        Files.writeString(dir.resolve("proc.after"), PROC.formatted("Connected", ro, oosAfter));
    }

    private String record(String resource) throws IOException {
        return Files.readString(state.resolve("verify/" + resource + ".json")).strip();
    }

    private void tool(String name, String body) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        file.toFile().setExecutable(true);
    }

    private String run(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(NodeScript.DRBD_VERIFY.command(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        builder.environment().put("PATH", bin + ":/usr/bin:/bin");
        builder.environment().put("FAKE", dir.toString());
        builder.environment().put("MCVIRT_PROC_DRBD", dir.resolve("proc").toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        return out;
    }
}
