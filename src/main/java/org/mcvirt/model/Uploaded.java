package org.mcvirt.model;

/** A file of the manifest that mcvirt uploads to the nodes that need it: a base image or an installer ISO. */
public sealed interface Uploaded permits ImageSpec, IsoSpec {
    String name();

    /** The file on the machine that runs mcvirt. */
    String source();

    String sha256();

    /** The node's file storage that keeps it. */
    String storage();

    /** The file's length: what is uploaded. */
    long fileBytes();

    /** Where the manifest declares it (file:line:column of its sha256). */
    String declaredAt();

    /** Its volume on a node, named by its SHA-256. */
    String volumeName();

    /** "image" or "ISO", for messages. */
    String what();
}
