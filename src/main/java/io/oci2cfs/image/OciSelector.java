package io.oci2cfs.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Picks one image manifest from an OCI layout's {@code index.json} (following nested indexes) by ref name
 * and platform, and reads its manifest. Shared by the layout directory and the one-pass archive readers.
 */
public final class OciSelector {
    /** Nested indexes deeper than this are refused, so a cycle of indexes cannot loop. */
    private static final int MAX_DEPTH = 8;

    /** Reads a small metadata blob; returns null when the blob is not (or not yet) available. */
    public interface BlobLookup {
        byte[] get(Digest digest) throws IOException;
    }

    public record Selection(Descriptor manifestDescriptor, String refName, Descriptor config,
            List<Descriptor> layers) {
        public String describe() {
            String name = refName == null ? manifestDescriptor.digest().toString() : refName;
            return manifestDescriptor.platform() == null ? name : name + " (" + manifestDescriptor.platform() + ")";
        }
    }

    private record Candidate(Descriptor descriptor, String refName) {
        String label() {
            String name = refName == null ? descriptor.digest().toString() : refName;
            return descriptor.platform() == null ? name : name + " " + descriptor.platform();
        }
    }

    private final BlobLookup lookup;
    private final String ref;
    private final Platform platform;

    public OciSelector(BlobLookup lookup, String ref, Platform platform) {
        this.lookup = lookup;
        this.ref = ref;
        this.platform = platform;
    }

    Selection select(byte[] indexJson) throws IOException {
        List<Candidate> candidates = new ArrayList<>();
        collect(Json.parse(indexJson, "index.json"), "index.json", null, 0, candidates);
        if (candidates.isEmpty()) {
            throw new ImageException("index.json lists no image manifest");
        }
        return choose(candidates);
    }

    /**
     * Selects from a root that is either an image manifest (taken as it is) or an index (a registry's answer to
     * a tag or digest); the lookup must also return the root's own bytes.
     */
    public Selection select(Descriptor root) throws IOException {
        if (MediaTypes.isManifest(root.mediaType())) {
            return readManifest(new Candidate(root, null));
        }
        if (!MediaTypes.isIndex(root.mediaType())) {
            throw new ImageException("unsupported manifest media type " + root.mediaType());
        }
        List<Candidate> candidates = new ArrayList<>();
        String what = "index " + root.digest();
        collect(Json.parse(fetch(root, what), what), what, null, 0, candidates);
        if (candidates.isEmpty()) {
            throw new ImageException(what + " lists no image manifest");
        }
        return choose(candidates);
    }

    private Selection choose(List<Candidate> candidates) throws IOException {
        List<Candidate> named = candidates;
        if (ref != null) {
            named = candidates.stream().filter(c -> ref.equals(c.refName())).toList();
            if (named.isEmpty()) {
                throw new ImageException("no image named '" + ref + "'; available: " + labels(candidates));
            }
        }
        List<Candidate> fitting = named.stream()
                .filter(c -> c.descriptor().platform() == null || platform.accepts(c.descriptor().platform()))
                .toList();
        if (fitting.isEmpty()) {
            throw new ImageException("no image for platform " + platform + "; available: " + labels(named));
        }
        if (fitting.size() > 1) {
            throw new ImageException("several images match, choose one with :REF; available: " + labels(fitting));
        }
        return readManifest(fitting.get(0));
    }

    private static String labels(List<Candidate> candidates) {
        Set<String> labels = new LinkedHashSet<>();
        candidates.forEach(c -> labels.add(c.label()));
        return String.join(", ", labels);
    }

    private void collect(JsonNode index, String what, String inheritedRef, int depth, List<Candidate> out)
            throws IOException {
        Json.schemaVersion2(index, what);
        checkMediaType(index, what, MediaTypes::isIndex);
        List<JsonNode> manifests = Json.array(index, "manifests", what);
        for (int i = 0; i < manifests.size(); i++) {
            Descriptor d = Descriptor.parse(manifests.get(i), what + " manifests[" + i + "]");
            String refName = d.refName() != null ? d.refName() : inheritedRef;
            if (d.platform() != null && d.platform().os().equals("unknown")
                    && d.platform().architecture().equals("unknown")) {
                // attestations (buildx provenance, SBOMs) are listed as unknown/unknown: not an image to run
                continue;
            }
            if (MediaTypes.isManifest(d.mediaType())) {
                out.add(new Candidate(d, refName));
            } else if (MediaTypes.isIndex(d.mediaType())) {
                if (ref != null && refName != null && !ref.equals(refName)) {
                    // another image's index: not needed, and in an archive it may not have arrived yet
                    out.add(new Candidate(d, refName));
                    continue;
                }
                if (depth >= MAX_DEPTH) {
                    throw new ImageException(what + ": image indexes nested deeper than " + MAX_DEPTH);
                }
                String nestedWhat = "index " + d.digest();
                collect(Json.parse(fetch(d, nestedWhat), nestedWhat), nestedWhat, refName, depth + 1, out);
            }
            // other media types (artifacts, signatures) are not images: ignore them
        }
    }

    private Selection readManifest(Candidate chosen) throws IOException {
        Descriptor d = chosen.descriptor();
        if (!MediaTypes.isManifest(d.mediaType())) {
            throw new ImageException("image index " + d.digest() + " for '" + chosen.refName() + "' is unreadable");
        }
        String what = "manifest " + d.digest();
        JsonNode manifest = Json.parse(fetch(d, what), what);
        Json.schemaVersion2(manifest, what);
        checkMediaType(manifest, what, MediaTypes::isManifest);
        Descriptor config = Descriptor.parse(manifest.get("config"), what + " config");
        if (!MediaTypes.isConfig(config.mediaType())) {
            throw new ImageException(what + ": unknown config media type " + config.mediaType());
        }
        List<Descriptor> layers = new ArrayList<>();
        List<JsonNode> nodes = Json.array(manifest, "layers", what);
        for (int i = 0; i < nodes.size(); i++) {
            Descriptor layer = Descriptor.parse(nodes.get(i), what + " layers[" + i + "]");
            if (layer.mediaType().endsWith("+encrypted")) {
                throw new ImageException(what + ": layer " + i + " is encrypted (" + layer.mediaType()
                        + "); decrypt the image first, e.g. skopeo copy --decryption-key");
            }
            if (!MediaTypes.isLayer(layer.mediaType())) {
                throw new ImageException(what + ": layer " + i + " has unknown media type " + layer.mediaType());
            }
            layers.add(layer);
        }
        return new Selection(d, chosen.refName(), config, layers);
    }

    /** Fetches and verifies a blob named by a descriptor; {@link MissingBlobException} if absent. */
    public byte[] fetch(Descriptor d, String what) throws IOException {
        byte[] data = lookup.get(d.digest());
        if (data == null) {
            throw new MissingBlobException(d.digest(), what);
        }
        return Verify.bytes(what, d, data);
    }

    private static void checkMediaType(JsonNode node, String what, java.util.function.Predicate<String> allowed)
            throws ImageException {
        String mediaType = Json.optionalText(node, "mediaType");
        if (mediaType != null && !allowed.test(mediaType)) {
            throw new ImageException(what + ": unexpected media type " + mediaType);
        }
    }
}
