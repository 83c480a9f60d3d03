/**
 * Image sources: reading a container image from an OCI image layout (directory or tar) or a
 * {@code docker save} archive, selecting one image, verifying what the container format lets us verify,
 * and streaming its layer blobs to a {@link io.oci2cfs.image.LayerConsumer}.
 *
 * <p>References follow skopeo's transport syntax ({@link io.oci2cfs.image.ImageReference}); a bare path is
 * recognised by its content ({@link io.oci2cfs.image.ImageSources#detect}). Archives are read in a single
 * pass and never spooled to disk; layer blobs reach the consumer in archive order.
 *
 * <p>Formats: OCI image-spec v1.1 (image-layout.md, image-index.md, manifest.md, config.md) and the
 * {@code docker save} format written by moby's {@code image/tarexport} (classic {@code <id>/layer.tar}
 * layout and, since Docker 25, an OCI layout with a {@code manifest.json} beside it).
 */
package io.oci2cfs.image;
