package org.mcvirt.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * Mutated inputs for the property-based (fuzz) tests: a seed (a real manifest, plan or node output) with one to
 * {@value #MAX_EDITS} edits applied in turn: a flipped byte, a truncation, a duplicated or deleted range, a random
 * token from the format's own vocabulary inserted or written over a range. Positions are fractions of the current
 * length, so jqwik shrinks a failing input towards fewer and simpler edits of the same seed.
 */
public final class Mutations {
    public static final int MAX_EDITS = 6;
    /**
     * Signs of an internal error in a message meant for a person: what a NullPointerException, an index or number
     * format error or a class cast prints, or an exception's class name.
     */
    private static final Pattern INTERNAL = Pattern.compile("Exception|Cannot invoke|because \"|For input string"
            + "|out of bounds for length|cannot be cast to|: null$");

    /** Values in JSON: the inside of each string, and each number, true, false or null. */
    public static final Pattern JSON_VALUES = Pattern.compile("\"((?:[^\"\\\\]++|\\\\.)*+)\"|([-0-9.eE+]+|true|false|null)");
    /** Values in XML: attribute values and the text between tags. */
    public static final Pattern XML_VALUES = Pattern.compile("='([^']*)'|=\"([^\"]*)\"|>\\s*([^<\\s][^<]*?)\\s*<");
    /** Values in YAML: what follows "key: " or "- " to the end of the line. */
    public static final Pattern YAML_VALUES = Pattern.compile("(?:: |- )([^\n]*)");
    private static final Pattern NO_VALUES = Pattern.compile("(?!)()");

    private Mutations() {
    }

    /** One edit. position and extent are fractions (0 to 1) of the input's length when the edit is applied. */
    public record Edit(Kind kind, double position, double extent, int bits, String token) {
        byte[] apply(byte[] input, Pattern values) {
            if (kind == Kind.VALUE) {
                return value(input, values);
            }
            int at = (int) Math.min(input.length, Math.floor(position * (input.length + 1)));
            int span = (int) Math.min(input.length - at, Math.floor(extent * 32) + 1);
            return switch (kind) {
                case FLIP -> {
                    if (input.length == 0) {
                        yield input;
                    }
                    byte[] out = input.clone();
                    int index = Math.min(at, input.length - 1);
                    out[index] = (byte) (out[index] ^ (bits == 0 ? 1 : bits));
                    yield out;
                }
                case TRUNCATE -> Arrays.copyOf(input, at);
                case DUPLICATE -> concat(Arrays.copyOf(input, at + span), Arrays.copyOfRange(input, at, input.length));
                case DELETE -> concat(Arrays.copyOf(input, at), Arrays.copyOfRange(input, at + span, input.length));
                case INSERT -> concat(concat(Arrays.copyOf(input, at), token.getBytes(StandardCharsets.UTF_8)),
                        Arrays.copyOfRange(input, at, input.length));
                case REPLACE, VALUE -> concat(concat(Arrays.copyOf(input, at), token.getBytes(StandardCharsets.UTF_8)),
                        Arrays.copyOfRange(input, at + span, input.length));
            };
        }

        /** Writes the token over one value of the format (a match of values), chosen by position. */
        private byte[] value(byte[] input, Pattern values) {
            String text = new String(input, StandardCharsets.ISO_8859_1);
            List<int[]> spans = new ArrayList<>();
            Matcher m = values.matcher(text);
            while (m.find()) {
                for (int group = 1; group <= m.groupCount(); group++) {
                    if (m.start(group) >= 0) {
                        spans.add(new int[] {m.start(group), m.end(group)});
                        break;
                    }
                }
            }
            if (spans.isEmpty()) {
                return input;
            }
            int[] span = spans.get((int) Math.min(spans.size() - 1, Math.floor(position * spans.size())));
            return concat(concat(Arrays.copyOf(input, span[0]), token.getBytes(StandardCharsets.UTF_8)),
                    Arrays.copyOfRange(input, span[1], input.length));
        }
    }

    public enum Kind { FLIP, TRUNCATE, DUPLICATE, DELETE, INSERT, REPLACE, VALUE }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Seeds mutated, as bytes (for input read from a file, where a flipped byte may make invalid UTF-8). */
    public static Arbitrary<byte[]> bytes(List<String> seeds, List<String> tokens) {
        return bytes(seeds, tokens, NO_VALUES);
    }

    /**
     * As {@link #bytes(List, List)}, with edits that write a token over one of the format's values: group 1 of each
     * match of values (the first group that took part: a scalar of YAML, a JSON string or number, an XML attribute or text).
     */
    public static Arbitrary<byte[]> bytes(List<String> seeds, List<String> tokens, Pattern values) {
        Arbitrary<Edit> edit = Combinators.combine(Arbitraries.of(Kind.class),
                Arbitraries.doubles().between(0, 1), Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(0, 255), token(tokens)).as(Edit::new);
        return Combinators.combine(Arbitraries.of(seeds), edit.list().ofMinSize(1).ofMaxSize(MAX_EDITS)
                .withSizeDistribution(RandomDistribution.biased()))
                .as((seed, edits) -> {
                    byte[] input = seed.getBytes(StandardCharsets.UTF_8);
                    for (Edit e : edits) {
                        input = e.apply(input, values);
                    }
                    return input;
                });
    }

    /** Seeds mutated, as text (what a node command's output is once read: invalid UTF-8 became U+FFFD). */
    public static Arbitrary<String> text(List<String> seeds, List<String> tokens) {
        return text(seeds, tokens, NO_VALUES);
    }

    public static Arbitrary<String> text(List<String> seeds, List<String> tokens, Pattern values) {
        return bytes(seeds, tokens, values).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** A token of the format's vocabulary, or a short random string of any characters. */
    private static Arbitrary<String> token(List<String> tokens) {
        Arbitrary<String> common = Arbitraries.of("", " ", "\n", "\t", "\"", "'", "\\", "{", "}", "[", "]", ":", ",",
                "-", "0", "-1", "99999999999999999999", "1e400", "NaN", "null", "true", "~", "#", "&a", "*a", "!!str",
                "\u0000", "\uFFFD", "\u00e9", "/", "..", "%", "<", ">", "</", "/>", "&amp;", "<![CDATA[", "<!--");
        Arbitrary<String> random = Arbitraries.strings().all().ofMaxLength(6);
        return tokens.isEmpty() ? Arbitraries.oneOf(common, random)
                : Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(tokens)), Tuple.of(2,
                        common), Tuple.of(1, random));
    }

    /** Inputs made from nothing: one to forty tokens of the format's vocabulary (and random ones) in a row. */
    public static Arbitrary<String> soup(List<String> tokens) {
        return token(tokens).list().ofMinSize(1).ofMaxSize(40).map(parts -> String.join("", parts));
    }

    /**
     * Seeds whose structure stays whole: one to three of their values (matches of values) are each replaced by a
     * token, escaped for the format, so that the input still parses as its syntax and reaches the code that reads the
     * values.
     */
    public static Arbitrary<String> values(List<String> seeds, List<String> tokens, Pattern values,
                                           UnaryOperator<String> escape) {
        Arbitrary<Edit> edit = Combinators.combine(Arbitraries.doubles().between(0, 1), token(tokens))
                .as((position, token) -> new Edit(Kind.VALUE, position, 0, 0, escape.apply(token)));
        return Combinators.combine(Arbitraries.of(seeds), edit.list().ofMinSize(1).ofMaxSize(3))
                .as((seed, edits) -> {
                    byte[] input = seed.getBytes(StandardCharsets.UTF_8);
                    for (Edit e : edits) {
                        input = e.apply(input, values);
                    }
                    return new String(input, StandardCharsets.UTF_8);
                });
    }

    /** A token as the inside of a JSON string. */
    public static String jsonEscaped(String token) {
        StringBuilder out = new StringBuilder();
        for (char c : token.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A token as XML text or an attribute value (quoted with either quote). */
    public static String xmlEscaped(String token) {
        StringBuilder out = new StringBuilder();
        for (char c : token.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '\'' -> out.append("&apos;");
                case '"' -> out.append("&quot;");
                default -> out.append(c < 0x20 && c != '\t' && c != '\n' ? ' ' : c);
            }
        }
        return out.toString();
    }

    /** Value-only edits two times in five, mutated seeds two, token soup one. */
    public static Arbitrary<String> mixed(List<String> seeds, List<String> tokens, Pattern values,
                                          UnaryOperator<String> escape) {
        return Arbitraries.frequencyOf(Tuple.of(2, values(seeds, tokens, values, escape)),
                Tuple.of(2, text(seeds, tokens, values)), Tuple.of(1, soup(tokens)));
    }

    /** Mutated seeds four times in five, token soup otherwise. */
    public static Arbitrary<String> mutatedOrSoup(List<String> seeds, List<String> tokens, Pattern values) {
        return Arbitraries.frequencyOf(Tuple.of(4, text(seeds, tokens, values)), Tuple.of(1, soup(tokens)));
    }

    /** Fails when a message meant for a person is blank or shows an internal error. */
    public static void assertClearMessage(String what, Throwable thrown) {
        String message = thrown.getMessage();
        if (message == null || message.isBlank() || INTERNAL.matcher(message).find()) {
            throw new AssertionError(what + " gave an unclear message (" + thrown.getClass().getName() + "): "
                    + message, thrown);
        }
    }
}
