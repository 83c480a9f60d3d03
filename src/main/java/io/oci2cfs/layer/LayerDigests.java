package io.oci2cfs.layer;

/**
 * What a fully read layer blob measured: the blob's size as read, and the uncompressed tar's digest and size
 * (to check against the config's {@code rootfs.diff_ids}). Digests are {@code sha256:<hex>}. The blob's own
 * digest is not taken here: each image source checks it against the descriptor as it reads the blob (a
 * second SHA-256 of every compressed byte would be wasted).
 */
public record LayerDigests(Compression compression, long blobSize, String diffId, long tarSize) {
}
