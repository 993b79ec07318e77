package org.mcvirt.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the configuration DRBD 8.4's {@code drbdsetup show} prints (the running configuration of every resource):
 * <pre>
 * resource ref0 {
 *     net { verify-alg "sha1"; shared-secret "..."; }
 *     _remote_host { address ipv4 10.99.0.2:7900; }
 *     _this_host {
 *         address ipv4 10.99.0.1:7900;
 *         volume 0 { device minor 100; disk "/dev/vg0/ref0"; meta-disk internal; disk { ... } }
 *     }
 * }
 * </pre>
 * {@code on NAME { ... }} blocks (the resource-file form) are read as hosts named NAME. The value of
 * {@code shared-secret} (any option whose name contains "secret") is dropped while tokens are read: it is never in
 * the result, and error messages name only line numbers, never text of the input.
 */
public final class DrbdShowParser {
    private static final Pattern DEVICE_MINOR = Pattern.compile("(?:^|\\s)minor\\s+(\\d+)|/dev/drbd(\\d+)$");

    private DrbdShowParser() {
    }

    /** One resource: its net options (without the secret) and its hosts. */
    public record ShowResource(String name, Map<String, String> netOptions, List<Host> hosts) {
        public ShowResource {
            Map<String, String> options = new LinkedHashMap<>();
            netOptions.forEach((k, v) -> {
                if (!ObservedDrbd.Resource.isSecret(k)) {
                    options.put(k, v);
                }
            });
            netOptions = java.util.Collections.unmodifiableMap(options);
            hosts = List.copyOf(hosts);
        }

        /** {@code _this_host}, {@code _remote_host}, or the name of an {@code on} block. */
        public java.util.Optional<Host> host(String hostName) {
            return hosts.stream().filter(h -> h.name().equals(hostName)).findFirst();
        }
    }

    /** A host section: its address ({@code 10.99.0.1:7900}, without the family) and volumes. */
    public record Host(String name, String address, List<Volume> volumes) {
        public Host {
            volumes = List.copyOf(volumes);
        }
    }

    /** A volume: minor (null when not given), backing disk and meta-disk. */
    public record Volume(int number, Integer minor, String disk, String metaDisk) {
    }

    /** The input is not what drbdsetup prints; the message names the line. */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        ParseException(String message) {
            super(message);
        }
    }

    public static List<ShowResource> parse(String text) throws ParseException {
        List<Statement> statements = new Reader(tokens(text)).block(false);
        List<ShowResource> resources = new ArrayList<>();
        for (Statement statement : statements) {
            if (statement.is("resource") && statement.words.size() >= 2 && statement.block != null) {
                resources.add(resource(statement));
            }
        }
        return resources;
    }

    private static ShowResource resource(Statement resource) {
        Map<String, String> net = new LinkedHashMap<>();
        List<Host> hosts = new ArrayList<>();
        for (Statement s : resource.block) {
            if (s.is("net") && s.block != null) {
                for (Statement option : s.block) {
                    if (option.block == null && !option.words.isEmpty()) {
                        net.put(option.words.get(0), String.join(" ", option.words.subList(1, option.words.size())));
                    }
                }
            } else if (s.is("protocol") && s.words.size() == 2) {
                net.put("protocol", s.words.get(1));
            } else if ((s.is("_this_host") || s.is("_remote_host")) && s.block != null) {
                hosts.add(host(s.words.get(0), s.block));
            } else if (s.is("on") && s.words.size() >= 2 && s.block != null) {
                hosts.add(host(s.words.get(1), s.block));
            }
        }
        return new ShowResource(resource.words.get(1), net, hosts);
    }

    private static Host host(String name, List<Statement> block) {
        String address = null;
        List<Volume> volumes = new ArrayList<>();
        VolumeBuilder direct = new VolumeBuilder(0);
        for (Statement s : block) {
            if (s.is("address") && s.words.size() >= 2) {
                address = s.words.get(s.words.size() - 1);
            } else if (s.is("volume") && s.words.size() == 2 && s.block != null && s.words.get(1).matches("\\d+")) {
                VolumeBuilder volume = new VolumeBuilder(Integer.parseInt(s.words.get(1)));
                s.block.forEach(volume::accept);
                volumes.add(volume.build());
            } else {
                direct.accept(s);
            }
        }
        if (direct.used) {
            volumes.add(direct.build());
        }
        return new Host(name, address, volumes);
    }

    private static final class VolumeBuilder {
        private final int number;
        private Integer minor;
        private String disk;
        private String metaDisk;
        private boolean used;

        VolumeBuilder(int number) {
            this.number = number;
        }

        void accept(Statement s) {
            if (s.block != null || s.words.size() < 2) {
                return;
            }
            String value = String.join(" ", s.words.subList(1, s.words.size()));
            if (s.is("device")) {
                Matcher matcher = DEVICE_MINOR.matcher(value);
                if (matcher.find()) {
                    minor = Integer.valueOf(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
                }
                used = true;
            } else if (s.is("disk")) {
                disk = value;
                used = true;
            } else if (s.is("meta-disk") || s.is("flexible-meta-disk")) {
                metaDisk = value;
                used = true;
            }
        }

        Volume build() {
            return new Volume(number, minor, disk, metaDisk);
        }
    }

    /** A statement: its words, and its block when it has one ({@code name { ... }}). */
    private record Statement(List<String> words, List<Statement> block, int line) {
        boolean is(String keyword) {
            return !words.isEmpty() && words.get(0).equals(keyword);
        }
    }

    private record Token(String text, boolean word, int line) {
    }

    /** Splits into words, quoted strings (unquoted), '{', '}' and ';'; '#' starts a comment outside quotes. */
    private static List<Token> tokens(String text) throws ParseException {
        List<Token> tokens = new ArrayList<>();
        int line = 1;
        int i = 0;
        boolean secretNext = false;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '{' || c == '}' || c == ';') {
                tokens.add(new Token(String.valueOf(c), false, line));
                secretNext = false;
                i++;
            } else if (c == '"') {
                int start = line;
                StringBuilder value = new StringBuilder();
                i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    if (text.charAt(i) == '\n') {
                        line++;
                    }
                    value.append(text.charAt(i));
                    i++;
                }
                if (i >= text.length()) {
                    throw new ParseException("unterminated quoted string starting on line " + start);
                }
                i++;
                if (!secretNext) {
                    tokens.add(new Token(value.toString(), true, start));
                }
            } else {
                int start = i;
                while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && "{};\"#".indexOf(text.charAt(i)) < 0) {
                    i++;
                }
                String word = text.substring(start, i);
                if (!secretNext) {
                    tokens.add(new Token(word, true, line));
                }
                if (ObservedDrbd.Resource.isSecret(word) && !secretNext) {
                    // everything up to the next ';' is the secret: never kept
                    secretNext = true;
                }
            }
        }
        return tokens;
    }

    private static final class Reader {
        private final List<Token> tokens;
        private int position;

        Reader(List<Token> tokens) {
            this.tokens = tokens;
        }

        List<Statement> block(boolean nested) throws ParseException {
            List<Statement> statements = new ArrayList<>();
            List<String> words = new ArrayList<>();
            int line = 0;
            while (position < tokens.size()) {
                Token token = tokens.get(position++);
                if (token.word()) {
                    if (words.isEmpty()) {
                        line = token.line();
                    }
                    words.add(token.text());
                } else if (token.text().equals(";")) {
                    if (!words.isEmpty()) {
                        statements.add(new Statement(List.copyOf(words), null, line));
                    }
                    words.clear();
                } else if (token.text().equals("{")) {
                    if (words.isEmpty()) {
                        throw new ParseException("line " + token.line() + ": '{' without a name");
                    }
                    statements.add(new Statement(List.copyOf(words), block(true), line));
                    words.clear();
                } else {
                    if (!nested) {
                        throw new ParseException("line " + token.line() + ": '}' without a matching '{'");
                    }
                    if (!words.isEmpty()) {
                        statements.add(new Statement(List.copyOf(words), null, line));
                    }
                    return statements;
                }
            }
            if (nested) {
                throw new ParseException("the input ends inside a block");
            }
            if (!words.isEmpty()) {
                statements.add(new Statement(List.copyOf(words), null, line));
            }
            return statements;
        }
    }
}
