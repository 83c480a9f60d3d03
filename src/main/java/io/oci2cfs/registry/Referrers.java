package io.oci2cfs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oci2cfs.image.Digest;
import io.oci2cfs.image.ImageException;
import io.oci2cfs.image.MediaTypes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The manifests that name another as their {@code subject} (distribution-spec 1.1 "Listing Referrers"): the
 * referrers API {@code GET /v2/<name>/referrers/<digest>}, and, for registries without it, the "Referrers Tag
 * Schema": an OCI index tagged {@code <alg>-<hex>} listing the referrers' descriptors.
 */
final class Referrers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Referrers() {
    }

    /** The tag of the fallback index for {@code subject}: the digest with ':' made '-', truncated to 128. */
    static String tag(Digest subject) {
        String t = subject.toString().replace(':', '-');
        return t.length() > 128 ? t.substring(0, 128) : t;
    }

    /** The referrers' descriptors, from the API, else from the tag scheme; empty when there are none. */
    static Mono<List<JsonNode>> list(RegistrySession session, Digest subject) {
        String what = "referrers of " + subject;
        // a registry with the API answers 200 (an empty index if there are none); 404 means it has no API
        return RegistryClient.metadata(session, what, "referrers/" + subject, MediaTypes.OCI_INDEX)
                .<List<JsonNode>>handle((answer, sink) -> parsed(sink, () -> descriptors(answer.getT2(),
                        session.label(), what)))
                .onErrorResume(RegistryErrors.NotFound.class, e -> fromTag(session, subject));
    }

    /** The descriptors the tag scheme's index for {@code subject} lists; empty when there is no such tag. */
    static Mono<List<JsonNode>> fromTag(RegistrySession session, Digest subject) {
        return tagIndex(session, subject).<List<JsonNode>>handle((b, sink) -> parsed(sink,
                () -> descriptors(b, session.label(), "referrers tag " + tag(subject)))).defaultIfEmpty(List.of());
    }

    /** The bytes of the tag scheme's index for {@code subject}, or empty when the tag does not exist. */
    static Mono<byte[]> tagIndex(RegistrySession session, Digest subject) {
        return RegistryClient.manifest(session, tag(subject)).map(RegistryClient.Fetched::bytes)
                .onErrorResume(RegistryErrors.NotFound.class, e -> Mono.empty());
    }

    /** {@code index} (null: none yet) with {@code descriptor} listed once, replacing an entry of its digest. */
    static byte[] withReferrer(byte[] index, JsonNode descriptor, String label) throws IOException {
        ObjectNode out;
        if (index == null) {
            out = JSON.createObjectNode();
            out.put("schemaVersion", 2);
            out.put("mediaType", MediaTypes.OCI_INDEX);
            out.putArray("manifests");
        } else {
            out = (ObjectNode) parse(index, label, "referrers tag index");
        }
        ArrayNode manifests = out.get("manifests") instanceof ArrayNode a ? a : out.putArray("manifests");
        String digest = descriptor.path("digest").asText();
        for (int i = manifests.size() - 1; i >= 0; i--) {
            if (digest.equals(manifests.get(i).path("digest").asText())) {
                manifests.remove(i);
            }
        }
        manifests.add(descriptor);
        return JSON.writeValueAsBytes(out);
    }

    /** What an {@link IOException}-throwing step yields, as a value or an error of {@code sink}. */
    static <T> void parsed(reactor.core.publisher.SynchronousSink<T> sink, IoSupplier<T> step) {
        try {
            sink.next(step.get());
        } catch (IOException e) {
            sink.error(e);
        }
    }

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static List<JsonNode> descriptors(byte[] index, String label, String what) throws ImageException {
        List<JsonNode> out = new ArrayList<>();
        parse(index, label, what).path("manifests").forEach(out::add);
        return out;
    }

    private static JsonNode parse(byte[] json, String label, String what) throws ImageException {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new ImageException(label + ": " + what + ": not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new ImageException(label + ": " + what + ": not valid JSON");
        }
    }
}
