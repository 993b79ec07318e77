package org.mcvirt.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * Parses DRBD 9's {@code drbdsetup status --json}: an array of resources, each with its role, devices (volume,
 * minor, disk-state) and connections (connection-state, peer-role, and per volume replication-state,
 * peer-disk-state, out-of-sync in KiB and, during a resync or verify, percent-resync-done and
 * estimated-seconds-to-finish). One entry per resource volume; with several peers the first by peer node id is
 * taken. Backing disks and addresses are not in this output: they stay null.
 */
public final class Drbd9StatusParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NOT_SYNCING = Set.of("Off", "Established");
    /** drbdsetup's "no estimate" value of estimated-seconds-to-finish. */
    private static final long NO_ESTIMATE = 987654321L;

    private Drbd9StatusParser() {
    }

    public static List<ObservedDrbd.Resource> parse(String json) throws JsonProcessingException {
        JsonNode root = JSON.readTree(json);
        List<ObservedDrbd.Resource> resources = new ArrayList<>();
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("drbdsetup status --json did not print an array");
        }
        for (JsonNode resource : root) {
            String name = text(resource, "name");
            JsonNode connection = StreamSupport.stream(resource.path("connections").spliterator(), false)
                    .min(Comparator.comparingInt(c -> c.path("peer-node-id").asInt())).orElse(null);
            for (JsonNode device : resource.path("devices")) {
                int volume = device.path("volume").asInt();
                JsonNode peerDevice = connection == null ? null : StreamSupport
                        .stream(connection.path("peer_devices").spliterator(), false)
                        .filter(p -> p.path("volume").asInt() == volume).findFirst().orElse(null);
                String connectionState = connection == null ? null : text(connection, "connection-state");
                String replication = peerDevice == null ? null : text(peerDevice, "replication-state");
                if ("Connected".equals(connectionState) && replication != null && !NOT_SYNCING.contains(replication)) {
                    connectionState = replication;
                }
                long outOfSync = peerDevice == null ? 0 : peerDevice.path("out-of-sync").asLong();
                ObservedDrbd.Sync sync = peerDevice == null ? null : sync(replication, peerDevice, outOfSync);
                resources.add(new ObservedDrbd.Resource(name, volume, device.path("minor").asInt(), null, null, null,
                        null, null, Map.of(), connectionState, text(resource, "role"),
                        connection == null ? null : text(connection, "peer-role"), text(device, "disk-state"),
                        peerDevice == null ? null : text(peerDevice, "peer-disk-state"), outOfSync, sync, Map.of()));
            }
        }
        return resources;
    }

    private static ObservedDrbd.Sync sync(String replication, JsonNode peerDevice, long outOfSyncKiB) {
        if (replication == null || NOT_SYNCING.contains(replication) || !(replication.startsWith("Sync")
                || replication.startsWith("PausedSync") || replication.startsWith("Verify"))) {
            return null;
        }
        boolean verify = replication.startsWith("Verify");
        double percent = peerDevice.path("percent-resync-done").asDouble(0);
        Long total = peerDevice.has("rs-total") ? peerDevice.path("rs-total").asLong() / 2 : null;
        Long remaining = verify ? (peerDevice.has("ov-left") ? peerDevice.path("ov-left").asLong() / 2 : null)
                : Long.valueOf(outOfSyncKiB);
        String finish = null;
        if (peerDevice.has("estimated-seconds-to-finish")) {
            long seconds = peerDevice.path("estimated-seconds-to-finish").asLong();
            if (seconds >= 0 && seconds != NO_ESTIMATE) {
                finish = String.format(java.util.Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60,
                        seconds % 60);
            }
        }
        Long speed = peerDevice.has("db/dt [MiB/s]")
                ? Math.round(peerDevice.path("db/dt [MiB/s]").asDouble() * 1024) : null;
        return new ObservedDrbd.Sync(verify ? "verify" : "resync", percent, remaining, total, finish, speed);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
