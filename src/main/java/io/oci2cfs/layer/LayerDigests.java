package io.oci2cfs.layer;

/**
 * What a fully read layer blob measured: the blob's digest and size (to check against the manifest
 * descriptor) and the uncompressed tar's digest and size (to check against the config's
 * {@code rootfs.diff_ids}). Digests are {@code sha256:<hex>}.
 */
public record LayerDigests(Compression compression, String blobDigest, long blobSize, String diffId,
        long tarSize) {
}
