/**
 * Builds a tree from a directory on disk, as {@code mkcomposefs DIR} does: lstat metadata, every xattr,
 * fs-verity digests of regular files computed in parallel, contents of 64 bytes or less inlined.
 */
package io.oci2cfs.directory;
