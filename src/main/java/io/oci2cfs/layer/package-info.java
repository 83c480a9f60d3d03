/**
 * Reading one OCI image layer: detecting its compression from the bytes, digesting the blob and its
 * uncompressed tar (the blob digest and the config's {@code rootfs.diff_ids}), and turning tar members of
 * every common dialect (ustar, GNU, PAX, GNU sparse) into {@link io.oci2cfs.layer.LayerEntry} records.
 *
 * <p>Paths, link targets and xattr values are raw bytes ({@link io.oci2cfs.tree.ByteString}); nothing here
 * assumes names are UTF-8.
 */
package io.oci2cfs.layer;
