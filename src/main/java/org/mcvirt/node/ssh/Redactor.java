package org.mcvirt.node.ssh;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the DRBD shared secret out of what a node command returns. drbd-utils prints a failing drbdsetup command
 * line with every option as {@code --name=value} (so {@code --shared-secret=VALUE}) when a child exits with 10 or
 * more, and {@code drbdadm dump} or {@code drbdsetup show} print {@code shared-secret "VALUE";}. Both spellings have
 * their value replaced by {@value #MARK} and the value is remembered; every remembered value (also those a caller
 * names, and those seen in a file written or read through the transport) is replaced wherever it appears. Safe for
 * concurrent use: one redactor serves all the nodes of a run.
 */
public final class Redactor {
    /** What a secret is replaced with. */
    public static final String MARK = "(secret)";
    /** A secret's value after {@code --shared-secret=} or {@code --shared-secret }, quoted or not. */
    private static final Pattern OPTION = Pattern.compile(
            "(--shared-secret(?:=|\\s+))(\"[^\"]*\"|'[^']*'|\\\\\"[^\"\\\\]*\\\\\"|[^\\s\"'\\\\]+)");
    /** A secret's value in drbd.conf syntax ({@code shared-secret "VALUE";}, or unquoted). */
    private static final Pattern STATEMENT = Pattern.compile(
            "(?<![-\\w])(shared-secret\\s+)(\"(?:[^\"\\\\\\n]|\\\\.)*\"|\\\\\"[^\"\\\\]*\\\\\"|[^\\s;\"\\\\]+)");
    private static final List<Pattern> SPELLINGS = List.of(OPTION, STATEMENT);

    /**
     * The shortest value replaced wherever it appears: a shorter one (a weak secret) is replaced only where drbd-utils
     * spells it, since it could also be part of a checksum or a name that mcvirt reads back from the node.
     */
    static final int SHORTEST_LITERAL = 8;

    private final Set<String> secrets = ConcurrentHashMap.newKeySet();

    /** Remembers a secret, so that it is replaced wherever it appears from now on (see {@link #SHORTEST_LITERAL}). */
    public void learn(String secret) {
        if (secret != null && secret.length() >= SHORTEST_LITERAL && !secret.contains(MARK)) {
            secrets.add(secret);
        }
    }

    /** Remembers every secret a text spells (a resource file, drbdadm dump) without changing the text. */
    public void learnFrom(String text) {
        if (text == null || !text.contains("shared-secret")) {
            return;
        }
        for (Pattern spelling : SPELLINGS) {
            Matcher matcher = spelling.matcher(text);
            while (matcher.find()) {
                learn(unquoted(matcher.group(2)));
            }
        }
    }

    /** As {@link #learnFrom(String)}, for a file's bytes (decoded as UTF-8). */
    public void learnFrom(byte[] content) {
        learnFrom(new String(content, StandardCharsets.UTF_8));
    }

    /** The text with every secret it spells, and every secret remembered, replaced by {@value #MARK}. */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        learnFrom(text);
        String result = text;
        for (Pattern spelling : SPELLINGS) {
            result = spelling.matcher(result).replaceAll(m -> Matcher.quoteReplacement(m.group(1)
                    + (m.group(2).startsWith("\"") ? "\"" + MARK + "\""
                    : m.group(2).startsWith("\\\"") ? "\\\"" + MARK + "\\\"" : MARK)));
        }
        // the longest first, so that a secret that contains another is replaced whole
        for (String secret : secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()
                .thenComparing(Comparator.naturalOrder())).toList()) {
            result = result.replace(secret, MARK);
        }
        return result;
    }

    private static String unquoted(String value) {
        if (value.length() >= 4 && value.startsWith("\\\"") && value.endsWith("\\\"")) {
            return value.substring(2, value.length() - 2); // quoted inside JSON text: \"VALUE\"
        }
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        return value;
    }
}
