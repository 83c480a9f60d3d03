/**
 * The in-memory metadata tree of a composefs image: nodes, byte-string names and extended attributes.
 *
 * <p>Names, symlink targets and xattr names are byte strings, not Java strings: a container image may carry
 * names that are not UTF-8, and composefs orders them as unsigned bytes (C {@code strcmp}).
 */
package io.oci2cfs.tree;
