package org.mcvirt.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.node.StateDirectory;

/**
 * What mcvirt writes in the state directory is for root only, 0600 files and 0700 directories (the journal quotes
 * errors from nodes; the lock names users and hosts), and the state directory itself 0711: not listable, but storage
 * pools below it stay reachable for qemu. Whatever the umask the node's sh starts with: each node script run here by
 * the local sh, with the umask a login usually has (022).
 */
class StateDirectoryModesTest {
    private static final LocalTransport LOCAL = new LocalTransport("here", Duration.ofSeconds(30));

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** The script run as a node runs it, under umask 022 (so a script that sets none would leave 0755 and 0644). */
    private static CommandResult run(NodeScript script, String... arguments) throws SshException {
        return LOCAL.run(script.commandOf("umask 022\n" + script.text(), arguments));
    }

    @Test
    void theJournalAndItsDirectoryAreMadeForRootOnly(@TempDir Path directory) throws Exception {
        StateDirectory state = new StateDirectory(directory.resolve("var/mcvirt").toString());
        assertThat(run(NodeScript.JOURNAL_APPEND, state.root(), "{\"n\":1}", state.journalFile()).succeeded())
                .isTrue();
        assertThat(mode(Path.of(state.root()))).isEqualTo("rwx--x--x");
        assertThat(mode(directory.resolve("var"))).as("made on the way, as usual").isEqualTo("rwxr-xr-x");
        assertThat(mode(Path.of(state.journalFile()))).isEqualTo("rw-------");
    }

    @Test
    void theLockIsForRootOnly(@TempDir Path directory) throws Exception {
        StateDirectory state = new StateDirectory(directory.resolve("state").toString());
        assertThat(run(NodeScript.LOCK_TAKE, state.root(), "{\"token\":\"t\"}", state.lockFile()).succeeded()).isTrue();
        assertThat(mode(Path.of(state.root()))).isEqualTo("rwx--x--x");
        assertThat(mode(Path.of(state.lockFile()))).isEqualTo("rw-------");
    }

    /** The lock scripts' flock guard file (lock.json.guard) is made by renew, release and break: 0600 too. */
    @Test
    void theLockGuardFileIsForRootOnly(@TempDir Path directory) throws Exception {
        StateDirectory state = new StateDirectory(directory.resolve("state").toString());
        String holder = "{\"token\":\"t\"}";
        Path guard = Path.of(state.lockFile() + ".guard");
        for (NodeScript script : List.of(NodeScript.LOCK_RENEW, NodeScript.LOCK_RELEASE,
                NodeScript.LOCK_BREAK)) {
            Files.deleteIfExists(guard);
            Files.deleteIfExists(Path.of(state.lockFile()));
            assertThat(run(NodeScript.LOCK_TAKE, state.root(), holder, state.lockFile()).succeeded()).isTrue();
            run(script, state.lockFile(), script == NodeScript.LOCK_BREAK ? "token" : "t",
                    script == NodeScript.LOCK_BREAK ? "t" : holder);
            assertThat(guard).as(script.name()).exists();
            assertThat(mode(guard)).as(script.name()).isEqualTo("rw-------");
        }
    }

    @Test
    void aStateDirectoryAndJournalOfAnEarlierVersionAreTightened(@TempDir Path directory) throws Exception {
        Path root = Files.createDirectory(directory.resolve("state"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        StateDirectory state = new StateDirectory(root.toString());
        Files.writeString(Path.of(state.journalFile()), "{\"n\":0}\n");
        Files.setPosixFilePermissions(Path.of(state.journalFile()), PosixFilePermissions.fromString("rw-r--r--"));
        Path verify = Files.createDirectory(Path.of(state.verifyDirectory()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));

        assertThat(run(NodeScript.JOURNAL_APPEND, state.root(), "{\"n\":1}", state.journalFile()).succeeded())
                .isTrue();
        assertThat(mode(root)).isEqualTo("rwx--x--x");
        assertThat(mode(Path.of(state.journalFile()))).isEqualTo("rw-------");
        assertThat(Files.readString(Path.of(state.journalFile()))).isEqualTo("{\"n\":0}\n{\"n\":1}\n");
        assertThat(run(NodeScript.STATE_DIRECTORY, state.root(), state.verifyDirectory()).succeeded()).isTrue();
        assertThat(mode(verify)).isEqualTo("rwx------");
    }

    @Test
    void theDirectoriesInItAreMadeForRootOnly(@TempDir Path directory) throws Exception {
        StateDirectory state = new StateDirectory(directory.resolve("new/state").toString());
        for (String inside : new String[] {state.verifyDirectory(), state.definitionsDirectory(),
            state.drbdCheckDirectory()}) {
            assertThat(run(NodeScript.STATE_DIRECTORY, state.root(), inside).succeeded()).isTrue();
            assertThat(mode(Path.of(inside))).as(inside).isEqualTo("rwx------");
        }
        assertThat(mode(Path.of(state.root()))).isEqualTo("rwx--x--x");
        assertThat(mode(directory.resolve("new"))).isEqualTo("rwxr-xr-x");
    }

    @Test
    void aSharedStickyDirectoryIsNeverTightened(@TempDir Path directory) throws Exception {
        Path shared = Files.createDirectory(directory.resolve("tmp"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(LOCAL.run(List.of("chmod", "1777", shared.toString())).succeeded()).isTrue();
        assertThat(run(NodeScript.JOURNAL_APPEND, shared.toString(), "{}", shared + "/journal.jsonl").succeeded())
                .isTrue();
        assertThat(mode(shared)).as("a /tmp-like directory is not mcvirt's alone").isEqualTo("rwxrwxrwx");
        assertThat(mode(shared.resolve("journal.jsonl"))).isEqualTo("rw-------");
    }
}
