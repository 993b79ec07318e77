package org.mcvirt.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A vm's cloud-init (NoCloud) seed: the user data and network configuration as read from their files when the
 * manifest was loaded, extra meta-data keys, the instance-id (null: derived from the vm's UUID) and the file storage
 * on the vm's nodes that keeps the seed image (default {@value ImageSpec#DEFAULT_STORAGE}). Plans never show the user
 * data, only its digest: it may hold secrets.
 */
public record CloudInitSpec(String userDataFile, String userData,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String networkConfig,
                            @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metaData,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String instanceId, String storage) {
    public CloudInitSpec {
        Objects.requireNonNull(userData, "userData");
        Objects.requireNonNull(storage, "storage");
        metaData = metaData == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(metaData));
    }
}
