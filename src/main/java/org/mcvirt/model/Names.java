package org.mcvirt.model;

/** Naming rules shared by the manifest, the renderer and the state readers. */
public final class Names {
    /**
     * libvirt networks and storage pools cannot carry metadata in libvirt 9.0, so mcvirt marks the ones it
     * owns by this name prefix. Domains carry the metadata element instead (see {@link VmMetadata}).
     */
    public static final String MANAGED_PREFIX = "mcvirt-";

    /** The XML namespace of mcvirt's domain metadata element. */
    public static final String METADATA_NAMESPACE = "https://mcvirt.org/xmlns/domain/1";

    private Names() {
    }

    public static String networkName(String manifestName) {
        return MANAGED_PREFIX + manifestName;
    }

    /** The file name of a file-backed disk volume. */
    public static String volumeName(String vmName, String diskName) {
        return vmName + "-" + diskName + ".qcow2";
    }
}
