package io.oci2cfs.seal;

import io.oci2cfs.error.BadInputException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** JSON of manifests, configs and indexes: parsed as trees so that fields this code does not know are kept. */
final class SealJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private SealJson() {
    }

    static ObjectNode parse(byte[] json, String what) throws IOException {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new BadInputException(what + ": not a JSON object");
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw new BadInputException(what + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
    }

    static byte[] bytes(JsonNode node) throws IOException {
        return MAPPER.writeValueAsBytes(node);
    }

    /** {@code node.field}, made an object if absent or null. */
    static ObjectNode object(ObjectNode node, String field) {
        JsonNode existing = node.get(field);
        if (existing instanceof ObjectNode o) {
            return o;
        }
        return node.putObject(field);
    }
}
