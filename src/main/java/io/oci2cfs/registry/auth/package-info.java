/**
 * Registry credentials: which credential applies to a registry and repository, looked up in podman's order
 * (command-line options, then {@code auth.json} and docker {@code config.json} files, with
 * {@code docker-credential-*} helpers). See {@code docs/registry-config.md}. Records holding secrets redact
 * them in {@code toString()}.
 */
package io.oci2cfs.registry.auth;
