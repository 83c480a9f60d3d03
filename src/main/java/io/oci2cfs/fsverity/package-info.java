/**
 * fs-verity file digests (SHA-256 or SHA-512, 4096-byte Merkle blocks, no salt), computed in user space exactly
 * as the kernel's {@code FS_IOC_MEASURE_VERITY} reports them (Documentation/filesystems/fsverity.rst).
 * SHA-256 is the object store's and the composefs image digest's algorithm; SHA-512 is for signatures and
 * sealing.
 */
package io.oci2cfs.fsverity;
