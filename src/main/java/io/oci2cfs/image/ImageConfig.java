package io.oci2cfs.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** What this reader needs from an image config (config.md): the layers' diff_ids. */
public final class ImageConfig {
    private ImageConfig() {
    }

    /** {@code rootfs.diff_ids}, which must name exactly one diff_id per layer, in layer order. */
    public static List<Digest> diffIds(byte[] configJson, int layerCount, String what) throws ImageException {
        JsonNode config = Json.parse(configJson, what);
        JsonNode rootfs = config.get("rootfs");
        if (rootfs == null || !rootfs.isObject()) {
            throw new ImageException(what + ": missing 'rootfs'");
        }
        String type = Json.text(rootfs, "type", what + " rootfs");
        if (!type.equals("layers")) {
            throw new ImageException(what + ": rootfs.type is '" + type + "', not 'layers'");
        }
        List<Digest> diffIds = new ArrayList<>();
        for (String text : Json.textArray(rootfs, "diff_ids", what + " rootfs")) {
            diffIds.add(Json.digest(text, what + " rootfs.diff_ids"));
        }
        if (diffIds.size() != layerCount) {
            throw new ImageException(what + ": " + diffIds.size() + " diff_ids for " + layerCount + " layers");
        }
        return diffIds;
    }
}
