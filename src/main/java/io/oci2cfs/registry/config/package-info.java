/**
 * Registry configuration read from the environment and the files podman and docker users already have:
 * {@code registries.conf} (mirrors, {@code blocked}, {@code insecure}), {@code certs.d} directories (extra CAs
 * and client certificates) and the proxy variables, with Go's {@code httpproxy} semantics. See
 * {@code docs/registry-config.md}. Everything takes an {@link io.oci2cfs.registry.config.Environment}, so
 * nothing here reads the process environment behind the caller's back.
 */
package io.oci2cfs.registry.config;
