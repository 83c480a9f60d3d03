package io.oci2cfs.registry.config;

/**
 * Where to pull a repository from.
 *
 * @param host       {@code host[:port]} as written in the configuration; the client maps {@code docker.io} to
 *                   {@code registry-1.docker.io}
 * @param repository the repository name on that host
 * @param insecure   plain HTTP or unverified TLS allowed
 * @param mirror     a mirror rather than the primary location
 */
public record Endpoint(String host, String repository, boolean insecure, boolean mirror) {
}
