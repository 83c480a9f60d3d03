package io.oci2cfs.image;

/**
 * What a {@link LayerConsumer} is told about a blob it is handed.
 *
 * @param key the name the blob is known by in its source (a layout path or archive member name); the same
 *     key appears in {@link ResolvedLayer#key()}
 * @param size its size in bytes as the container says (tar header or descriptor)
 * @param mediaType its media type if already known, else null; consumers should sniff compression anyway
 * @param speculative true when a one-pass archive hands the blob over before it knows whether the selected
 *     image uses it; such a blob may turn out unused, and a consumer should not fail hard on it (defer any
 *     error until the resolved image shows the key is used)
 * @param concurrent true when the source is reading other blobs at the same time (a layout read in parallel),
 *     so the cores are busy already and the consumer gains nothing by spreading one blob over more threads
 */
public record Blob(String key, long size, String mediaType, boolean speculative, boolean concurrent) {
}
