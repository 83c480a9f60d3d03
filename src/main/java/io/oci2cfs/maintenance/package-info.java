/**
 * Keeping an object store: {@link io.oci2cfs.maintenance.Gc} deletes the objects no listed image references,
 * {@link io.oci2cfs.maintenance.Fsck} checks every object against its name and finds what is not an object.
 * Both take the store lock ({@link io.oci2cfs.store.StoreLock}) alone before deleting anything.
 */
package io.oci2cfs.maintenance;
