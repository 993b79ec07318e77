package org.mcvirt.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CalendarSpec against what systemd 252 said on a Debian 12 machine ({@code TZ=UTC systemd-analyze calendar EXPR}):
 * the fixtures of docs/research/issue-20-permissions-verify.md section 2.2, then more of the same, each checked with
 * systemd-analyze 252 when written. CalendarSpecSystemdTest compares generated expressions with systemd itself.
 */
class CalendarSpecTest {
    @ParameterizedTest
    @ValueSource(strings = {
        // section 2.2, valid
        "Sun *-*-* 03:00", "weekly", "Mon..Fri 02:30", "*-*-1/7 4:00", "Sun *-*-* 03:00 UTC",
        "Sun *-*-* 03:00 Europe/Berlin", "Sun 3:00 CET", "Sun 3:00 utc", "Sun 03:00:00.5", "Sunday *-*~07/1 3:00",
        "*:0/15", "minutely", "annually", "quarterly", "semiannually", "daily UTC", "hourly UTC", "Sat..Sun 3:00",
        "SUN 3:00", "wednesday 3:00", "Mon-Wed 3:00", "Sun, 3:00", "Sun  *-*-*   03:00", "Sun 3:0", "*-*-31 3:00",
        "*-*-* 0/2:00", "*-*-* 1..5:00", "*-*-* 22/1:00", "*-*-24/7 3:00", "*-*~28 3:00", "2025..2030-*-* 3:00",
        "12-*-* 3:00", "@1700000000", "2024-02-30",
        // more, each accepted by systemd-analyze 252
        "hourly", "daily", "monthly", "yearly", "anually", "biannually", "bi-annually", "semi-annually", "DAILY",
        "Weekly utc", "daily Europe/Berlin", "Mon,", "Mon..Mon", "monday..friday", "mon-wed,fri, 3:00", "Sun",
        "Sun  UTC", "*-*-*  UTC", "Sun  3:00", "*-*-* 5..6/3:00", "*-*-* 5..5:00", "*-*-* 0..23/23:00",
        "*-*-* 0..30/40:00", "*-1..99/200-* 3:00", "*-*-* 1/22:00", "0012-*-*", "70-*-*", "2199-12-31 23:59:59",
        "@0", "@7258118399", "@1700000000 UTC", "Sun @1700000000", "*-*-* 3:00:00.9999999", "*-*-* 3:00:00.1234565",
        "*-*-* 3:00:00.5..1.5", "*-*-* 3:00:0/0.5", "*-*-* *:*:*", "*-*-* 3:00:*", "*-*~28/1", "*-*~2/1",
        "*-*~01..03", "*-*~*", "1,2,3-1,2-5..9/2 1,2:3,4:5,6", "Sun 3:00 Etc/GMT+1", "Sun 3:00 America/Port-au-Prince",
        "Sun 3:00 Etc/UTC", "Sat,Sun *-*-1..7 4:30", "*-*~1,2", "*-*~24,25", "*-*~24,24,25", "*-*~22/5"})
    void systemdAccepts(String expression) {
        assertThat(CalendarSpec.problem(expression)).as(expression).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        # section 2.2, invalid
        Sun *-*-* 25:00            | hour 25 is out of range 0..23
        *-*-* 24:00                | hour 24 is out of range 0..23
        *-*-* 03:00:60             | second 60 is out of range 0..59.999999
        Sonntag 03:00              | unknown weekday or keyword 'Sonntag'
        Sun..Mon 3:00              | weekday range Sun..Mon wraps; write Mon,Sun
        Fri..Mon 3:00              | weekday range Fri..Mon wraps; write Mon,Fri..Sun
        Sun-Tue 3:00               | weekday range Sun..Tue wraps; write Mon..Tue,Sun
        Mon..Wed..Fri 3:00         | a weekday range is one start and one end
        Mon.. 3:00                 | weekday range Mon.. has no end
        Sun 03                     | a time needs hours and minutes
        Sun,3:00                   | expected a weekday at '3:00'
        ' Sun 3:00'                | leading or trailing spaces
        Sun 3:00 Mars/Olympus      | unknown timezone 'Mars/Olympus'
        Sun 3:00 Europe/berlin     | unknown timezone 'Europe/berlin'
        *-13-01                    | month 13 is out of range 1..12
        *-*-0                      | day 0 is out of range 1..31
        *-*-* 5..1:00              | hour 5..1: the range runs backwards
        *-*-* 0/24:00              | hour 0/24: the repeat is larger than the range 0..23
        *-*-* 23/1:00              | hour 23/1: start + repeat passes the end of 0..23
        *-*-25/7 3:00              | day 25/7: start + repeat passes the end of 1..31
        *-*~29 3:00                | day ~29 is out of range 1..28
        1969-*-* 3:00              | year 1969 is out of range 1970..2199
        2200-*-* 3:00              | year 2200 is out of range 1970..2199
        today                      | timestamp, not a calendar event
        now                        | timestamp, not a calendar event
        Sun *-*-* 3:00/0           | must be greater than 0
        # more, each refused by systemd-analyze 252
        UTC                        | unknown weekday or keyword 'UTC'
        Mond 3:00                  | unknown weekday or keyword 'Mond'
        Mon,,Tue                   | expected a weekday at ',Tue'
        Mon-                       | weekday range Mon.. has no end
        Mon. 3:00                  | a weekday range is one start and one end
        *-*~1/1                    | day ~1/1: start + repeat passes the end of 1..28
        *-*~03..01                 | day ~03..01: the range runs backwards
        *~*-1                      | '~' may only stand before the day
        1~2~3                      | '~' may only stand before the day
        *-*-*-*                    | unexpected '-*' after the date
        */2-*-* 3:00               | expected '-' or '~' in the date at '/2-*-* 3:00'
        *-*-*,3                    | unexpected ',3' after the date
        69..70-*-*                 | year 69..70: the range runs backwards
        *-*-* 1/23:00              | hour 1/23: start + repeat passes the end of 0..23
        *-*-* 3:00:59.9999999      | second 59.9999999 is out of range 0..59.999999
        *-*-* 3:00:00.5..1         | second range 00.5..1 is shorter than a second
        *-*-* 3:00:59.             | unexpected '.'
        *-*-* 3:00:.5              | expected a number or '*' at '.5'
        3:                         | expected a number or '*' at the end
        3::00                      | expected a number or '*' at ':00'
        :00                        | expected a number or '*' at ':00'
        *-*-* 3:00  UTC            | unexpected ' ' after the time
        *-*-* 3:00 UTC utc         | unexpected ' UTC' after the time
        hourly  UTC                | unknown weekday or keyword 'hourly'
        Sun 3:00 MON               | unknown timezone 'MON'
        Sun 3:00 cet               | unknown timezone 'cet'
        Sun 3:00 SystemV/EST5      | unknown timezone 'SystemV/EST5'
        Sun 3:00 UTC+1             | unknown timezone 'UTC+1'
        @7258118400                | at most 7258118399
        @-1                        | '@' takes only a UNIX time in seconds
        @1700000000 3:00           | '@' takes only a UNIX time in seconds
        @                          | '@' takes only a UNIX time in seconds
        *-*-* 99999999999:00       | number 99999999999 is too large
        *-*-* 3:00 Z               | unknown timezone 'Z'
        *-*~25,26                  | day ~26 is out of range 1..25 (systemd lowers it by 3
        *-*~28/7,22/5              | day ~28/7 is out of range 1..25
        *-*~24,25,22               | day ~25 is out of range 1..22
        *-*~1,2,3,4,5,6,7,8,9      | day ~8 is out of range 1..7
        # stricter than systemd 252, which accepts these (strtoul skips a sign and spaces)
        @+5                        | '@' takes only a UNIX time in seconds
        @ 5                        | '@' takes only a UNIX time in seconds
        """)
    void systemdRefuses(String expression, String reason) {
        assertThat(CalendarSpec.problem(expression)).as(expression).hasValueSatisfying(
                problem -> assertThat(problem).contains(reason));
    }

    /** Refused whatever systemd says (it takes "Sun " with a trailing space): nothing unsafe reaches a unit file. */
    @ParameterizedTest
    @ValueSource(strings = {"Sun 3:00\n", "Sun\t3:00", "Sun 3:00\r", "Sun \"3:00\"", "Sun '3:00'", "Sun 3:00 $TZ",
        "daily %i", "Sun 3:00 Europe\\Berlin", "Sun 3:00;", "Sun 3:00 ", "Sun 3:00\u00a0", "Sünday 3:00"})
    void refusesWhatCannotBeWrittenSafelyIntoAUnitFile(String expression) {
        assertThat(CalendarSpec.problem(expression)).as(expression).isPresent();
    }

    @Test
    void refusesEmptyAndOverlongExpressions() {
        assertThat(CalendarSpec.problem(null)).contains("the calendar expression is empty");
        assertThat(CalendarSpec.problem("")).contains("the calendar expression is empty");
        String longest = "*-*-* " + "1,".repeat(95) + "1:00"; // 200 characters, systemd 252 accepts it
        assertThat(longest).hasSize(200);
        assertThat(CalendarSpec.problem(longest)).isEmpty();
        assertThat(CalendarSpec.problem(longest.replace("-*-*", "-*-01"))).contains(
                "the calendar expression is longer than 200 characters");
    }

    @Test
    void namesTheCharacterItRefuses() {
        assertThat(CalendarSpec.problem("Sun 3:00\n")).contains("character U+000A is not allowed");
        assertThat(CalendarSpec.problem("Sun $3:00")).contains("character '$' is not allowed");
    }

    @Test
    void acceptsAnAllCapsAbbreviationTheNodeMayKnow() {
        // systemd accepts PST only on a node whose local zone abbreviation it is; CET also as a tzdata file name
        assertThat(CalendarSpec.problem("Sun 3:00 PST")).isEmpty();
        assertThat(CalendarSpec.problem("daily CEST")).isEmpty();
        assertThat(CalendarSpec.problem("Sun 3:00 TOOLONG")).hasValueSatisfying(
                problem -> assertThat(problem).startsWith("unknown timezone 'TOOLONG'"));
    }
}
