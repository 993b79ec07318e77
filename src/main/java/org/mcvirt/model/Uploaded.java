package org.mcvirt.model;

/** A file of the manifest that mcvirt uploads to the nodes that need it: a base image or an installer ISO. */
public sealed interface Uploaded permits ImageSpec, IsoSpec {
    String name();

    /**
     * The file on the machine that runs mcvirt (uploaded through libvirt), or an http(s) URL that each node that needs
     * it downloads itself ({@link #remote()}).
     */
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

    /**
     * Whether the source is an http(s) URL: the node downloads it, and its sizes are not known when the manifest is
     * loaded (0) but when the plan is made, from a node's probe of the URL or its copy ({@link #withSizes}).
     */
    default boolean remote() {
        return isUrl(source());
    }

    /** This file with its sizes as learnt for a remote one (an ISO has only its length). */
    Uploaded withSizes(long virtualBytes, long fileBytes);

    static boolean isUrl(String source) {
        return source.startsWith("http://") || source.startsWith("https://");
    }

    /** A source as messages show it: a URL without any user or password (a file as it is). */
    static String shown(String source) {
        return source.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@?#]*@", "$1");
    }

    /** This file's source as messages show it. */
    static String shown(Uploaded file) {
        return shown(file.source());
    }
}
