package io.oci2cfs.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oci2cfs.image.Digest;
import io.oci2cfs.image.MediaTypes;
import io.oci2cfs.output.OutputFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Adds blobs and manifests to an OCI image layout directory (image-layout.md), creating it if needed. New
 * blobs and the new index.json are outputs of one {@link OutputFiles}: nothing replaces index.json until every
 * blob it lists is in place, and without {@link #commit()} the layout keeps the index it had. Layer blobs,
 * large and named by their digest, are linked or copied straight to their name.
 */
final class LayoutWriter implements AutoCloseable {
    private static final String REF_NAME = "org.opencontainers.image.ref.name";

    private final Path dir;
    private final OutputFiles outputs = new OutputFiles();
    private final Set<Path> written = new HashSet<>();
    private final List<ObjectNode> entries = new ArrayList<>();

    LayoutWriter(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("blobs/sha256"));
    }

    /** Writes {@code data} as a blob (unless present) and returns its digest. */
    Digest put(byte[] data) throws IOException {
        Digest d = Digest.sha256(data);
        Path target = dir.resolve(d.blobPath());
        if (!Files.exists(target) && written.add(target)) {
            outputs.open("blob", target).write(data);
        }
        return d;
    }

    /** Copies the blob {@code digest} from {@code from} (a hard link where both are on one filesystem). */
    void copy(Path from, Digest digest) throws IOException {
        Path target = dir.resolve(digest.blobPath());
        if (Files.exists(target)) {
            return;
        }
        Path tmp = target.resolveSibling("." + digest.hex() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            try {
                Files.createLink(tmp, from);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(from, tmp);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // another writer published the same blob meanwhile
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Lists {@code descriptor} in index.json at {@link #commit()}: an entry with the same digest, or (for a
     * named one) with the same ref name, is replaced.
     */
    void index(ObjectNode descriptor) {
        entries.add(descriptor);
    }

    /** Writes index.json (and oci-layout, if missing) and publishes everything. */
    void commit() throws IOException {
        Path layout = dir.resolve("oci-layout");
        if (!Files.exists(layout)) {
            outputs.open("oci-layout", layout).write("{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.US_ASCII));
        }
        Path file = dir.resolve("index.json");
        ObjectNode index;
        if (Files.exists(file)) {
            index = SealJson.parse(Files.readAllBytes(file), file.toString());
        } else {
            index = SealJson.MAPPER.createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", MediaTypes.OCI_INDEX);
        }
        ArrayNode manifests = index.get("manifests") instanceof ArrayNode a ? a : index.putArray("manifests");
        for (ObjectNode descriptor : entries) {
            String digest = descriptor.path("digest").asText();
            String ref = descriptor.path("annotations").path(REF_NAME).asText(null);
            for (Iterator<JsonNode> it = manifests.iterator(); it.hasNext(); ) {
                JsonNode m = it.next();
                if (m.path("digest").asText().equals(digest)
                        || (ref != null && ref.equals(m.path("annotations").path(REF_NAME).asText(null)))) {
                    it.remove();
                }
            }
            manifests.add(descriptor);
        }
        outputs.open("index", file).write(SealJson.bytes(index));
        outputs.commit();
    }

    @Override
    public void close() throws IOException {
        outputs.close();
    }

    /** A descriptor for {@code data} stored as {@code digest}, with the ref name {@code ref} when not null. */
    static ObjectNode descriptor(String mediaType, Digest digest, long size, String ref) {
        ObjectNode d = SealJson.MAPPER.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", size);
        if (ref != null) {
            d.putObject("annotations").put(REF_NAME, ref);
        }
        return d;
    }
}
