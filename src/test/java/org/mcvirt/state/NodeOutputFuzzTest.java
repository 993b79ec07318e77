package org.mcvirt.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mcvirt.node.LibvirtNode;
import org.mcvirt.node.ProcDrbdParser;
import org.mcvirt.testing.Mutations;

/**
 * Fuzzing of the parsers of what nodes print: lvs/vgs JSON, /proc/drbd, drbdsetup show, drbdsetup status --json and
 * libvirt's domain XML, from the captured outputs in testdata/lvm and testdata/drbd and the domain definitions in the
 * golden plans, mutated (see {@link Mutations}) and generated from each format's tokens. Each parser either returns
 * or throws its documented exception with a message a person can read; nothing else escapes. Fixed seeds: a failure
 * in CI is the same failure on a laptop (README, "Tests").
 */
class NodeOutputFuzzTest {
    private static final Path LVM = Path.of("src/test/resources/testdata/lvm");
    private static final Path DRBD = Path.of("src/test/resources/testdata/drbd");
    private static final Path PLANS = Path.of("src/test/resources/testdata/plan");
    private static final List<String> JSON_TOKENS = List.of("{", "}", "[", "]", ",", ":", "\"", "null", "true", "0",
            "-1", "1.5", "\"\"", "\"report\"", "\"lv\"", "\"vg\"", "\"lv_size\"", "\"vg_size\"", "\"vg_free\"",
            "\"vg_extent_size\"", "\"lv_name\"", "\"lv_tags\"", "\"12345678901234567890123\"", "\"-5\"", "\" 42 \"",
            "\"name\"", "\"devices\"", "\"connections\"", "\"peer_devices\"", "\"volume\"", "\"minor\"",
            "\"peer-node-id\"", "\"replication-state\"", "\"SyncSource\"", "\"VerifyS\"", "\"out-of-sync\"",
            "\"estimated-seconds-to-finish\"", "\"rs-total\"", "\"ov-left\"", "\"db/dt [MiB/s]\"", "1e999", "{}", "[]");
    private static final List<String> PROC_TOKENS = List.of("version: ", "8.4.11", "(api:1/proto:86-101)", "\n",
            " 0: ", "100: ", "99999999999: ", "cs:", "Connected", "SyncSource", "VerifyS", "PausedSyncT", " ro:",
            "Primary/Secondary", "/", " ds:", "UpToDate/Inconsistent", " C ", "r-----", "ns:", " oos:",
            "99999999999999999999", "sync'ed: ", "verified: ", "43.8%", "(37848/65496)K",
            "(99999999999999999999/1)M", "finish: ", "0:00:01", " speed: ", "27,648", "99,999,999,999,999,999,999");
    private static final List<String> SHOW_TOKENS = List.of("resource", "r0", "{", "}", ";", "\"", "\n", "net",
            "on", "_this_host", "_remote_host", "volume", "0", "99999999999", "device", "minor", "/dev/drbd7",
            "/dev/drbd99999999999", "disk", "meta-disk", "internal", "address", "ipv4", "10.0.0.1:7789", "node-id",
            "shared-secret", "#", "-1");
    private static final List<String> XML_TOKENS = List.of("<", ">", "</", "/>", "=", "'", "\"", "<vcpu>", "</vcpu>",
            "<vcpu current='x'>", "<memory unit='GiB'>", "<memory>", "</memory>", "<currentMemory>", "</currentMemory>",
            "99999999999999999999", "-1", "abc", "<devices>", "</devices>", "<disk device='disk'>", "</disk>",
            "<interface type='network'>", "</interface>", "<mac address='AA'/>", "<graphics type='vnc' port='",
            "99999999999'/>", "<metadata>", "</metadata>", "<mcvirt:disk minor='", "port='", "resource='",
            "<mcvirt:pair-node>", "</mcvirt:pair-node>", "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;", "&#0;", "&#x110000;");

    /** In /proc/drbd, each field's value (after "xx:") and each number. */
    private static final Pattern PROC_VALUES = Pattern.compile("[a-z']+:\\s*([^\\s(]+)|([0-9][0-9.,]*)");
    /** In drbdsetup show, each word or quoted string between separators. */
    private static final Pattern SHOW_VALUES = Pattern.compile("([^\\s;{}]+)");

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> files(Path directory, String glob) {
        try (Stream<Path> list = Files.list(directory)) {
            return list.filter(p -> p.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName()))
                    .sorted().map(NodeOutputFuzzTest::read).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The domain definitions the golden plans define (their arguments' XML), as libvirt would give them back. */
    static List<String> domainDefinitions() {
        List<String> found = new ArrayList<>();
        try (Stream<Path> plans = Files.walk(PLANS)) {
            Pattern domain = Pattern.compile("\"(<domain[^\"]*(?:\\\\.[^\"\\\\]*)*)\"");
            for (Path plan : plans.filter(p -> p.getFileName().toString().equals("plan.json")).sorted().toList()) {
                Matcher m = domain.matcher(read(plan));
                while (m.find()) {
                    found.add(m.group(1).replace("\\n", "\n").replace("\\\"", "\"").replace("\\u003C", "<")
                            .replace("\\\\", "\\"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("no domain definition in the golden plans under " + PLANS);
        }
        return found;
    }

    @Provide
    Arbitrary<String> lvmOutputs() {
        List<String> seeds = List.of(read(LVM.resolve("lvs.json")), read(LVM.resolve("vgs.json")));
        return Mutations.mixed(seeds, JSON_TOKENS, Mutations.JSON_VALUES, Mutations::jsonEscaped);
    }

    @Property(tries = 1000, seed = "1700001", edgeCases = EdgeCasesMode.NONE)
    void lvsAndVgsOutputParsesOrIsRefusedClearly(@ForAll("lvmOutputs") String output) {
        for (int kind = 0; kind < 2; kind++) {
            try {
                if (kind == 0) {
                    LvmParser.logicalVolumes(output);
                } else {
                    LvmParser.volumeGroups(output);
                }
            } catch (JsonProcessingException e) {
                Mutations.assertClearMessage("LvmParser", new IllegalArgumentException(e.getOriginalMessage()));
            } catch (IllegalArgumentException e) {
                documented(IllegalArgumentException.class, e);
            }
        }
    }

    @Provide
    Arbitrary<String> procDrbdOutputs() {
        return Mutations.mutatedOrSoup(files(DRBD, "proc-drbd*.txt"), PROC_TOKENS,
                PROC_VALUES);
    }

    /** /proc/drbd is read line by line and lines it does not know are skipped: parse always returns. */
    @Property(tries = 1000, seed = "1700002", edgeCases = EdgeCasesMode.NONE)
    void procDrbdAlwaysParses(@ForAll("procDrbdOutputs") String output) {
        ProcDrbdParser.parse(output);
    }

    @Provide
    Arbitrary<String> drbdShowOutputs() {
        return Mutations.mutatedOrSoup(files(DRBD, "drbdsetup-show*.txt"), SHOW_TOKENS,
                SHOW_VALUES);
    }

    @Property(tries = 1000, seed = "1700003", edgeCases = EdgeCasesMode.NONE)
    void drbdsetupShowParsesOrIsRefusedClearly(@ForAll("drbdShowOutputs") String output) {
        try {
            DrbdShowParser.parse(output);
        } catch (DrbdShowParser.ParseException e) {
            Mutations.assertClearMessage("DrbdShowParser", e);
        }
    }

    @Provide
    Arbitrary<String> drbd9StatusOutputs() {
        return Mutations.mixed(List.of(read(DRBD.resolve("drbd9-status.json"))), JSON_TOKENS,
                Mutations.JSON_VALUES, Mutations::jsonEscaped);
    }

    @Property(tries = 1000, seed = "1700004", edgeCases = EdgeCasesMode.NONE)
    void drbd9StatusParsesOrIsRefusedClearly(@ForAll("drbd9StatusOutputs") String output) {
        try {
            Drbd9StatusParser.parse(output);
        } catch (JsonProcessingException e) {
            Mutations.assertClearMessage("Drbd9StatusParser", new IllegalArgumentException(e.getOriginalMessage()));
        } catch (IllegalArgumentException e) {
            documented(IllegalArgumentException.class, e);
        }
    }

    @Provide
    Arbitrary<String> domainDefinitionsMutated() {
        return Mutations.mixed(domainDefinitions(), XML_TOKENS, Mutations.XML_VALUES, Mutations::xmlEscaped);
    }

    /** A domain's definition (libvirt's, with mcvirt's metadata in it) is read or refused as not readable. */
    @Property(tries = 1000, seed = "1700005", edgeCases = EdgeCasesMode.NONE)
    void domainXmlReadsOrIsRefusedClearly(@ForAll("domainDefinitionsMutated") String xml) {
        try {
            StateReader.domain(new LibvirtNode.DomainRecord("vm1", "uuid", true, "running", true, false, xml, xml));
        } catch (IllegalArgumentException e) {
            documented(IllegalArgumentException.class, e);
        }
    }

    /** Exactly the documented exception type (a NumberFormatException is an IllegalArgumentException too). */
    private static void documented(Class<? extends Exception> type, Exception thrown) {
        if (thrown.getClass() != type) {
            throw new AssertionError("expected " + type.getSimpleName() + ", got " + thrown, thrown);
        }
        Mutations.assertClearMessage(type.getSimpleName(), thrown);
    }
}
