package org.mcvirt.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The files of a vm's NoCloud seed and the seed's name. meta-data is JSON (YAML reads it): {@code instance-id} (the
 * manifest's {@code instanceId}, else {@code iid-UUID} of the vm's domain), {@code local-hostname} (the vm's name) and
 * the manifest's extra keys. The seed volume is named by the digest of the three files, {@code seed.VM.SHA12.iso}, so
 * a change of any is a new seed, and the domain names the one it uses.
 */
public record CloudInitSeed(String userData, String metaData, String networkConfig, String digest) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static CloudInitSeed of(VmSpec vm, String uuid) {
        CloudInitSpec spec = vm.cloudInit();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("instance-id", instanceId(spec, uuid));
        meta.put("local-hostname", vm.name());
        spec.metaData().forEach(meta::put);
        String metaData;
        try {
            metaData = JSON.writeValueAsString(meta) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String digest = Digests.sha256(spec.userData().length() + ":" + spec.userData() + metaData.length() + ":"
                + metaData + (spec.networkConfig() == null ? "-" : spec.networkConfig().length() + ":"
                + spec.networkConfig()));
        return new CloudInitSeed(spec.userData(), metaData, spec.networkConfig(), digest);
    }

    /** The instance-id: the manifest's, else derived from the domain's UUID (cloud-init re-runs when it changes). */
    public static String instanceId(CloudInitSpec spec, String uuid) {
        return spec.instanceId() != null ? spec.instanceId() : "iid-" + uuid;
    }

    /**
     * The UUID mcvirt gives a new vm with cloud-init (its instance-id is derived from it, and the seed is written
     * before the domain is defined): from the cluster and vm names, so a plan shows the same one every time.
     */
    public static String uuidFor(String cluster, String vm) {
        return UUID.nameUUIDFromBytes(("mcvirt:" + cluster + ":" + vm).getBytes(StandardCharsets.UTF_8)).toString();
    }

    public String volumeName(String vm) {
        return "seed." + vm + "." + digest.substring(0, 12) + ".iso";
    }

    /** The user data's digest, which a plan shows instead of it. */
    public String userDataDigest() {
        return Digests.sha256(userData);
    }
}
