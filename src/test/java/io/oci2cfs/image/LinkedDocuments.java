package io.oci2cfs.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fuzz input holding several JSON documents that name each other by digest, as an index names its
 * manifests and a manifest its config. Documents are separated by NUL bytes (never valid inside JSON text).
 * A fuzzer cannot forge a SHA-256, so in document {@code i} the tokens {@code $Dn}, {@code $Hn} and {@code $Sn} (n a
 * digit greater than i) are replaced by the digest ({@code sha256:<hex>}), its hex alone and the size of
 * document {@code n};
 * documents are resolved last to first, so references point only forward and cannot form a cycle.
 */
final class LinkedDocuments {
    private static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.US_ASCII);

    private final List<byte[]> documents;

    private LinkedDocuments(List<byte[]> documents) {
        this.documents = documents;
    }

    static LinkedDocuments parse(byte[] input) {
        List<byte[]> raw = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= input.length; i++) {
            if (i == input.length || input[i] == 0) {
                raw.add(Arrays.copyOfRange(input, start, i));
                start = i + 1;
            }
        }
        byte[][] resolved = new byte[raw.size()][];
        for (int i = raw.size() - 1; i >= 0; i--) {
            resolved[i] = resolve(raw.get(i), i, resolved);
        }
        return new LinkedDocuments(List.of(resolved));
    }

    private static byte[] resolve(byte[] doc, int self, byte[][] resolved) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(doc.length);
        for (int i = 0; i < doc.length; i++) {
            if (doc[i] == '$' && i + 2 < doc.length && (doc[i + 1] == 'D' || doc[i + 1] == 'H' || doc[i + 1] == 'S')
                    && doc[i + 2] >= '0' && doc[i + 2] <= '9') {
                int n = doc[i + 2] - '0';
                if (n > self && n < resolved.length) {
                    String value = switch (doc[i + 1]) {
                        case 'D' -> Digest.sha256(resolved[n]).toString();
                        case 'H' -> Digest.sha256(resolved[n]).hex();
                        default -> Integer.toString(resolved[n].length);
                    };
                    out.writeBytes(value.getBytes(StandardCharsets.US_ASCII));
                    i += 2;
                    continue;
                }
            }
            out.write(doc[i]);
        }
        return out.toByteArray();
    }

    /** Document {@code i}, or null past the last. */
    byte[] get(int i) {
        return i < documents.size() ? documents.get(i) : null;
    }

    /** Every document after the first, by its layout path {@code blobs/sha256/<hex>}. */
    Map<String, byte[]> blobs() {
        Map<String, byte[]> blobs = new HashMap<>();
        for (byte[] doc : documents.subList(1, documents.size())) {
            blobs.put(Digest.sha256(doc).blobPath(), doc);
        }
        return blobs;
    }

    /** An OCI layout's metadata: document 0 is {@code index.json}, every other one a blob under its digest. */
    ArchiveFormat.Members ociLayout() {
        Map<String, byte[]> blobs = blobs();
        return path -> switch (path) {
            case "index.json" -> get(0);
            case "oci-layout" -> OCI_LAYOUT;
            default -> blobs.get(path);
        };
    }

    /** A docker archive's metadata: document 0 is {@code manifest.json}, document 1 any member it names. */
    ArchiveFormat.Members dockerArchive() {
        return path -> path.equals("manifest.json") ? get(0) : path.equals("index.json") ? null : get(1);
    }
}
