package org.mcvirt.plan;

/**
 * The subjects steps act on and use, {@code KIND:NODE/...}. {@link StepOrder}'s rules relate steps by them, so every
 * differ names the same object the same way.
 */
final class Subjects {
    private Subjects() {
    }

    static String pool(String node, String pool) {
        return "pool:" + node + "/" + pool;
    }

    static String volume(String node, String pool, String volume) {
        return "volume:" + node + "/" + pool + "/" + volume;
    }

    static String network(String node, String network) {
        return "network:" + node + "/" + network;
    }

    static String domain(String node, String domain) {
        return "domain:" + node + "/" + domain;
    }

    /** A logical volume: the backing disk of one side of a DRBD resource. */
    static String logicalVolume(String node, String volumeGroup, String name) {
        return "lv:" + node + "/" + volumeGroup + "/" + name;
    }

    /** One node's side of a DRBD resource. */
    static String drbd(String node, String resource) {
        return "drbd:" + node + "/" + resource;
    }

    /** A cluster's scheduled verify on a node (its program, service and timer). */
    static String verifySchedule(String node) {
        return "verify-schedule:" + node;
    }

    /** A cluster's permissions on a node (its polkit rules, libvirtd's access driver). */
    static String permissions(String node) {
        return "permissions:" + node;
    }

    /** A node's record that it took a vm over from a node declared offline. */
    static String failover(String node, String vm) {
        return "failover:" + node + "/" + vm;
    }
}
