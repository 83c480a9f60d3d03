/**
 * The composefs EROFS image: a writer that lays out a {@link io.oci2cfs.tree.Node} tree byte for byte as
 * libcomposefs 1.0.8 ({@code mkcomposefs}) does, and a reader that turns an image back into a tree.
 *
 * <p>The layout rules, including the reference's quirks, are described in {@code docs/composefs-erofs-format.md}
 * (section numbers in comments refer to it) and were checked against the upstream test vectors.
 */
package io.oci2cfs.erofs;
