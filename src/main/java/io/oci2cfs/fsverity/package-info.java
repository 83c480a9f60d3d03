/**
 * fs-verity file digests (SHA-256, 4096-byte Merkle blocks, no salt), computed in user space exactly as the
 * kernel's {@code FS_IOC_MEASURE_VERITY} reports them (Documentation/filesystems/fsverity.rst).
 */
package io.oci2cfs.fsverity;
