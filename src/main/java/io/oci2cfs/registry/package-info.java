/**
 * The {@code docker://} source: pulls an image from a registry (OCI distribution-spec) and streams each layer
 * from the socket into the converter, with no blob file on disk.
 *
 * <p>{@link io.oci2cfs.registry.DockerReference} parses and normalises references; {@link
 * io.oci2cfs.registry.RegistryClient} resolves a reference to a manifest and config and streams blobs as a
 * {@code Flux<byte[]>} (verified, resumed with {@code Range} after a drop or stall); {@link
 * io.oci2cfs.registry.RegistrySource} is the {@link io.oci2cfs.image.ImageSource} the converter reads.
 * HTTP is reactor-netty with redirects followed here, so that {@code Authorization} never leaves the origin
 * it belongs to. {@link io.oci2cfs.registry.RegistryPusher} is the push side (blob uploads, manifests, the
 * referrers tag scheme), with tokens for {@code pull,push}.
 */
package io.oci2cfs.registry;
