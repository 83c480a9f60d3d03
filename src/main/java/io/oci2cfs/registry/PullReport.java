package io.oci2cfs.registry;

import io.oci2cfs.image.Digest;

/**
 * What a pull from a registry did.
 *
 * @param manifestDigest the digest of the image manifest the reference resolved to (for a multi-platform
 *     image, the platform's manifest), or null before resolution
 * @param bytesDownloaded body bytes received for blobs (a resumed or retried body counts what was received)
 * @param retries requests tried again after a transient answer or transport error
 * @param resumes blob bodies continued with a Range request after a drop or stall
 */
public record PullReport(Digest manifestDigest, long bytesDownloaded, long retries, long resumes) {
}
