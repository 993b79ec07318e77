package org.mcvirt.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The libvirt URIs mcvirt uses: the ones it builds itself ({@link #derived}) and the few a manifest may name. A URI
 * that would make libvirt run a local program ({@code qemu+ext://}, a {@code command=}, {@code netcat=} or
 * {@code proxy=} parameter), talk to another socket ({@code socket=}), skip the host-key check ({@code no_verify},
 * {@code known_hosts_verify} other than {@code normal}) or reach another driver or transport is refused by
 * {@link #problem}. Accepted: {@code qemu:///system}; {@code qemu+libssh://} and {@code qemu+ssh://} to
 * {@code [user@]host[:port]/system} with only the parameters {@code sshauth}, {@code keyfile}, {@code known_hosts}
 * and {@code known_hosts_verify=normal}, each at most once; libvirt's in-process test driver ({@code test:///default}
 * or {@code test:///ABSOLUTE-PATH}, which touches no host). {@code qemu+tcp://} and {@code qemu+tls://} are refused:
 * mcvirt never builds them, and plain tcp has no authentication of the node.
 */
public final class LibvirtUris {
    /** A user name as the manifest accepts it (and so as it can stand in a URI unescaped). */
    public static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    /** A host name or IPv4 address as the manifest accepts it: no option ('-' first), no URI syntax. */
    public static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");
    private static final Pattern REMOTE = Pattern.compile("qemu\\+(libssh|ssh)://(?:([a-z_][a-z0-9_-]{0,31})@)?"
            + "([A-Za-z0-9][A-Za-z0-9.-]{0,252})(?::(\\d{1,5}))?/system(?:\\?(.*))?");
    private static final Pattern TEST = Pattern.compile("test:///(default|[A-Za-z0-9/._-]+)");
    private static final Pattern PARAMETER_VALUE = Pattern.compile("(?:[A-Za-z0-9/._~,-]|%[0-9A-Fa-f]{2})*");
    private static final Map<String, Pattern> PARAMETERS = Map.of(
            "sshauth", Pattern.compile("[a-z-]+(,[a-z-]+)*"),
            "keyfile", PARAMETER_VALUE,
            "known_hosts", PARAMETER_VALUE,
            "known_hosts_verify", Pattern.compile("normal"));

    private LibvirtUris() {
    }

    /** libvirt over libssh with the node's own key and known_hosts: strict host-key checking, no agent. */
    public static String derived(String user, String address, int port, String identityFile, String knownHosts) {
        return "qemu+libssh://" + user + "@" + address + ":" + port + "/system?sshauth=privkey"
                + "&keyfile=" + encode(identityFile) + "&known_hosts=" + encode(knownHosts)
                + "&known_hosts_verify=normal";
    }

    /**
     * A query parameter value as libvirt decodes it (virURIParseParams unescapes %XX): letters, digits and
     * {@code / . _ ~ -} stay as they are (so common paths read the same), every other byte of the UTF-8 text is %XX.
     */
    public static String encode(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "/._~-".indexOf(c) >= 0)) {
                out.write(c);
            } else {
                out.writeBytes(String.format("%%%02X", c).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** What is wrong with a path that goes into a URI: control characters cannot be carried (empty when fine). */
    public static Optional<String> pathProblem(String path) {
        if (path.isEmpty() || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return Optional.of("must be a path without control characters");
        }
        return Optional.empty();
    }

    /** Why libvirt must not be given this URI, or empty when it is one mcvirt accepts. */
    public static Optional<String> problem(String uri) {
        if (uri.equals("qemu:///system") || TEST.matcher(uri).matches() && !uri.contains("..")) {
            return Optional.empty();
        }
        Matcher remote = REMOTE.matcher(uri);
        if (!remote.matches()) {
            return Optional.of("only qemu:///system, qemu+libssh://[USER@]HOST[:PORT]/system and"
                    + " qemu+ssh://[USER@]HOST[:PORT]/system are accepted");
        }
        if (remote.group(4) != null) {
            int port = Integer.parseInt(remote.group(4));
            if (port < 1 || port > 65535) {
                return Optional.of("the port must be between 1 and 65535");
            }
        }
        String query = remote.group(5);
        if (query == null) {
            return Optional.empty();
        }
        Set<String> seen = new HashSet<>();
        for (String parameter : query.split("&", -1)) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            String value = equals < 0 ? "" : parameter.substring(equals + 1);
            Pattern allowed = PARAMETERS.get(name);
            if (allowed == null) {
                return Optional.of("the parameter '" + name + "' is not accepted (only sshauth, keyfile, known_hosts"
                        + " and known_hosts_verify=normal)");
            }
            if (!seen.add(name)) {
                return Optional.of("the parameter '" + name + "' is given twice");
            }
            if (!allowed.matcher(value).matches() || value.contains("%00")) {
                return Optional.of("the parameter '" + name + "' has the value '" + value + "', which is not accepted"
                        + (name.equals("known_hosts_verify") ? " (only normal: the host key is always checked)"
                        : " (percent-encode anything but letters, digits and / . _ ~ -)"));
            }
        }
        return Optional.empty();
    }
}
