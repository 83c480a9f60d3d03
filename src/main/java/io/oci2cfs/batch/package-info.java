/**
 * Batch conversion: many images into one object store, in one JVM, resumable and shardable across processes
 * and machines. {@link io.oci2cfs.batch.Batch#run} is the library entry point; {@link io.oci2cfs.batch.JobsFile}
 * reads a JOBS file.
 */
package io.oci2cfs.batch;
