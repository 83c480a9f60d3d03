package io.oci2cfs.registry.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.util.IPAddress;

/**
 * Proxy selection from {@code HTTPS_PROXY}/{@code https_proxy}, {@code HTTP_PROXY}/{@code http_proxy} and
 * {@code NO_PROXY}/{@code no_proxy} with the semantics of Go's {@code golang.org/x/net/http/httpproxy}, which
 * skopeo, podman and docker use: the upper-case name wins; a proxy URL without a scheme is {@code http://};
 * {@code localhost} and loopback addresses are never proxied; {@code NO_PROXY} holds {@code *}, IP addresses,
 * CIDR ranges and host names, each optionally with {@code :port}, where {@code foo.com} matches itself and its
 * subdomains and {@code .foo.com} (or {@code *.foo.com}) only its subdomains. Host names are compared as
 * written, never resolved.
 */
public final class ProxyEnv {

    private final Proxy http;
    private final Proxy https;
    private final List<Exclusion> noProxy;
    private final boolean noProxyAll;

    /** A parsed proxy variable: the proxy, or why its value is unusable (reported when it would be used). */
    private record Proxy(String variable, ProxySpec spec, String error) {
    }

    /** One {@code NO_PROXY} entry: an address or CIDR range, or a domain; {@code port} empty = any port. */
    private record Exclusion(byte[] network, int prefixBits, String domain, boolean matchesItself, String port) {
    }

    private ProxyEnv(Proxy http, Proxy https, List<Exclusion> noProxy, boolean noProxyAll) {
        this.http = http;
        this.https = https;
        this.noProxy = List.copyOf(noProxy);
        this.noProxyAll = noProxyAll;
    }

    public static ProxyEnv from(Environment env) {
        List<Exclusion> exclusions = new ArrayList<>();
        boolean all = false;
        for (String raw : env.first("NO_PROXY", "no_proxy").orElse("").split(",")) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.equals("*")) {
                all = true;
            } else if (!entry.isEmpty()) {
                exclusion(entry).ifPresent(exclusions::add);
            }
        }
        return new ProxyEnv(proxy(env, "HTTP_PROXY", "http_proxy"), proxy(env, "HTTPS_PROXY", "https_proxy"),
                exclusions, all);
    }

    /**
     * The proxy for a request to {@code scheme://host:port}, or empty for a direct connection.
     *
     * @throws IllegalArgumentException naming the variable when its proxy URL is unusable
     */
    public Optional<ProxySpec> forTarget(String scheme, String host, int port) {
        Proxy proxy = switch (scheme.toLowerCase(Locale.ROOT)) {
            case "https" -> https;
            case "http" -> http;
            default -> null;
        };
        if (proxy == null || !useProxy(unbracket(host).toLowerCase(Locale.ROOT), Integer.toString(port))) {
            return Optional.empty();
        }
        if (proxy.error() != null) {
            throw new IllegalArgumentException(proxy.variable() + ": " + proxy.error());
        }
        return Optional.of(proxy.spec());
    }

    private boolean useProxy(String host, String port) {
        if (host.equals("localhost")) {
            return false;
        }
        byte[] address = ipLiteral(host);
        if (address != null && isLoopback(address)) {
            return false;
        }
        if (noProxyAll) {
            return false;
        }
        for (Exclusion exclusion : noProxy) {
            if (!exclusion.port().isEmpty() && !exclusion.port().equals(port)) {
                continue;
            }
            if (exclusion.network() != null) {
                if (address != null && inNetwork(address, exclusion.network(), exclusion.prefixBits())) {
                    return false;
                }
            } else if (host.endsWith(exclusion.domain())
                    || exclusion.matchesItself() && host.equals(exclusion.domain().substring(1))) {
                return false;
            }
        }
        return true;
    }

    private static Optional<Exclusion> exclusion(String entry) {
        int slash = entry.indexOf('/');
        if (slash >= 0) {
            byte[] network = ipLiteral(entry.substring(0, slash));
            int bits = parseBits(entry.substring(slash + 1));
            if (network == null || bits < 0 || bits > network.length * 8) {
                return Optional.empty(); // Go ignores entries it cannot parse as CIDR and treats them as names
            }
            return Optional.of(new Exclusion(network, bits, null, false, ""));
        }
        String host = entry;
        String port = "";
        int colon = entry.lastIndexOf(':');
        if (entry.startsWith("[") && entry.contains("]")) {
            int close = entry.indexOf(']');
            host = entry.substring(1, close);
            port = entry.length() > close + 2 && entry.charAt(close + 1) == ':' ? entry.substring(close + 2) : "";
        } else if (colon >= 0 && entry.indexOf(':') == colon) {
            host = entry.substring(0, colon);
            port = entry.substring(colon + 1);
        }
        if (host.isEmpty()) {
            return Optional.empty();
        }
        byte[] address = ipLiteral(host);
        if (address != null) {
            return Optional.of(new Exclusion(address, address.length * 8, null, false, port));
        }
        if (host.startsWith("*.")) {
            host = host.substring(1);
        }
        boolean matchesItself = !host.startsWith(".");
        return Optional.of(new Exclusion(null, 0, matchesItself ? "." + host : host, matchesItself, port));
    }

    private static Proxy proxy(Environment env, String upper, String lower) {
        String variable = env.get(upper).isPresent() ? upper : lower;
        Optional<String> value = env.first(upper, lower);
        if (value.isEmpty()) {
            return null;
        }
        String url = value.get().contains("://") ? value.get() : "http://" + value.get();
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return new Proxy(variable, null, "proxy scheme " + scheme + " is not supported (http or https)");
            }
            if (uri.getHost() == null) {
                return new Proxy(variable, null, "no host in the proxy URL");
            }
            boolean tls = scheme.equals("https");
            int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
            String user = null;
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String info = uri.getRawUserInfo();
                int colon = info.indexOf(':');
                user = decode(colon < 0 ? info : info.substring(0, colon));
                password = colon < 0 ? null : decode(info.substring(colon + 1));
            }
            return new Proxy(variable, new ProxySpec(unbracket(uri.getHost()), port, user, password, tls), null);
        } catch (URISyntaxException | IllegalArgumentException e) {
            // the value may hold a password: say where the URL is wrong, not what it is
            return new Proxy(variable, null, "not a valid proxy URL");
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The address of an IPv4 or IPv6 literal, or null for a host name (never resolved). */
    private static byte[] ipLiteral(String host) {
        if (!IPAddress.isValidIPv4(host) && !IPAddress.isValidIPv6(host)) {
            return null;
        }
        try {
            byte[] address = InetAddress.getByName(host).getAddress();
            return address.length == 16 && isV4Mapped(address) ? Arrays.copyOfRange(address, 12, 16)
                    : address;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static boolean isLoopback(byte[] address) {
        if (address.length == 4) {
            return address[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[15] == 1;
    }

    private static boolean inNetwork(byte[] address, byte[] network, int bits) {
        if (address.length != network.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((address[i / 8] & mask) != (network[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static int parseBits(String s) {
        return s.matches("\\d{1,3}") ? Integer.parseInt(s) : -1;
    }
}
