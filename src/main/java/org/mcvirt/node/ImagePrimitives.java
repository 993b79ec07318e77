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
}
