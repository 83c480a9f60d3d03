package io.oci2cfs.registry;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.oci2cfs.registry.config.ProxySpec;
import java.net.URI;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.transport.ProxyProvider;

/**
 * HTTP for the registry client on reactor-netty: one pool of connections per host (at most {@code
 * maxPerHost}), timeouts on connect and on response headers, TLS per host, and redirects followed here rather
 * than by Netty, so that {@code Authorization} goes only to the origin it was issued for and never over a
 * downgrade to plain HTTP (distribution-spec "API": MUST NOT forward it across hosts).
 *
 * <p>Response bodies arrive as {@code byte[]} copied out of Netty's buffers, which are released at once, and
 * are read from the socket only as fast as the subscriber asks for them.
 */
final class HttpTransport implements AutoCloseable {
    static final int MAX_REDIRECTS = 10;
    /** Bodies of answers that are not a success (JSON error lists) are kept up to this size. */
    private static final int ERROR_BODY_CAP = 64 << 10;

    private final ConnectionProvider pool;
    private final HttpClient base;
    private final Function<String, TlsConfig> tls;
    private final RegistryOptions.Proxies proxies;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
    private final RegistryWarnings warnings = new RegistryWarnings(System.err);

    /**
     * @param tls how to reach each {@code host:port} over TLS
     * @param proxies the HTTP proxy for each target (CONNECT is used for every scheme)
     */
    HttpTransport(int maxPerHost, Duration connectTimeout, Duration headersTimeout, String userAgent,
            Function<String, TlsConfig> tls, RegistryOptions.Proxies proxies) {
        this.pool = ConnectionProvider.builder("oci2cfs-registry")
                .maxConnections(maxPerHost)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(Duration.ofMinutes(10))
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
        this.base = HttpClient.create(pool)
                .resolver(DefaultAddressResolverGroup.INSTANCE)
                // HTTP/1.1 is the default; naming it (protocol(HTTP11)) initialises reactor-netty's default
                // TLS context, the JDK's TLS stack and its CA store, on every pull, plain HTTP included
                .followRedirect(false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .responseTimeout(headersTimeout)
                .headers(h -> h.set("User-Agent", userAgent));
        this.tls = tls;
        this.proxies = proxies;
    }

    /**
     * Sends {@code request}, following up to {@link #MAX_REDIRECTS} redirects. Emits the final response's
     * {@link HttpPart.Head} and then, for a success, its body.
     */
    Flux<HttpPart> send(HttpRequest request) {
        return hop(request, request.uri(), 0);
    }

    private Flux<HttpPart> hop(HttpRequest request, URI uri, int redirects) {
        return exchange(request, uri).switchOnFirst((first, parts) -> {
            if (!first.hasValue() || !(first.get() instanceof HttpPart.Head h) || !h.head().redirect()) {
                return parts;
            }
            String location = h.head().header("location");
            if (location == null) {
                return Flux.error(new RegistryException(uri + ": redirect " + h.head().status() + " without Location"));
            }
            if (redirects >= MAX_REDIRECTS) {
                return Flux.error(new RegistryException(request.uri() + ": more than " + MAX_REDIRECTS + " redirects"));
            }
            URI next = uri.resolve(location.trim());
            if (!"https".equals(next.getScheme()) && !"http".equals(next.getScheme())) {
                return Flux.error(new RegistryException(uri + ": redirect to unsupported URL scheme " + next.getScheme()));
            }
            return hop(request, next, redirects + 1);
        });
    }

    /** One request and its response, no redirect followed. */
    private Flux<HttpPart> exchange(HttpRequest request, URI uri) {
        boolean authorized = request.authorization() != null && HttpRequest.origin(uri).equals(request.authOrigin());
        HttpClient client = clientFor(uri).headers(h -> {
            request.headers().forEach(h::set);
            if (authorized) {
                h.set("Authorization", request.authorization());
            }
        });
        HttpClient.RequestSender sender = client.request(HttpMethod.valueOf(request.method())).uri(uri);
        HttpClient.ResponseReceiver<?> receiver = request.bodyFile() != null
                ? sender.send(ByteBufFlux.fromPath(request.bodyFile()))
                : request.body() == null ? sender
                : sender.send(Mono.fromSupplier(() -> io.netty.buffer.Unpooled.wrappedBuffer(request.body())));
        return receiver.response((response, body) -> {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            response.responseHeaders().forEach(e ->
                    headers.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(e.getValue()));
            warnings.show(uri, headers.get("warning"));
            int status = response.status().code();
            if (status >= 200 && status < 300) {
                return Flux.concat(Mono.just(new HttpPart.Head(new HttpHead(uri, status, headers, new byte[0]))),
                        body.asByteArray().map(HttpPart.Chunk::new));
            }
            return capped(body).map(b -> new HttpPart.Head(new HttpHead(uri, status, headers, b)));
        });
    }

    private static Mono<byte[]> capped(ByteBufFlux body) {
        return body.asByteArray()
                .collect(java.io.ByteArrayOutputStream::new, (out, b) -> {
                    if (out.size() < ERROR_BODY_CAP) {
                        out.write(b, 0, Math.min(b.length, ERROR_BODY_CAP - out.size()));
                    }
                })
                .map(java.io.ByteArrayOutputStream::toByteArray)
                .onErrorReturn(new byte[0]);
    }

    private HttpClient clientFor(URI uri) {
        String hostPort = uri.getPort() >= 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
        return clients.computeIfAbsent(uri.getScheme() + "://" + hostPort.toLowerCase(Locale.ROOT), key -> {
            HttpClient c = base;
            boolean https = "https".equals(uri.getScheme());
            if (https) {
                SslContext context = sslContext(tls.apply(hostPort.toLowerCase(Locale.ROOT)));
                c = c.secure(spec -> spec.sslContext(context));
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
            Optional<ProxySpec> proxy = proxies.forTarget(uri.getScheme(), uri.getHost(), port);
            if (proxy.isPresent()) {
                ProxySpec p = proxy.get();
                if (p.https()) {
                    throw new IllegalArgumentException("proxy " + p.host() + ":" + p.port()
                            + " is reached over TLS (https://), which is not supported; use an http:// proxy URL");
                }
                // the proxy resolves the registry's name (CONNECT host:port), as Go's net/http leaves it to:
                // behind a proxy, registry names often resolve only on the proxy's side
                c = c.resolver(io.netty.resolver.NoopAddressResolverGroup.INSTANCE).proxy(spec -> {
                    var b = spec.type(ProxyProvider.Proxy.HTTP).host(p.host()).port(p.port());
                    if (p.user() != null) {
                        b.username(p.user()).password(u -> p.password() == null ? "" : p.password());
                    }
                });
            }
            return c;
        });
    }

    private static SslContext sslContext(TlsConfig config) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (!config.verify()) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (!config.material().extraCas().isEmpty()) {
                b.trustManager(withSystemRoots(config.material().extraCas()));
            }
            if (config.material().clientKey() != null) {
                b.keyManager(config.material().clientKey(),
                        config.material().clientChain().toArray(new X509Certificate[0]));
            }
            return b.build();
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** The JDK's trusted roots plus {@code extra} (certs.d adds CAs, it does not replace the system's). */
    private static TrustManagerFactory withSystemRoots(List<X509Certificate> extra)
            throws java.security.GeneralSecurityException, java.io.IOException {
        TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        system.init((KeyStore) null);
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (var tm : system.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    store.setCertificateEntry("system-" + i++, c);
                }
            }
        }
        for (X509Certificate c : extra) {
            store.setCertificateEntry("extra-" + i++, c);
        }
        TrustManagerFactory combined = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        combined.init(store);
        return combined;
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
