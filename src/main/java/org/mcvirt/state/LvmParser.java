package org.mcvirt.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses {@code lvs} and {@code vgs} with {@code --reportformat json --units b --nosuffix}: a {@code report} array
 * whose first element holds {@code lv} or {@code vg} rows; every value is a string, sizes in bytes.
 */
public final class LvmParser {
    /** The fields mcvirt asks lvs for, in the order of the -o option. */
    public static final String LV_FIELDS = "lv_name,vg_name,lv_size,lv_path,lv_attr,lv_tags";
    /** The fields mcvirt asks vgs for. */
    public static final String VG_FIELDS = "vg_name,vg_size,vg_free,vg_extent_size";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LvmParser() {
    }

    public static List<ObservedLvm.LogicalVolume> logicalVolumes(String json) throws JsonProcessingException {
        List<ObservedLvm.LogicalVolume> volumes = new ArrayList<>();
        for (JsonNode row : rows(json, "lv")) {
            String tags = text(row, "lv_tags");
            String path = text(row, "lv_path");
            volumes.add(new ObservedLvm.LogicalVolume(text(row, "lv_name"), text(row, "vg_name"),
                    bytes(row, "lv_size"), path == null || path.isEmpty() ? null : path, text(row, "lv_attr"),
                    tags == null || tags.isEmpty() ? List.of() : Arrays.asList(tags.split(","))));
        }
        return volumes;
    }

    public static List<ObservedLvm.VolumeGroup> volumeGroups(String json) throws JsonProcessingException {
        List<ObservedLvm.VolumeGroup> groups = new ArrayList<>();
        for (JsonNode row : rows(json, "vg")) {
            groups.add(new ObservedLvm.VolumeGroup(text(row, "vg_name"), bytes(row, "vg_size"), bytes(row, "vg_free"),
                    row.has("vg_extent_size") ? bytes(row, "vg_extent_size") : 0));
        }
        return groups;
    }

    private static List<JsonNode> rows(String json, String kind) throws JsonProcessingException {
        JsonNode report = JSON.readTree(json).path("report");
        if (!report.isArray()) {
            throw new IllegalArgumentException("no \"report\" array in the " + kind + "s output");
        }
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode part : report) {
            part.path(kind).forEach(rows::add);
        }
        return rows;
    }

    private static String text(JsonNode row, String field) {
        JsonNode value = row.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static long bytes(JsonNode row, String field) {
        String value = text(row, field);
        if (value == null) {
            throw new IllegalArgumentException(field + " is missing");
        }
        if (!value.strip().matches("\\d{1,18}")) {
            throw new IllegalArgumentException(field + " is not a byte count: " + value);
        }
        return Long.parseLong(value.strip());
    }
}
