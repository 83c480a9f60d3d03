/**
 * The composefs-dump(5) text format: a reader that builds a {@link io.oci2cfs.tree.Node} tree with the
 * reference's strict and lenient rules ({@code mkcomposefs --from-file}), and a writer that prints a tree as
 * {@code composefs-info dump} does.
 */
package io.oci2cfs.dump;
