package io.oci2cfs.image;

import java.util.List;

/**
 * The image a source selected and streamed.
 *
 * @param description human-readable: source, image name and platform
 * @param manifestDigest digest of the image manifest, or null for a classic docker archive (no manifest blob)
 * @param configDigest digest of the config JSON (for docker archives, the image ID)
 * @param layers its layers, lowest first
 */
public record ResolvedImage(String description, Digest manifestDigest, Digest configDigest,
        List<ResolvedLayer> layers) {
    public ResolvedImage {
        layers = List.copyOf(layers);
    }

    /** The digest that names this image: the manifest's, else (classic docker archive) the config's. */
    public Digest identity() {
        return manifestDigest != null ? manifestDigest : configDigest;
    }
}
