/**
 * fs-verity built-in signatures as the kernel takes them in {@code FS_IOC_ENABLE_VERITY}: a detached PKCS#7
 * (CMS) SignedData in DER over the {@code struct fsverity_formatted_digest} ("FSVerity", le16 algorithm,
 * le16 digest size, digest) of a file (Documentation/filesystems/fsverity.rst, "Built-in signature
 * verification"). The CMS options are those of fsverity-utils 1.5's {@code fsverity sign}: no signed
 * attributes, no certificates, one SignerInfo identified by issuer and serial number, the signature digest
 * the fs-verity hash; so RSA signatures are byte-identical to that tool's.
 *
 * <p>{@link io.oci2cfs.signing.VeritySigner} signs, {@link io.oci2cfs.signing.SignatureVerifier} checks a
 * signature against a certificate and, for a composefs image, its backing objects in a store.
 */
package io.oci2cfs.signing;
