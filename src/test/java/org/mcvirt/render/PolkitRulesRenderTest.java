package org.mcvirt.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcvirt.testing.Goldens;
import org.mcvirt.testing.Programs;

/**
 * The polkit rules mcvirt renders for a cluster's permissions (templates/polkit/rules.ftl): against a golden file,
 * and run by node, standing in for polkitd's duktape, against a role matrix (who gets yes, no, or polkit's default,
 * for which libvirt action on which vm or network). The roles follow what was measured on the lab
 * (docs/research/issue-20-polkit-lab.md). After a deliberate template change, regenerate the golden file with
 * -Dgolden.update=true and review the diff.
 */
class PolkitRulesRenderTest {
    private static final Path GOLDEN = Path.of("src/test/resources/testdata/polkit/prod.rules");
    private static final Path EVALUATE = Path.of("src/test/resources/testdata/polkit/evaluate.js");
    private static final Views.PolkitRulesView VIEW = new Views.PolkitRulesView("prod", List.of("alice", "@ops"),
            List.of(new Views.VmRolesView("web1", List.of("bob"), List.of("carol", "@web"), List.of("mcvirt.prod.lan")),
                    new Views.VmRolesView("db1", List.of("dave"), List.of(), List.of())),
            List.of("web1", "db1", "app1"));
    private static final String API = "org.libvirt.api.";

    private static String rendered() {
        return new Renderer(Optional.empty()).polkitRules(VIEW);
    }

    @Test
    void theRulesAreTheGoldenFileAndPlainEcmaScript5() throws Exception {
        String text = rendered();
        if (Goldens.update()) {
            Files.writeString(GOLDEN, text);
        }
        assertThat(text).isEqualTo(Files.readString(GOLDEN));
        // polkitd on Debian 12 runs rules with duktape: ECMAScript 5
        assertThat(text).doesNotContain("let ", "const ", "=>", "`", "class ");
        assertThat(text).startsWith("// Managed by mcvirt (cluster prod)").contains("// mcvirt-polkit: prod\n");
    }

    @Test
    @Tag("tools")
    @Timeout(60)
    void eachRoleGetsWhatTheTableSaysAndNothingMore(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("10-mcvirt-prod.rules");
        Files.writeString(rules, rendered());
        List<Map<String, Object>> cases = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        // superusers, by name and by group: everything of libvirt, nothing else
        check(cases, expected, "alice", List.of(), API + "domain.delete", domain("db1"), "yes");
        check(cases, expected, "erin", List.of("ops"), API + "domain.write", domain("web1"), "yes");
        check(cases, expected, "alice", List.of(), "org.freedesktop.login1.reboot", Map.of(), "not_handled");
        // bob owns web1: its uses, snapshot and managed save; never its definition; db1 and app1 hidden
        check(cases, expected, "bob", List.of(), "org.libvirt.unix.manage", Map.of(), "yes");
        check(cases, expected, "bob", List.of(), API + "connect.search-domains", Map.of("connect_driver", "QEMU"),
                "yes");
        for (String action : List.of("getattr", "read", "start", "stop", "init-control", "reset", "open-device",
                "open-graphics", "snapshot", "hibernate")) {
            check(cases, expected, "bob", List.of(), API + "domain." + action, domain("web1"), "yes");
        }
        for (String action : List.of("write", "save", "delete", "migrate", "read-secure")) {
            check(cases, expected, "bob", List.of(), API + "domain." + action, domain("web1"), "not_handled");
        }
        check(cases, expected, "bob", List.of(), API + "domain.start", domain("db1"), "not_handled");
        check(cases, expected, "bob", List.of(), API + "domain.getattr", domain("db1"), "no");
        check(cases, expected, "bob", List.of(), API + "domain.read", domain("app1"), "no");
        check(cases, expected, "bob", List.of(), API + "domain.getattr", domain("elsewhere"), "not_handled");
        // a start or stop of web1 opens and closes a port on its network, not on another
        check(cases, expected, "bob", List.of(), API + "network-port.create", network("mcvirt.prod.lan"), "yes");
        check(cases, expected, "bob", List.of(), API + "network-port.delete", network("mcvirt.prod.lan"), "yes");
        check(cases, expected, "bob", List.of(), API + "network-port.create", network("default"), "not_handled");
        check(cases, expected, "bob", List.of(), API + "network.write", network("mcvirt.prod.lan"), "not_handled");
        // carol and the group web use web1: no snapshot, no managed save
        check(cases, expected, "carol", List.of(), API + "domain.start", domain("web1"), "yes");
        check(cases, expected, "carol", List.of(), API + "domain.open-device", domain("web1"), "yes");
        check(cases, expected, "carol", List.of(), API + "domain.snapshot", domain("web1"), "not_handled");
        check(cases, expected, "carol", List.of(), API + "domain.hibernate", domain("web1"), "not_handled");
        check(cases, expected, "frank", List.of("web"), API + "domain.stop", domain("web1"), "yes");
        // dave owns db1 (no network): web1 hidden, no port on web1's network
        check(cases, expected, "dave", List.of(), API + "domain.hibernate", domain("db1"), "yes");
        check(cases, expected, "dave", List.of(), API + "domain.getattr", domain("web1"), "no");
        check(cases, expected, "dave", List.of(), API + "network-port.create", network("mcvirt.prod.lan"),
                "not_handled");
        // someone named nowhere keeps polkit's defaults
        check(cases, expected, "mallory", List.of(), "org.libvirt.unix.manage", Map.of(), "not_handled");
        check(cases, expected, "mallory", List.of(), API + "domain.getattr", domain("web1"), "not_handled");

        Process node = new ProcessBuilder(Programs.require("node", "nodejs").toString(),
                EVALUATE.toAbsolutePath().toString(), rules.toString()).redirectErrorStream(true).start();
        node.getOutputStream().write(new ObjectMapper().writeValueAsBytes(cases));
        node.getOutputStream().close();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        List<String> answers = out.lines().toList();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            if (!expected.get(i).equals(i < answers.size() ? answers.get(i) : "(none)")) {
                wrong.add(cases.get(i) + " -> " + (i < answers.size() ? answers.get(i) : "(none)") + ", expected "
                        + expected.get(i));
            }
        }
        assertThat(wrong).as(out).isEmpty();
        assertThat(answers).hasSameSizeAs(cases);
    }

    private static Map<String, String> domain(String name) {
        return Map.of("connect_driver", "QEMU", "domain_name", name);
    }

    private static Map<String, String> network(String name) {
        return Map.of("connect_driver", "network", "network_name", name);
    }

    private static void check(List<Map<String, Object>> cases, List<String> expected, String user, List<String> groups,
                              String action, Map<String, String> details, String answer) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("action", action);
        c.put("details", details);
        c.put("user", user);
        c.put("groups", groups);
        cases.add(c);
        expected.add(answer);
    }
}
