/**
 * The kinds of failure a caller can act on, as a small checked hierarchy under {@link
 * io.oci2cfs.error.Oci2cfsException}: {@link io.oci2cfs.error.BadInputException} (the input is malformed or
 * refused; fix the input), {@link io.oci2cfs.error.UnsupportedTreeException} (the input is valid but its tree
 * cannot be a composefs image; nothing to retry) and {@link io.oci2cfs.error.EnvironmentException} (disk,
 * permissions, kernel, network; retry once the environment is fixed). {@link io.oci2cfs.error.FailureKind}
 * classifies any throwable and gives the command line's exit code for it.
 */
package io.oci2cfs.error;
