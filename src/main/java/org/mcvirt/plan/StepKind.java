package org.mcvirt.plan;

/** The primitive operations apply can run. Each maps to one libvirt call sequence in the executor. */
public enum StepKind {
    CREATE_POOL, START_POOL, CREATE_VOLUME, CREATE_NETWORK, START_NETWORK, DELETE_NETWORK,
    DEFINE_DOMAIN, SET_MEMORY_LIVE, ATTACH_DEVICE_LIVE, DETACH_DEVICE_LIVE, SET_AUTOSTART,
    START_DOMAIN, SHUTDOWN_DOMAIN, UNDEFINE_DOMAIN, DELETE_VOLUME;

    /** Steps that destroy something: they need --allow-destroy. Every kind says which it is. */
    public boolean destructive() {
        return switch (this) {
            case DELETE_NETWORK, UNDEFINE_DOMAIN, DELETE_VOLUME -> true;
            case CREATE_POOL, START_POOL, CREATE_VOLUME, CREATE_NETWORK, START_NETWORK, DEFINE_DOMAIN, SET_MEMORY_LIVE,
                 ATTACH_DEVICE_LIVE, DETACH_DEVICE_LIVE, SET_AUTOSTART, START_DOMAIN, SHUTDOWN_DOMAIN -> false;
        };
    }
}
