package io.oci2cfs.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI content descriptor (descriptor.md): what a blob is, its digest and size, and for index entries its
 * platform and annotations.
 */
public record Descriptor(String mediaType, Digest digest, long size, Map<String, String> annotations,
        Platform platform) {
    /** Annotation naming an image in an index (annotations.md); the {@code REF} of {@code oci:DIR:REF}. */
    static final String REF_NAME = "org.opencontainers.image.ref.name";

    public Descriptor {
        annotations = Map.copyOf(annotations);
    }

    static Descriptor parse(JsonNode node, String what) throws ImageException {
        if (node == null || !node.isObject()) {
            throw new ImageException(what + ": descriptor is not an object");
        }
        String mediaType = Json.text(node, "mediaType", what);
        Digest digest = Json.digest(Json.text(node, "digest", what), what);
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || size.longValue() < 0) {
            throw new ImageException(what + ": missing or negative 'size'");
        }
        Map<String, String> annotations = new TreeMap<>();
        JsonNode ann = node.get("annotations");
        if (ann != null && ann.isObject()) {
            ann.fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
        }
        Platform platform = null;
        JsonNode p = node.get("platform");
        if (p != null && p.isObject()) {
            try {
                platform = new Platform(Json.optionalText(p, "os"), Json.optionalText(p, "architecture"),
                        Json.optionalText(p, "variant"));
            } catch (IllegalArgumentException e) {
                throw new ImageException(what + ": bad platform: " + e.getMessage());
            }
        }
        return new Descriptor(mediaType, digest, size.longValue(), annotations, platform);
    }

    public String blobPath() {
        return digest.blobPath();
    }

    String refName() {
        return annotations.get(REF_NAME);
    }
}
