/** The {@code oci2cfs} command line: argument parsing and printing only; the work is done by the library. */
package io.oci2cfs.cli;
