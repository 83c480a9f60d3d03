/**
 * Linux system calls the JDK does not offer, through JNA: extended attributes of any namespace and the
 * fs-verity ioctls.
 */
package io.oci2cfs.linux;
