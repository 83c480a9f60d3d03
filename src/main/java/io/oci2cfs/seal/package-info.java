/**
 * Sealed OCI images, after the composefs OCI sealing specification (composefs-rs
 * {@code doc/plans/oci-sealing-spec.md}) and composefs-rs's config label: the layer blobs stay as they are,
 * the config gains the label {@code containers.composefs.fsverity} (the merged image's digest), the manifest's
 * layer descriptors gain {@code composefs.layer.<alg>-12} and, on the last layer, {@code composefs.merged.<alg>-12};
 * with a key, a signature artifact ({@code application/vnd.composefs.signature.v1}) refers to the sealed
 * manifest through {@code subject}. {@link io.oci2cfs.seal.RegistrySeal} pushes a seal to a registry and fetches
 * one with its artifact from there. docs/sealing.md says what the specification leaves open and what is chosen
 * here.
 */
package io.oci2cfs.seal;
