package org.mcvirt.node;

/** Base images and cloud-init seeds on a node, over its command transport (libvirt moves the bytes). */
public interface ImagePrimitives {
    /** The SHA-256 of a file on the node, in lower-case hex. */
    String sha256(String path, java.time.Duration timeout) throws NodeException;

    /**
     * Builds a NoCloud seed ISO (label cidata) named fileName in directory from the three files (networkConfig may be
     * null), written under a temporary name and renamed into place, mode 0644.
     */
    void writeImage(String image, String format, String device, long virtualBytes, java.time.Duration timeout)
            throws NodeException;

    void writeSeed(String directory, String fileName, String userData, String metaData, String networkConfig)
            throws NodeException;

    /**
     * What the node gets when it asks for the first bytes of an http(s) URL: the whole file's length (-1 when the
     * server does not say), those bytes, or why it cannot get them (error, then the rest is empty).
     */
    record Probe(String url, long length, byte[] start, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    /** Asks for the first bytes of url from the node, within the node command's deadline. */
    Probe probe(String url) throws NodeException;

    /**
     * Downloads url on the node into directory/fileName, checked against sha256 (and, a qcow2, for a backing or data
     * file) before it is renamed into place; nothing is left on a failure.
     */
    void fetch(String url, String directory, String fileName, String sha256, String format, java.time.Duration timeout)
            throws NodeException;
}
