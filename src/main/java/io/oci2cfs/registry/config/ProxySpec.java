package io.oci2cfs.registry.config;

/**
 * An HTTP proxy taken from a proxy URL ({@code http://user:pass@host:port}).
 *
 * @param user     for {@code Proxy-Authorization: Basic}, or null
 * @param password null when the URL has none; never printed
 * @param https    the proxy itself is reached over TLS ({@code https://} proxy URL)
 */
public record ProxySpec(String host, int port, String user, String password, boolean https) {

    @Override
    public String toString() {
        return "ProxySpec[" + (https ? "https://" : "http://") + (user == null ? "" : user + ":<redacted>@")
                + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + "]";
    }
}
