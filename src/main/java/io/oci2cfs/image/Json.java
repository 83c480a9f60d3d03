package io.oci2cfs.image;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** Strict little accessors over Jackson trees that fail with an {@link ImageException} naming the document. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static JsonNode parse(byte[] data, String what) throws ImageException {
        try {
            JsonNode node = MAPPER.readTree(data);
            if (node == null || node.isMissingNode()) {
                throw new ImageException(what + ": empty JSON document");
            }
            return node;
        } catch (JacksonException e) {
            throw new ImageException(what + ": not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ImageException(what + ": unreadable: " + e.getMessage());
        }
    }

    static String text(JsonNode node, String field, String what) throws ImageException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new ImageException(what + ": missing string field '" + field + "'");
        }
        return value.textValue();
    }

    static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    static List<JsonNode> array(JsonNode node, String field, String what) throws ImageException {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new ImageException(what + ": missing array field '" + field + "'");
        }
        List<JsonNode> items = new ArrayList<>();
        value.forEach(items::add);
        return items;
    }

    static List<String> textArray(JsonNode node, String field, String what) throws ImageException {
        List<String> texts = new ArrayList<>();
        for (JsonNode item : array(node, field, what)) {
            if (!item.isTextual()) {
                throw new ImageException(what + ": '" + field + "' holds a non-string");
            }
            texts.add(item.textValue());
        }
        return texts;
    }

    static Digest digest(String text, String what) throws ImageException {
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ImageException(what + ": " + e.getMessage());
        }
    }

    /** Checks {@code schemaVersion} is 2, the only version of OCI and Docker v2 manifests and indexes. */
    static void schemaVersion2(JsonNode node, String what) throws ImageException {
        JsonNode version = node.get("schemaVersion");
        if (version == null || !version.isInt() || version.intValue() != 2) {
            throw new ImageException(what + ": schemaVersion is not 2");
        }
    }
}
