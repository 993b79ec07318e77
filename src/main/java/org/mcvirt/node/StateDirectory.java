package org.mcvirt.node;

import java.util.Objects;

/**
 * The layout of a node's state directory ({@code paths.state}, default /var/lib/mcvirt), the one place its names are
 * spelt: {@code lock.json} (the cluster lock), {@code journal.jsonl} (the apply journal), {@code verify/RES.json}
 * (online verify records), {@code failover/VM.json} (the vms this node took over from a node declared offline), {@code domains/VM.xml} (saved definitions) and {@code drbd-check/RES.res} (scratch copies
 * of resource files being checked). The directory is 0711 (pools may lie below it), those in it 0700 and every file
 * 0600: the scripts that write there make them so ({@code NodeScript.STATE_DIRECTORY}, {@code JOURNAL_APPEND},
 * {@code LOCK_TAKE}; files through the transport's atomic write with mode 0600).
 */
public record StateDirectory(String root) {
    public StateDirectory {
        Objects.requireNonNull(root, "root");
    }

    public String lockFile() {
        return root + "/lock.json";
    }

    public String journalFile() {
        return root + "/journal.jsonl";
    }

    /** The scheduled verify's copy of mcvirt's verify program (node-scripts/drbd-verify.sh), run by its service. */
    public String verifyProgram() {
        return programDirectory() + "/drbd-verify.sh";
    }

    /** The directory of {@link #verifyProgram()}. */
    public String programDirectory() {
        return root + "/bin";
    }

    public String verifyDirectory() {
        return root + "/verify";
    }

    /** Where a resource's verify record lives. */
    public String verifyRecord(String resource) {
        return verifyDirectory() + "/" + resource + ".json";
    }

    public String failoverDirectory() {
        return root + "/failover";
    }

    /** Where the record of a vm's failover to this node lives. */
    public String failoverRecord(String vm) {
        return failoverDirectory() + "/" + vm + ".json";
    }

    public String definitionsDirectory() {
        return root + "/domains";
    }

    /** Where the saved copy of a domain's definition lives. */
    public String definition(String domain) {
        return definitionsDirectory() + "/" + domain + ".xml";
    }

    public String drbdCheckDirectory() {
        return root + "/drbd-check";
    }

    /** The scratch copy of a resource file that drbd-utils must parse before the file is put in place. */
    public String drbdCheckFile(String resource) {
        return drbdCheckDirectory() + "/" + resource + ".res";
    }
}
