package io.oci2cfs.registry.config;

import java.util.Optional;

/** Proxy selection from HTTPS_PROXY, HTTP_PROXY and NO_PROXY with Go's {@code httpproxy} semantics. */
public final class ProxyEnv {

    public static ProxyEnv from(Environment env) {
        throw new UnsupportedOperationException();
    }

    public Optional<ProxySpec> forTarget(String scheme, String host, int port) {
        throw new UnsupportedOperationException();
    }
}
