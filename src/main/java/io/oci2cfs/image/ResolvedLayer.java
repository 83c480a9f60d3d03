package io.oci2cfs.image;

/**
 * One layer of the selected image, in application order (lowest first).
 *
 * @param key the {@link Blob#key()} under which the consumer saw its data
 * @param mediaType from the descriptor; for {@code docker save} layers, {@link MediaTypes#DOCKER_LAYER}
 * @param digest the descriptor's digest of the blob as stored (verified by the source), or null when the
 *     container names none (classic docker archives)
 * @param size the descriptor's size (verified), or -1 when there is no descriptor
 * @param diffId the config's {@code rootfs.diff_ids} entry: digest of the uncompressed tar, which the
 *     caller verifies while decompressing
 */
public record ResolvedLayer(String key, String mediaType, Digest digest, long size, Digest diffId) {
}
