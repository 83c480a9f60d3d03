/**
 * The content-addressed object store: each file's data lives once under {@code xx/<62 hex>}, named by its
 * fs-verity digest. Objects appear only by atomic rename of a finished, verified temporary file, so no
 * object is ever visible under a name that is not its digest. Staging directories name their owner, so what
 * a killed run leaves is recognized and removed ({@link io.oci2cfs.store.StrayFiles}).
 */
package io.oci2cfs.store;
