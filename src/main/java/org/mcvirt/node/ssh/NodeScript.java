package org.mcvirt.node.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Every shell script mcvirt runs on a node, each a resource {@code node-scripts/NAME.sh} (checked with shellcheck by
 * the tests). A script is run as {@code sh -c TEXT $0 ARGS...}: what varies reaches it only as positional
 * parameters, which the transport quotes ({@link ShellQuoting}), never spliced into its text. Scripts that call
 * system tools get {@code /usr/sbin} and {@code /sbin} on the PATH first (a non-login shell may lack them): that fix
 * is written here once, and so is the state directory's: scripts that write into it run under {@code umask 077} and
 * make it with {@code state_directory DIR} (created, or an earlier version's tightened, to 0711).
 */
public enum NodeScript {
    /** $@: a tool and its arguments, run with standard input from /dev/null. */
    TOOL("tool", "mcvirt-drbd", true),
    /** $1: a program; succeeds when it can be found. */
    HAS_TOOL("has-tool", "mcvirt-check", true),
    /** $1 volume group, $2 new logical volume: zeroes its first MiB and its tail. */
    CLEAR_LV_ENDS("clear-lv-ends", "mcvirt-clear", false),
    /**
     * mcvirt's DRBD online verify and its record ({@code STATE/verify/RES.json}): {@code start STATE RES MINOR NODE},
     * {@code finish STATE RES MINOR NODE WAIT}, and {@code scheduled STATE CONFDIR NODE CLUSTER WAIT}, the one the
     * scheduled verify's systemd service runs from a copy of this text on the node.
     */
    DRBD_VERIFY("drbd-verify", "mcvirt-verify", true, true),
    /** $1 state directory, $2 holder JSON, $3 lock file: created only when there is none. */
    LOCK_TAKE("lock-take", "mcvirt-lock", false, true),
    /** $1 lock file, $2 token: removed only when it holds the token. */
    LOCK_RELEASE("lock-release", "mcvirt-unlock", false),
    /**
     * $1 lock file, $2 token, $3 holder JSON with a new heartbeat: replaced atomically while it holds the token; exit
     * status {@link #LOCK_GONE_STATUS} when it does not.
     */
    LOCK_RENEW("lock-renew", "mcvirt-lock-renew", false),
    /** $1 lock file, $2 token: succeeds while it holds the token; exit status {@link #LOCK_GONE_STATUS} otherwise. */
    LOCK_CHECK("lock-check", "mcvirt-lock-check", false),
    /**
     * $1 lock file, $2 {@code token} or {@code text}, $3 the token or whole text shown: removed only when it still is
     * that lock; exit status {@link #LOCK_GONE_STATUS} when there is none, {@link #LOCK_CHANGED_STATUS} when it
     * changed.
     */
    LOCK_BREAK("lock-break", "mcvirt-lock-break", false),
    /** $1 state directory, $2 a directory in it (its path): both made, the second for root only. */
    STATE_DIRECTORY("state-directory", "mcvirt-state", false, true),
    /** $1 state directory, $2 one JSON line, $3 journal file: the line appended. */
    JOURNAL_APPEND("journal-append", "mcvirt-journal", false, true),
    /**
     * $1 journal file, $2 one JSON line, $3 lock file (or empty), $4 token: a step's line appended, only while the
     * lock file holds the token (exit status {@link #LOCK_GONE_STATUS} otherwise); shell built-ins only.
     */
    JOURNAL_STEP("journal-step", "mcvirt-journal-step", false, true),
    /**
     * $1 boundary, $2 verify record directory, $3 journal file, $4 saved definitions directory: LVM, DRBD and
     * mcvirt's records in one command (state.StorageReader fills in its LV_FIELDS, VG_FIELDS and JOURNAL_TAIL).
     */
    STORAGE_READ("storage-read", "mcvirt-read", true),
    /** $1 path, $2 octal mode, the content on standard input: written atomically. */
    FILE_WRITE("file-write", "mcvirt-write", false),
    /** $1 path: its content, or exit status {@link #FILE_MISSING_STATUS} when there is no such file. */
    FILE_READ("file-read", "mcvirt-read", false),
    /**
     * $1 libvirtd.conf, $2 enable|disable, $3 cluster, $4 seconds: libvirtd's polkit access driver set or unset (one
     * marked line), libvirtd restarted only when the file changed and waited for; prints unchanged or restarted.
     */
    LIBVIRT_ACCESS("libvirt-access", "mcvirt-access", true),
    /** $1 public key: added to the login user's authorized_keys unless it is there. */
    ENROL_KEY("enrol-key", "mcvirt-enrol", false),
    /** $1 a file: prints its SHA-256 (an image checked before use). */
    IMAGE_SHA256("image-sha256", "mcvirt-sha256", false),
    /**
     * $1 directory, $2 seed file name, $3 input file of the three base64 lines (removed): a cloud-init NoCloud seed
     * ISO built with xorriso or genisoimage; exit status 3 when neither is installed.
     */
    SEED_WRITE("seed-write", "mcvirt-seed", false),
    /**
     * $1 image, $2 format, $3 block device, $4 virtual size: the image written onto the device as raw bytes; exit
     * status 3 when the device is smaller.
     */
    IMAGE_WRITE("image-write", "mcvirt-image-write", true),
    /** $1 an http(s) URL: curl's status, the response headers and the first 104 bytes; exit status 3 without curl. */
    IMAGE_PROBE("image-probe", "mcvirt-image-probe", false),
    /**
     * $1 URL, $2 directory, $3 file name, $4 SHA-256, $5 format: downloaded and checked, then renamed into place; exit
     * status 3 without curl, 4 download failed, 5 another SHA-256, 6 a qcow2 that refers to another file.
     */
    IMAGE_FETCH("image-fetch", "mcvirt-image-fetch", false);

    /** The exit status of {@link #FILE_READ} for a missing file (the number in its text). */
    public static final int FILE_MISSING_STATUS = 100;
    /** The exit status of the lock scripts when there is no lock file, or it does not hold the token. */
    public static final int LOCK_GONE_STATUS = 3;
    /** The exit status of {@link #LOCK_BREAK} when the lock is no longer the one shown. */
    public static final int LOCK_CHANGED_STATUS = 4;
    /** The one PATH fix: sbin is not on a non-login PATH on every node. */
    static final String SBIN_PATH = "PATH=\"$PATH:/usr/sbin:/sbin\"; export PATH\n";
    /**
     * The one state-directory fix: what is made in it is for root only (umask 077: directories 0700, files 0600), and
     * {@code state_directory DIR} makes the state directory (its parents as usual) and sets it to 0711: nobody else
     * can list it, but storage pool directories may lie below it (the default layout has /var/lib/mcvirt/images) and
     * qemu, running as its own user, must reach them. An earlier version's directory is tightened (best effort: one
     * the login user does not own keeps its mode), never / or a sticky directory such as /tmp.
     */
    static final String STATE_MODES = "umask 077\n"
            + "state_directory() {\n"
            + "  [ -d \"$1\" ] || (umask 022 && mkdir -p -- \"$1\") || return\n"
            + "  [ \"$1\" = / ] || [ -k \"$1\" ] || chmod 0711 -- \"$1\" 2>/dev/null || :\n"
            + "}\n";

    private final String resource;
    private final String scriptName;
    private final String text;

    NodeScript(String file, String name, boolean sbin) {
        this(file, name, sbin, false);
    }

    /** stateModes: the script writes into the state directory ({@link #STATE_MODES}). */
    NodeScript(String file, String name, boolean sbin, boolean stateModes) {
        this.resource = "/node-scripts/" + file + ".sh";
        this.scriptName = name;
        this.text = (sbin ? SBIN_PATH : "") + (stateModes ? STATE_MODES : "") + load(resource);
    }

    /** The resource the script is read from, e.g. {@code /node-scripts/tool.sh}. */
    public String resource() {
        return resource;
    }

    /** Its $0, which the shell names in its own error messages. */
    public String scriptName() {
        return scriptName;
    }

    /** The text as it runs (with the PATH fix when it has one). */
    public String text() {
        return text;
    }

    /** {@code sh -c TEXT NAME ARGS...}. */
    public List<String> command(String... arguments) {
        return commandOf(text, arguments);
    }

    /** {@code sh -c TEXT NAME ARGS...} for this script's text with placeholders filled in by the caller. */
    public List<String> commandOf(String filledText, String... arguments) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", filledText, scriptName));
        command.addAll(List.of(arguments));
        return command;
    }

    private static String load(String resource) {
        try (InputStream in = NodeScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("node script " + resource + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read node script " + resource, e);
        }
    }
}
