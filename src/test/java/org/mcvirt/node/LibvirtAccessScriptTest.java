package org.mcvirt.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.node.ssh.NodeScript;

/**
 * The access-driver script (node-scripts/libvirt-access.sh) in a real shell on a copy of libvirtd.conf, with fake
 * systemctl and virsh first on the PATH: what it writes, that disabling gives back the file as it was, that libvirtd is
 * restarted only when the file changed, and what it refuses.
 */
@Timeout(60)
class LibvirtAccessScriptTest {
    /** The lines of Debian 12's libvirtd.conf around the setting. */
    private static final String DEBIAN = """
            # Master libvirt daemon configuration file
            #
            #unix_sock_group = "libvirt"
            # access_drivers = [ "polkit" ]
            #access_drivers = [ "polkit" ]

            # If an access driver is enabled ...
            #log_level = 3
            """;

    @TempDir
    Path dir;
    Path conf;

    @BeforeEach
    void fakes() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        tool(bin, "systemctl", "echo \"$*\" >>\"$FAKE/systemctl\"");
        // virsh answers once libvirtd "runs": after the restart, unless told it never comes back
        tool(bin, "virsh", "[ -f \"$FAKE/dead\" ] && exit 1; echo 'Compiled against library: libvirt 9.0.0'");
        conf = dir.resolve("libvirtd.conf");
    }

    @Test
    void enablingAppendsTheMarkedSettingRestartsOnceAndDisablingGivesBackTheFile() throws Exception {
        Files.writeString(conf, DEBIAN);
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(run("enable", "c", "5")).isEqualTo("restarted\n");
        assertThat(Files.readString(conf)).isEqualTo(DEBIAN + "# mcvirt-access-driver: c\naccess_drivers = [ \"polkit\" ]\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(conf))).isEqualTo("rw-r--r--");
        assertThat(Files.readString(dir.resolve("systemctl"))).isEqualTo("restart libvirtd\n");
        assertThat(run("enable", "c", "5")).isEqualTo("unchanged\n");
        assertThat(Files.readString(dir.resolve("systemctl"))).isEqualTo("restart libvirtd\n");
        assertThat(run("disable", "c", "5")).isEqualTo("restarted\n");
        assertThat(Files.readString(conf)).isEqualTo(DEBIAN);
        assertThat(run("disable", "c", "5")).isEqualTo("unchanged\n");
        assertThat(Files.readString(dir.resolve("systemctl"))).isEqualTo("restart libvirtd\nrestart libvirtd\n");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).doesNotContain("libvirtd.conf.tmp")
                    .allMatch(name -> !name.startsWith("libvirtd.conf.tmp."));
        }
    }

    /** A setting made by hand is commented out while mcvirt's holds, and comes back as it was. */
    @Test
    void aSettingMadeByHandIsSetAsideAndRestored() throws Exception {
        String hand = DEBIAN + "access_drivers = [ \"nop\" ]\n";
        Files.writeString(conf, hand);
        run("enable", "c", "5");
        assertThat(Files.readString(conf)).contains("#mcvirt: access_drivers = [ \"nop\" ]\n")
                .endsWith("# mcvirt-access-driver: c\naccess_drivers = [ \"polkit\" ]\n");
        run("disable", "c", "5");
        assertThat(Files.readString(conf)).isEqualTo(hand);
    }

    @Test
    void aSettingOverSeveralLinesIsRefusedAndNothingChanges() throws Exception {
        String spread = DEBIAN + "access_drivers = [ \"polkit\",\n    \"nop\" ]\n";
        Files.writeString(conf, spread);
        Result result = runRaw("enable", "c", "5");
        assertThat(result.status()).isEqualTo(3);
        assertThat(result.err()).contains("sets access_drivers over several lines");
        assertThat(Files.readString(conf)).isEqualTo(spread);
        assertThat(Files.exists(dir.resolve("systemctl"))).isFalse();
    }

    /** A libvirtd that does not answer with the new setting: the old file is put back and libvirtd restarted again. */
    @Test
    void aLibvirtdThatDoesNotComeBackGetsTheOldFileBack() throws Exception {
        Files.writeString(conf, DEBIAN);
        Files.writeString(dir.resolve("dead"), "");
        Result result = runRaw("enable", "c", "1");
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).contains("libvirtd did not restart or answer within 1 s with the new setting;",
                "is back as it was");
        assertThat(Files.readString(conf)).isEqualTo(DEBIAN);
        assertThat(Files.readString(dir.resolve("systemctl"))).isEqualTo("restart libvirtd\nrestart libvirtd\n");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("libvirtd.conf."));
        }
    }

    /** A line put by hand between mcvirt's mark and its setting: refused, nothing changed, nothing deleted. */
    @Test
    void aLineEditedAfterTheMarkIsRefusedAndNothingChanges() throws Exception {
        String edited = DEBIAN + "# mcvirt-access-driver: c\n# a note\naccess_drivers = [ \"polkit\" ]\n";
        Files.writeString(conf, edited);
        Result result = runRaw("disable", "c", "5");
        assertThat(result.status()).isEqualTo(4);
        assertThat(result.err()).contains("is not mcvirt's access_drivers line");
        assertThat(Files.readString(conf)).isEqualTo(edited);
        assertThat(Files.exists(dir.resolve("systemctl"))).isFalse();
        Files.writeString(conf, DEBIAN + "# mcvirt-access-driver: c\n");
        assertThat(runRaw("enable", "c", "5").status()).isEqualTo(4);
    }

    private record Result(int status, String out, String err) {
    }

    private String run(String... arguments) throws Exception {
        Result result = runRaw(arguments);
        assertThat(result.status()).as(result.err()).isZero();
        return result.out();
    }

    private Result runRaw(String... arguments) throws Exception {
        String[] all = new String[arguments.length + 1];
        all[0] = conf.toString();
        System.arraycopy(arguments, 0, all, 1, arguments.length);
        ProcessBuilder builder = new ProcessBuilder(NodeScript.LIBVIRT_ACCESS.command(all));
        builder.environment().put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
        builder.environment().put("FAKE", dir.toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), out, err);
    }

    private static void tool(Path bin, String name, String body) throws IOException {
        Path tool = bin.resolve(name);
        Files.writeString(tool, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
