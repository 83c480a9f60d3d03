package io.oci2cfs.registry.config;

/** An HTTP proxy; {@code https} means the proxy itself is reached over TLS. User and password may be null. */
public record ProxySpec(String host, int port, String user, String password, boolean https) {
}
