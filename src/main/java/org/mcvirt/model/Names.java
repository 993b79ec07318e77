package org.mcvirt.model;

/** Naming rules shared by the manifest, the renderer and the state readers. */
public final class Names {
    /**
     * libvirt networks and storage pools cannot carry metadata in libvirt 9.0, so mcvirt marks the ones it
     * owns by their name: {@code mcvirt.CLUSTER.NAME}. Manifest names cannot contain '.', so the cluster part
     * is unambiguous and two clusters sharing a host never claim each other's objects. Domains carry the
     * metadata element instead (see {@link VmMetadata}).
     */
    private static final String MANAGED_PREFIX = "mcvirt.";

    /** The XML namespace of mcvirt's domain metadata element. */
    public static final String METADATA_NAMESPACE = "https://mcvirt.org/xmlns/domain/1";

    /** A manifest name (cluster, node, network, vm, disk, storage): 1-63 lowercase letters, digits and '-'. */
    public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private Names() {
    }

    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static String networkName(String cluster, String network) {
        return prefix(cluster) + network;
    }

    public static String poolName(String cluster, String storage) {
        return prefix(cluster) + storage;
    }

    /** The manifest name of a network or pool this cluster owns, or empty for anything else. */
    public static java.util.Optional<String> manifestName(String cluster, String libvirtName) {
        return libvirtName != null && libvirtName.startsWith(prefix(cluster))
                ? java.util.Optional.of(libvirtName.substring(prefix(cluster).length()))
                : java.util.Optional.empty();
    }

    /** A host bridge name for a NAT network: at most 15 characters, unique per cluster and network. */
    public static String bridgeName(String cluster, String network) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((cluster + "/" + network).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "mcv" + java.util.HexFormat.of().formatHex(hash, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String prefix(String cluster) {
        return MANAGED_PREFIX + cluster + ".";
    }

    /** The file name of a file-backed disk volume. */
    /**
     * The DRBD resource of a replicated disk, also the name of its LVs: unique on a node ('_' cannot occur in manifest
     * names, so vm a-b disk c and vm a disk b-c differ), a valid DRBD and LVM name.
     */
    public static String drbdResource(String vmName, String diskName) {
        return "mcvirt_" + vmName + "_" + diskName;
    }

    public static String volumeName(String vmName, String diskName) {
        return vmName + "-" + diskName + ".qcow2";
    }
}
