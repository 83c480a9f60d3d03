/**
 * The conversion pipeline: layer blobs stream through decompression and tar parsing on one side while file
 * contents are hashed (fs-verity) and written to the object store on a pool of workers, with memory bounded
 * by a byte budget; the layers' changes are merged in manifest order and written as one composefs image.
 */
package io.oci2cfs.convert;
