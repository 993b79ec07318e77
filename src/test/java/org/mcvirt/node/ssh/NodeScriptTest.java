package org.mcvirt.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node scripts: one place for all of them, each run here by the local sh as a node's sh would run it. */
class NodeScriptTest {
    private static final Path MAIN = Path.of("src/main");
    private static final LocalTransport LOCAL = new LocalTransport("here", Duration.ofSeconds(30));

    @Test
    void everyScriptResourceIsOneOfTheScriptsAndTheyAreAllHere() throws IOException {
        try (Stream<Path> files = Files.list(MAIN.resolve("resources/node-scripts"))) {
            assertThat(files.map(f -> "/node-scripts/" + f.getFileName()).sorted().toList())
                    .isEqualTo(Arrays.stream(NodeScript.values()).map(NodeScript::resource).sorted().toList());
        }
    }

    @Test
    void noOtherSourceSpellsAScriptOrThePathFix() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN.resolve("java"))) {
            List<String> found = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                String text = read(f);
                return text.contains("\"sh\", \"-c\"") || text.contains("/usr/sbin:/sbin");
            }).map(f -> f.getFileName().toString()).toList();
            assertThat(found).containsExactly("NodeScript.java");
        }
        assertThat(Arrays.stream(NodeScript.values()).filter(s -> s.text().contains("/usr/sbin:/sbin")))
                .containsExactly(NodeScript.TOOL, NodeScript.HAS_TOOL, NodeScript.DRBD_VERIFY, NodeScript.STORAGE_READ,
                        NodeScript.LIBVIRT_ACCESS, NodeScript.IMAGE_WRITE);
    }

    @Test
    void aScriptGetsItsArgumentsAsPositionalParametersAfterItsName() {
        List<String> command = NodeScript.LOCK_RELEASE.command("/s/lock.json", "to'ken; rm -rf /");
        assertThat(command).containsExactly("sh", "-c", NodeScript.LOCK_RELEASE.text(), "mcvirt-unlock",
                "/s/lock.json", "to'ken; rm -rf /");
        assertThat(NodeScript.FILE_READ.text().strip()).endsWith("exit " + NodeScript.FILE_MISSING_STATUS);
    }

    @Test
    void theLockIsTakenOnceReleasedOnlyByItsTokenAndBroken(@TempDir Path directory) throws Exception {
        String state = directory.resolve("state").toString();
        String lock = state + "/lock.json";
        assertThat(LOCAL.run(NodeScript.LOCK_TAKE.command(state, "{\"token\":\"t1\"}", lock)).succeeded()).isTrue();
        assertThat(Files.readString(Path.of(lock))).isEqualTo("{\"token\":\"t1\"}\n");
        assertThat(LOCAL.run(NodeScript.LOCK_TAKE.command(state, "{\"token\":\"t2\"}", lock)).succeeded())
                .as("noclobber").isFalse();
        assertThat(LOCAL.run(NodeScript.LOCK_RELEASE.command(lock, "t2")).succeeded()).isTrue();
        assertThat(Path.of(lock)).as("another holder's token releases nothing").exists();
        assertThat(LOCAL.run(NodeScript.LOCK_RELEASE.command(lock, "t1")).succeeded()).isTrue();
        assertThat(Path.of(lock)).doesNotExist();
        assertThat(LOCAL.run(NodeScript.LOCK_BREAK.command(lock, "token", "t1")).exitStatus()).as("nothing to break")
                .isEqualTo(NodeScript.LOCK_GONE_STATUS);
        LOCAL.run(NodeScript.LOCK_TAKE.command(state, "{\"token\":\"t3\"}", lock));
        assertThat(LOCAL.run(NodeScript.LOCK_BREAK.command(lock, "token", "t4")).exitStatus())
                .as("another holder's lock is not the one shown").isEqualTo(NodeScript.LOCK_CHANGED_STATUS);
        assertThat(LOCAL.run(NodeScript.LOCK_BREAK.command(lock, "text", "{}")).exitStatus())
                .isEqualTo(NodeScript.LOCK_CHANGED_STATUS);
        assertThat(Path.of(lock)).exists();
        assertThat(LOCAL.run(NodeScript.LOCK_BREAK.command(lock, "token", "t3")).succeeded()).isTrue();
        assertThat(Path.of(lock)).doesNotExist();
        LOCAL.run(NodeScript.LOCK_TAKE.command(state, "not json", lock));
        assertThat(LOCAL.run(NodeScript.LOCK_BREAK.command(lock, "text", "not json")).succeeded()).isTrue();
        assertThat(Path.of(lock)).doesNotExist();
    }

    @Test
    void theHeartbeatRenewsOnlyItsOwnLockAndTheCheckTellsWhetherItIsStillHeld(@TempDir Path directory)
            throws Exception {
        String state = directory.resolve("state").toString();
        String lock = state + "/lock.json";
        assertThat(LOCAL.run(NodeScript.LOCK_RENEW.command(lock, "t1", "{\"token\":\"t1\",\"n\":2}")).exitStatus())
                .as("no lock to renew").isEqualTo(NodeScript.LOCK_GONE_STATUS);
        assertThat(Path.of(lock)).doesNotExist();
        LOCAL.run(NodeScript.LOCK_TAKE.command(state, "{\"token\":\"t1\",\"n\":1}", lock));
        assertThat(LOCAL.run(NodeScript.LOCK_CHECK.command(lock, "t1")).succeeded()).isTrue();
        assertThat(LOCAL.run(NodeScript.LOCK_RENEW.command(lock, "t1", "{\"token\":\"t1\",\"n\":2}")).succeeded())
                .isTrue();
        assertThat(Files.readString(Path.of(lock))).isEqualTo("{\"token\":\"t1\",\"n\":2}\n");
        assertThat(LOCAL.run(NodeScript.LOCK_RENEW.command(lock, "t2", "{\"token\":\"t2\"}")).exitStatus())
                .isEqualTo(NodeScript.LOCK_GONE_STATUS);
        assertThat(LOCAL.run(NodeScript.LOCK_CHECK.command(lock, "t2")).exitStatus())
                .isEqualTo(NodeScript.LOCK_GONE_STATUS);
        assertThat(Files.readString(Path.of(lock))).isEqualTo("{\"token\":\"t1\",\"n\":2}\n");
        try (Stream<Path> files = Files.list(Path.of(state))) {
            assertThat(files.map(f -> f.getFileName().toString())).as("no temporary file left")
                    .containsExactlyInAnyOrder("lock.json", "lock.json.guard");
        }
    }

    @Test
    void theJournalIsAppendedToInADirectoryMadeOnTheWay(@TempDir Path directory) throws Exception {
        String state = directory.resolve("a/b").toString();
        String journal = state + "/journal.jsonl";
        assertThat(LOCAL.run(NodeScript.JOURNAL_APPEND.command(state, "{\"n\":1}", journal)).succeeded()).isTrue();
        assertThat(LOCAL.run(NodeScript.JOURNAL_APPEND.command(state, "{\"n\":2}", journal)).succeeded()).isTrue();
        assertThat(Files.readString(Path.of(journal))).isEqualTo("{\"n\":1}\n{\"n\":2}\n");
    }

    /**
     * A step's journal line goes in only while the lock file holds the token (read with shell built-ins, the last
     * line with or without its newline); a lock file that is gone or holds another token: exit status 3, no line.
     */
    @Test
    void aStepsJournalLineIsWrittenOnlyUnderTheLock(@TempDir Path directory) throws Exception {
        String state = directory.resolve("state").toString();
        String lock = state + "/lock.json";
        String journal = state + "/journal.jsonl";
        assertThat(LOCAL.run(NodeScript.JOURNAL_APPEND.command(state, "{\"n\":0}", journal)).succeeded()).isTrue();
        assertThat(LOCAL.run(NodeScript.JOURNAL_STEP.command(journal, "{\"n\":1}", lock, "t1")).exitStatus())
                .as("no lock file").isEqualTo(NodeScript.LOCK_GONE_STATUS);
        Files.writeString(Path.of(lock), "{\"host\":\"h\",\n\"token\":\"t1\",\"n\":1}");
        assertThat(LOCAL.run(NodeScript.JOURNAL_STEP.command(journal, "{\"n\":2}", lock, "t1")).succeeded())
                .as("held; the last line has no newline").isTrue();
        assertThat(LOCAL.run(NodeScript.JOURNAL_STEP.command(journal, "{\"n\":3}", lock, "t")).exitStatus())
                .as("a prefix of the token is not the token").isEqualTo(NodeScript.LOCK_GONE_STATUS);
        Files.writeString(Path.of(lock), "{\"token\":\"t2\"}\n");
        assertThat(LOCAL.run(NodeScript.JOURNAL_STEP.command(journal, "{\"n\":4}", lock, "t1")).exitStatus())
                .as("taken by another holder").isEqualTo(NodeScript.LOCK_GONE_STATUS);
        assertThat(LOCAL.run(NodeScript.JOURNAL_STEP.command(journal, "{\"n\":5}", "", "")).succeeded())
                .as("a line after the step: no lock checked").isTrue();
        assertThat(Files.readString(Path.of(journal))).isEqualTo("{\"n\":0}\n{\"n\":2}\n{\"n\":5}\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(journal))))
                .isEqualTo("rw-------");
    }

    @Test
    void toolsAreFoundWithSbinOnThePathAndRunWithoutInput() throws Exception {
        assertThat(LOCAL.run(NodeScript.HAS_TOOL.command("sh")).succeeded()).isTrue();
        assertThat(LOCAL.run(NodeScript.HAS_TOOL.command("mcvirt-no-such-tool")).succeeded()).isFalse();
        CommandResult path = LOCAL.run(NodeScript.TOOL.command("sh", "-c", "printf '%s' \"$PATH\"; cat"));
        assertThat(path.stdout()).endsWith(":/usr/sbin:/sbin");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
