package org.mcvirt.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Offline check of a systemd 252 calendar expression (systemd.time(7), "Calendar Events") before it becomes a timer's
 * {@code OnCalendar=}, e.g. the manifest's {@code cluster.drbd.verifySchedule} ("Sun *-*-* 03:00"). A hand-written
 * parser after systemd 252's src/shared/calendarspec.c, quirks included: a shorthand (daily, weekly, ...), or
 * weekdays ({@code Mon..Fri,Sun}, not wrapping), a date ({@code [Y-]M-D}; {@code M~D} counts from the month's end), a
 * time ({@code H:M[:S]}) or {@code @UNIXTIME}; then a timezone. Stricter than systemd on purpose: no leading or
 * trailing spaces, at most 200 characters, only letters, digits, space and {@code *,.-~:/@_+} (so no newline, quote,
 * '$', '%' or backslash reaches a unit file), and only digits after {@code @}.
 *
 * <p>Timezones: {@code UTC} in any case; an IANA name this JVM knows, exact case (Europe/Berlin, not Europe/berlin;
 * not the obsolete SystemV/*); or any all-caps abbreviation of 3 to 5 letters (CET, EST). The node's systemd has the
 * last word on an abbreviation: it takes one only if it is the node's local zone abbreviation or a file in the node's
 * /usr/share/zoneinfo (and an IANA name only if the node's tzdata has it).
 */
public final class CalendarSpec {
    private static final int MAX_LENGTH = 200;
    private static final long USEC = 1_000_000L;
    private static final long LAST_UNIX_TIME = 7_258_118_399L; // 2199-12-31 23:59:59 UTC: systemd's years end in 2199
    private static final Set<String> SHORTHANDS = Set.of("minutely", "hourly", "daily", "monthly", "weekly",
            "yearly", "annually", "anually", "quarterly", "semiannually", "semi-annually", "biannually",
            "bi-annually");
    private static final Set<String> TIMESTAMPS = Set.of("now", "today", "tomorrow", "yesterday");
    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
        "Sunday"};
    private static final String[] ABBR = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final Set<String> ZONES = Set.copyOf(ZoneId.getAvailableZoneIds());
    private static final Pattern INTEGER = Pattern.compile("[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+(\\.(?!\\.)[0-9]+)?"); // "1..2" is a range
    private static final Comparator<Item> ORDER = Comparator.comparingLong(Item::start).thenComparingLong(Item::stop)
            .thenComparingLong(Item::repeat);

    /** One list item of a component as written: start, stop (-1: none), repeat (0: none); seconds in µs. */
    private record Item(String text, long start, long stop, long repeat) {
    }

    private static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private final String s;
    private int pos;

    private CalendarSpec(String s) {
        this.s = s;
    }

    /**
     * Empty when systemd 252 would accept the expression; else a short reason for an operator (e.g. "hour 25 is out
     * of range 0..23", "weekday range Sun..Mon wraps; write Mon,Sun").
     */
    public static Optional<String> problem(String expression) {
        try {
            check(expression);
            return Optional.empty();
        } catch (Invalid e) {
            return Optional.of(e.getMessage());
        }
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new Invalid(problem);
        }
    }

    private static void check(String e) {
        require(e != null && !e.isEmpty(), "the calendar expression is empty");
        require(e.length() <= MAX_LENGTH, "the calendar expression is longer than " + MAX_LENGTH + " characters");
        for (char c : e.toCharArray()) {
            require(c < 128 && (Character.isLetterOrDigit(c) || " *,.-~:/@_+".indexOf(c) >= 0), "character "
                    + (c > ' ' && c < 127 ? "'" + c + "'" : String.format("U+%04X", (int) c)) + " is not allowed");
        }
        require(!e.startsWith(" ") && !e.endsWith(" "), "the calendar expression has leading or trailing spaces");
        require(!TIMESTAMPS.contains(e.toLowerCase(Locale.ROOT)), "'" + e + "' is a timestamp, not a calendar event");
        int space = e.lastIndexOf(' ');
        String tz = e.substring(space + 1);
        if (space > 0 && isTimezone(tz)) {
            e = e.substring(0, space); // systemd strips " TZ" before it parses the rest
        } else {
            require(space < 0 || !Character.isLetter(tz.charAt(0)), "unknown timezone '" + tz + "' (use UTC, an IANA"
                    + " name with exact case such as Europe/Berlin, or the node's abbreviation such as CET)");
        }
        if (!SHORTHANDS.contains(e.toLowerCase(Locale.ROOT))) {
            new CalendarSpec(e).parse();
        }
    }

    private static boolean isTimezone(String tz) {
        boolean dayName = tz.length() == 3 && dayAt(tz, 0) >= 0;
        return tz.equalsIgnoreCase("UTC") || (ZONES.contains(tz) && !tz.startsWith("SystemV/"))
                || (tz.matches("[A-Z]{3,5}") && !dayName && !SHORTHANDS.contains(tz.toLowerCase(Locale.ROOT)));
    }

    /** The weekday (0 = Monday) whose 3-letter name (any case) starts at {@code at} in {@code text}, else -1. */
    private static int dayAt(String text, int at) {
        return IntStream.range(0, 7).filter(d -> text.regionMatches(true, at, DAYS[d], 0, 3)).findFirst().orElse(-1);
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : 0;
    }

    private String rest() {
        return pos < s.length() ? "'" + s.substring(pos) + "'" : "the end";
    }

    private void parse() {
        weekdays();
        if (peek() == '@') {
            String time = s.substring(pos + 1);
            require(time.matches("[0-9]+") && new BigDecimal(time).compareTo(BigDecimal.valueOf(LAST_UNIX_TIME)) <= 0,
                    "'@' takes only a UNIX time in seconds, at most " + LAST_UNIX_TIME + " (2199-12-31 23:59:59 UTC)");
            return;
        }
        if (peek() == 0) {
            return; // weekdays only: at midnight
        }
        int begin = pos;
        List<Item> first = chain(false);
        if (peek() == 0 || peek() == ':') {
            pos = begin; // no date, only a time
            time();
            return;
        }
        boolean fromEnd = separator();
        List<Item> second = chain(false);
        if (peek() == 0 || peek() == ' ') {
            validate("month", first, 1, 12, false);
            validate("day", second, 1, 31, fromEnd);
        } else {
            require(!fromEnd, "'~' may only stand before the day");
            boolean dayFromEnd = separator();
            List<Item> third = chain(false);
            require(peek() == 0 || peek() == ' ', "unexpected " + rest() + " after the date");
            validate("year", first, 1970, 2199, false);
            validate("month", second, 1, 12, false);
            validate("day", third, 1, 31, dayFromEnd);
        }
        skipSpaces();
        time();
    }

    /** systemd's parse_weekdays: names or 3-letter abbreviations, any case, joined by ',', '..' or '-'. */
    private void weekdays() {
        int rangeStart = -1;
        for (boolean first = true; ; first = false) {
            int day = dayAt(s, pos);
            String name = day < 0 ? "" : DAYS[day];
            int len = s.regionMatches(true, pos, name, 0, name.length()) ? name.length() : 3;
            if (day < 0 || (pos + len < s.length() && "-., ".indexOf(s.charAt(pos + len)) < 0)) {
                if (first && !Character.isLetter(peek())) {
                    return; // no weekdays: a date or a time follows
                }
                String word = s.substring(pos).split(" ")[0];
                throw new Invalid(first ? "unknown weekday or keyword '" + word + "' (use Mon..Sun, or daily,"
                        + " weekly, ...)" : "expected a weekday at '" + word + "'");
            }
            if (rangeStart > day) {
                throw new Invalid("weekday range " + ABBR[rangeStart] + ".." + ABBR[day] + " wraps; write "
                        + (day == 0 ? "Mon" : "Mon.." + ABBR[day]) + "," + (rangeStart == 6 ? "Sun" : ABBR[rangeStart]
                        + "..Sun"));
            }
            pos += len;
            boolean range = accept("..") || accept("-");
            require(range ? rangeStart < 0 : peek() != '.', "a weekday range is one start and one end, e.g. Mon..Fri");
            rangeStart = range ? day : -1;
            if (!range) {
                accept(",");
            }
            if (peek() == 0 || peek() == ' ') {
                if (rangeStart >= 0) {
                    throw new Invalid("weekday range " + ABBR[rangeStart] + ".. has no end");
                }
                skipSpaces();
                return;
            }
        }
    }

    private void skipSpaces() {
        while (peek() == ' ') {
            pos++;
        }
    }

    /** Consumes {@code text} if it comes next. */
    private boolean accept(String text) {
        boolean next = s.startsWith(text, pos);
        pos += next ? text.length() : 0;
        return next;
    }

    private boolean separator() {
        boolean fromEnd = accept("~");
        require(fromEnd || accept("-"), "expected '-' or '~' in the date at " + rest());
        return fromEnd;
    }

    private void time() {
        if (peek() == 0) {
            return; // no time: 00:00:00
        }
        List<Item> hours = chain(false);
        require(accept(":"), "a time needs hours and minutes, e.g. 03:00 (at " + rest() + ")");
        List<Item> minutes = chain(false);
        List<Item> seconds = accept(":") ? chain(true) : List.of();
        require(peek() == 0, "unexpected " + rest() + " after the time");
        validate("hour", hours, 0, 23, false);
        validate("minute", minutes, 0, 59, false);
        validate("second", seconds, 0, 60 * USEC - 1, false); // in µs
    }

    /** A component: empty for '*', else its items. Seconds ({@code usec}) may have decimals. */
    private List<Item> chain(boolean usec) {
        if (peek() == '*') {
            pos++;
            return List.of();
        }
        List<Item> items = new ArrayList<>();
        while (true) {
            int begin = pos;
            long start = number(usec);
            long stop = -1;
            long repeat = 0;
            if (accept("..")) {
                stop = number(usec);
                repeat = usec ? USEC : 1;
            }
            if (accept("/")) {
                repeat = number(usec);
                require(repeat > 0, "the repeat in '" + s.substring(begin, pos) + "' must be greater than 0");
            } else {
                require(!usec || stop < 0 || start + repeat <= stop,
                        "second range " + s.substring(begin, pos) + " is shorter than a second");
            }
            require(peek() == 0 || " ,-~:".indexOf(peek()) >= 0, "unexpected " + rest());
            items.add(new Item(s.substring(begin, pos), start, stop, repeat));
            if (!accept(",")) {
                return items;
            }
        }
    }

    /** A decimal number as systemd reads it: at most 2^31-1; seconds in µs, rounded to 6 decimal places. */
    private long number(boolean usec) {
        Matcher m = (usec ? DECIMAL : INTEGER).matcher(s).region(pos, s.length());
        require(m.lookingAt(), "expected a number or '*' at " + rest());
        pos = m.end();
        BigDecimal value = new BigDecimal(m.group()).movePointRight(usec ? 6 : 0).setScale(0, RoundingMode.HALF_UP);
        require(value.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0, "number " + m.group() + " is too large");
        return value.longValueExact();
    }

    /**
     * systemd's chain_valid for one field ({@code fromEnd}: days after '~'), on the normalized items in order without
     * duplicates; as in systemd 252, each further item of a '~' list gets a limit 3 lower.
     */
    private static void validate(String field, List<Item> items, long from, long to, boolean fromEnd) {
        boolean usec = field.equals("second");
        List<Item> sorted = items.stream().map(item -> normalize(item, field.equals("year"))).sorted(ORDER).toList();
        long last = to;
        for (int i = 0; i < sorted.size(); i++) {
            Item item = sorted.get(i);
            if (i > 0 && ORDER.compare(item, sorted.get(i - 1)) == 0) {
                continue;
            }
            last -= fromEnd ? 3 : 0;
            String bounds = show(from, usec) + ".." + show(last, usec) + (!fromEnd ? "" : last == to - 3
                    ? " (days before the month's end)" : " (systemd lowers it by 3 for each further '~' day)");
            String what = field + (fromEnd ? " ~" : " ") + item.text();
            long start = item.start();
            long stop = item.stop();
            long repeat = item.repeat();
            require(start >= from && start <= last && (stop < 0 || (stop >= from && stop <= last)),
                    what + " is out of range " + bounds);
            require(repeat <= last - from, what + ": the repeat is larger than the range " + bounds);
            require(stop < 0 || start + repeat <= stop, what + ": the range runs backwards");
            require(stop >= 0 || (fromEnd ? start - repeat >= from : start + repeat <= last),
                    what + ": start + repeat passes the end of " + bounds);
        }
    }

    /** systemd's fix_year (00..69 are 2000..2069, 70..99 are 1970..1999) and normalize_chain for one item. */
    private static Item normalize(Item item, boolean year) {
        long start = year && item.start() < 100 ? item.start() + (item.start() < 70 ? 2000 : 1900) : item.start();
        long stop = year && item.stop() >= 0 && item.stop() < 100 ? item.stop() + (item.stop() < 70 ? 2000 : 1900)
                : item.stop();
        long repeat = item.repeat();
        if (stop > start && repeat > 0) {
            stop -= (stop - start) % repeat;
        }
        if ((stop > start && repeat > 0 && start + repeat > stop) || start == stop) {
            return new Item(item.text(), start, -1, 0); // the repeat never fires, or the range is one value
        }
        return new Item(item.text(), start, stop, repeat);
    }

    private static String show(long value, boolean usec) {
        return usec ? BigDecimal.valueOf(value, 6).stripTrailingZeros().toPlainString() : Long.toString(value);
    }
}
