package org.mcvirt.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CalendarSpec agrees with systemd itself: generated expressions (fixed seed, valid and invalid pieces mixed) are
 * accepted by CalendarSpec exactly when {@code TZ=UTC systemd-analyze calendar EXPR} parses them (it exits 0, or
 * fails only to compute the next elapse: see systemdAccepts). Skipped where systemd-analyze is not on the PATH.
 * Timezone abbreviations are not generated (systemd's verdict on them depends on the machine), nor what CalendarSpec
 * refuses on purpose (leading or trailing spaces, "@" with a sign or a space).
 */
@Tag("tools")
@Timeout(120)
class CalendarSpecSystemdTest {
    private static final int EXPRESSIONS = 600;
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Monday", "tuesday",
        "WEDNESDAY", "Thursday", "friday", "Saturday", "sunday", "SUN", "sat", "Sonntag", "Mond", "Tues"};
    private static final String[] SHORTHANDS = {"minutely", "hourly", "daily", "monthly", "weekly", "yearly",
        "annually", "anually", "quarterly", "semiannually", "semi-annually", "biannually", "bi-annually", "Daily",
        "WEEKLY", "fortnightly", "secondly"};

    private final Random random = new Random(20);
    private final List<String> zones = ZoneId.getAvailableZoneIds().stream().sorted()
            .filter(zone -> !zone.matches("[A-Z]{3,5}")).collect(Collectors.toList());

    @Test
    void agreesWithSystemdAnalyze() throws Exception {
        Optional<Path> systemdAnalyze = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(directory -> !directory.isEmpty()).map(directory -> Path.of(directory, "systemd-analyze"))
                .filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(systemdAnalyze.isPresent(), "systemd-analyze is not on the PATH");
        List<String> disagreements = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < EXPRESSIONS; i++) {
            String expression = expression();
            boolean systemd = systemdAccepts(systemdAnalyze.get(), expression);
            Optional<String> problem = CalendarSpec.problem(expression);
            accepted += systemd ? 1 : 0;
            if (systemd != problem.isEmpty()) {
                disagreements.add("'" + expression + "': systemd " + (systemd ? "accepts" : "refuses")
                        + ", CalendarSpec " + problem.map(p -> "says " + p).orElse("accepts"));
            }
        }
        assertThat(disagreements).isEmpty();
        // the generator is worth something only if it makes plenty of both
        assertThat(accepted).isBetween(EXPRESSIONS / 5, EXPRESSIONS * 4 / 5);
    }

    private static boolean systemdAccepts(Path systemdAnalyze, String expression) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(systemdAnalyze.toString(), "calendar", "--", expression)
                .redirectErrorStream(true);
        builder.environment().put("TZ", "UTC");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("systemd-analyze ended").isTrue();
        // systemd parsed it but then failed to compute the next elapse (EDEADLK, "Refuse to go backward", seen for
        // month repeats such as 6/5-* in a zone with daylight saving time): a fault of systemd's calculation that
        // depends on the current date, not of the expression's syntax, which is all that CalendarSpec checks
        return process.exitValue() == 0 || output.contains("Failed to determine next elapse");
    }

    private String expression() {
        int form = random.nextInt(20);
        if (form == 0) {
            return pick(SHORTHANDS) + (random.nextBoolean() ? " " + timezone() : "");
        }
        if (form == 1) {
            long time = random.nextBoolean() ? random.nextInt(Integer.MAX_VALUE) : 7_258_118_390L + random.nextInt(20);
            return (random.nextBoolean() ? weekdays() + " " : "") + "@" + time
                    + (random.nextBoolean() ? " " + timezone() : "");
        }
        List<String> parts = new ArrayList<>();
        if (random.nextInt(3) == 0) {
            parts.add(weekdays());
        }
        if (random.nextInt(3) > 0) {
            parts.add(date());
        }
        if (parts.isEmpty() || random.nextInt(3) > 0) {
            parts.add(time());
        }
        if (random.nextInt(5) == 0) {
            parts.add(timezone());
        }
        String expression = String.join(random.nextInt(8) == 0 ? "  " : " ", parts);
        if (random.nextInt(8) == 0) { // a stray separator somewhere inside
            int at = 1 + random.nextInt(expression.length());
            expression = expression.substring(0, at) + pick(",", ".", "-", "~", ":", "/", "*", "..")
                    + expression.substring(at);
        }
        return expression;
    }

    private String weekdays() {
        List<String> items = new ArrayList<>();
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            int kind = random.nextInt(4);
            String day = random.nextInt(12) == 0 ? pick(DAYS) : pick(DAYS).substring(0, 3);
            items.add(kind < 2 ? day : day + (kind == 2 ? ".." : "-") + pick(DAYS).substring(0, 3));
        }
        return String.join(",", items) + (random.nextInt(10) == 0 ? "," : "");
    }

    private String date() {
        String monthDay = component(0, 13, false) + (random.nextInt(4) == 0 ? "~" : "-") + component(0, 32, false);
        if (random.nextBoolean()) {
            return monthDay;
        }
        String year = random.nextInt(3) == 0 ? component(0, 100, false) : component(1960, 2210, false);
        return year + "-" + monthDay;
    }

    private String time() {
        String time = component(0, 25, false) + ":" + component(0, 61, false);
        return random.nextBoolean() ? time : time + ":" + component(0, 61, true);
    }

    /** '*' or a list of n, n..m, n/r, n..m/r with numbers around [low, high]; seconds may have decimals. */
    private String component(int low, int high, boolean seconds) {
        if (random.nextInt(3) == 0) {
            return "*";
        }
        List<String> items = new ArrayList<>();
        for (int n = random.nextInt(6) == 0 ? 2 : 1; n > 0; n--) {
            String item = number(low, high, seconds);
            int kind = random.nextInt(5);
            if (kind == 1 || kind == 3) {
                item += ".." + number(low, high, seconds);
            }
            if (kind >= 2) {
                item += "/" + (random.nextInt(15) == 0 ? "0" : random.nextInt(5) == 0 ? number(low, high, seconds)
                        : String.valueOf(1 + random.nextInt(8)));
            }
            items.add(item);
        }
        return String.join(",", items);
    }

    private String number(int low, int high, boolean seconds) {
        int value = low + random.nextInt(high - low + 1);
        String number = String.format(Locale.ROOT, random.nextBoolean() ? "%02d" : "%d", value);
        if (seconds && random.nextInt(4) == 0) {
            String decimals = String.format(Locale.ROOT, "%08d", random.nextInt(100_000_000));
            number += "." + decimals.substring(0, 1 + random.nextInt(8));
        }
        return number;
    }

    private String timezone() {
        return random.nextInt(3) > 0 ? pick("UTC", "utc", "Europe/Berlin", "Europe/berlin", "Mars/Olympus")
                : zones.get(random.nextInt(zones.size()));
    }

    private String pick(String... choices) {
        return choices[random.nextInt(choices.length)];
    }
}
