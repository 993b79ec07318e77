package org.mcvirt.node;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.jna.ConnectionPointer;
import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.Libvirt;

/**
 * A libvirt connection with the one call libvirt-java 0.5.3 lacks: {@code virConnectListAllDomains}, which names
 * every domain (running and defined) in one call. Listing running domains by id and looking each up by id costs
 * libvirt a scan of its whole domain list per lookup (quadratic in the number of domains); by name it is a hash
 * lookup.
 */
final class NodeConnect extends Connect {
    /** The missing binding, loaded from the same native library libvirt-java uses. */
    private interface ListAll extends Library {
        int virConnectListAllDomains(ConnectionPointer connection, PointerByReference domains, int flags);

        int virDomainFree(DomainPointer domain);
    }

    private static final ListAll LIST_ALL = load();

    private static ListAll load() {
        try {
            return Native.load("virt", ListAll.class); // the library libvirt-java itself loads
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return null; // an old libvirt: names are listed the slow way
        }
    }

    NodeConnect(String uri) throws LibvirtException {
        super(uri);
    }

    /**
     * The names of all domains, or null when this libvirt has no virConnectListAllDomains or the call failed (the
     * caller then lists by id and name, and libvirt-java reports any error).
     */
    List<String> allDomainNames() {
        if (LIST_ALL == null) {
            return null;
        }
        PointerByReference array = new PointerByReference();
        int count;
        try {
            count = LIST_ALL.virConnectListAllDomains(vcp, array, 0);
        } catch (UnsatisfiedLinkError e) {
            return null; // JNA binds on first call: a libvirt without the function is found here
        }
        if (count < 0) {
            return null; // the slow way reports libvirt's error through libvirt-java
        }
        Pointer domains = array.getValue();
        List<String> names = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                DomainPointer domain = new DomainPointer();
                domain.setPointer(domains.getPointer((long) i * Native.POINTER_SIZE));
                try {
                    names.add(Libvirt.INSTANCE.virDomainGetName(domain));
                } finally {
                    LIST_ALL.virDomainFree(domain);
                }
            }
        } finally {
            if (domains != null) {
                Native.free(Pointer.nativeValue(domains));
            }
        }
        return names;
    }
}
