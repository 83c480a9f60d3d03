/**
 * Mounting a composefs image with the kernel: the EROFS image on a loop device as the metadata layer, under
 * a read-only overlayfs whose data-only lower layer is the object store.
 */
package io.oci2cfs.mount;
