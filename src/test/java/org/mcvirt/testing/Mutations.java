package org.mcvirt.testing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
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
            + "|out of bounds for length|cannot be cast to|\\bjava\\.lang\\.|\\bnull$");

    private Mutations() {
    }

    /** One edit. position and extent are fractions (0 to 1) of the input's length when the edit is applied. */
    public record Edit(Kind kind, double position, double extent, int bits, String token) {
        byte[] apply(byte[] input) {
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
                case REPLACE -> concat(concat(Arrays.copyOf(input, at), token.getBytes(StandardCharsets.UTF_8)),
                        Arrays.copyOfRange(input, at + span, input.length));
            };
        }
    }

    public enum Kind { FLIP, TRUNCATE, DUPLICATE, DELETE, INSERT, REPLACE }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Seeds mutated, as bytes (for input read from a file, where a flipped byte may make invalid UTF-8). */
    public static Arbitrary<byte[]> bytes(List<String> seeds, List<String> tokens) {
        Arbitrary<Edit> edit = Combinators.combine(Arbitraries.of(Kind.class),
                Arbitraries.doubles().between(0, 1), Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(0, 255), token(tokens)).as(Edit::new);
        return Combinators.combine(Arbitraries.of(seeds), edit.list().ofMinSize(1).ofMaxSize(MAX_EDITS))
                .as((seed, edits) -> {
                    byte[] input = seed.getBytes(StandardCharsets.UTF_8);
                    for (Edit e : edits) {
                        input = e.apply(input);
                    }
                    return input;
                });
    }

    /** Seeds mutated, as text (what a node command's output is once read: invalid UTF-8 became U+FFFD). */
    public static Arbitrary<String> text(List<String> seeds, List<String> tokens) {
        return bytes(seeds, tokens).map(b -> new String(b, StandardCharsets.UTF_8));
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

    /** Fails when a message meant for a person is blank or shows an internal error. */
    public static void assertClearMessage(String what, Throwable thrown) {
        String message = thrown.getMessage();
        if (message == null || message.isBlank() || INTERNAL.matcher(message).find()) {
            throw new AssertionError(what + " gave an unclear message (" + thrown.getClass().getName() + "): "
                    + message, thrown);
        }
    }
}
