package io.oci2cfs.image;

import java.util.List;

/**
 * What a one-pass archive reader learned from the metadata it has seen: which archive members hold the
 * selected image's config and layers.
 *
 * @param config the member holding the config JSON
 * @param configDescriptor the config's descriptor, or null when the archive gives none (docker manifest.json)
 * @param manifestDigest null when the archive has no manifest blob
 */
record ArchivePlan(String description, Digest manifestDigest, String config, Descriptor configDescriptor,
        List<Layer> layers) {
    /**
     * @param digest what the descriptor, or for {@code blobs/<alg>/<hex>} members the path, says the member
     *     hashes to; null if nothing says
     * @param size -1 when no descriptor gives it
     */
    record Layer(String path, String mediaType, Digest digest, long size) {
    }
}
