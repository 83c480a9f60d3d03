package io.oci2cfs.registry;

import io.oci2cfs.registry.auth.Credential;
import io.oci2cfs.registry.auth.FoundCredential;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * One repository on one registry host: finds the scheme and the authentication the host asks for with one
 * {@code GET /v2/} (distribution-spec "API version check"), then sends requests with the right
 * {@code Authorization}, fetching a new token and trying once more when a request is answered 401 (an
 * expired token, {@code invalid_token}, or {@code insufficient_scope}).
 */
final class RegistrySession {
    private final HttpTransport http;
    private final BearerTokens tokens;
    private final String host;
    private final String repository;
    private final FoundCredential credential;
    private final boolean allowPlainHttp;
    private final RetryPolicy retry;
    private final String label;
    private final PullStats stats;
    private final Mono<URI> base;
    private volatile List<Challenge> challenges = List.of();

    /**
     * @param host the API host, {@code host[:port]}
     * @param allowPlainHttp try {@code http://} when {@code https://} fails (insecure registries), or first for
     *     a loopback host (containerd and go-containerregistry allow plain HTTP there; the ping carries no
     *     credentials, and a TLS port answers plain HTTP with 400, which moves on to HTTPS)
     * @param label the reference as the user named it, for messages
     */
    RegistrySession(HttpTransport http, BearerTokens tokens, String host, String repository,
            FoundCredential credential, boolean allowPlainHttp, RetryPolicy retry, String label, PullStats stats) {
        this.http = http;
        this.tokens = tokens;
        this.host = host;
        this.repository = repository;
        this.credential = credential;
        this.allowPlainHttp = allowPlainHttp;
        this.retry = retry;
        this.label = label;
        this.stats = stats;
        // a successful ping is kept; a failed one is not, so that the caller's retry pings again
        this.base = ping().cache(ok -> java.time.Duration.ofMillis(Long.MAX_VALUE), e -> java.time.Duration.ZERO,
                () -> java.time.Duration.ZERO);
    }

    String host() {
        return host;
    }

    String repository() {
        return repository;
    }

    String label() {
        return label;
    }

    RetryPolicy retryPolicy() {
        return retry;
    }

    PullStats stats() {
        return stats;
    }

    /** Whether {@code host} (without port) is this machine: plain HTTP is then allowed as containerd does. */
    static boolean isLoopback(String hostPort) {
        String h = hostPort.startsWith("[") ? hostPort.substring(1, hostPort.indexOf(']'))
                : hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
        if (h.equals("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private Mono<URI> ping() {
        List<URI> candidates = new ArrayList<>(List.of(URI.create("https://" + host + "/v2/")));
        if (allowPlainHttp) {
            candidates.add(isLoopback(host) ? 0 : 1, URI.create("http://" + host + "/v2/"));
        }
        return pingFrom(candidates, 0, null);
    }

    private Mono<URI> pingFrom(List<URI> candidates, int i, RegistryException firstError) {
        URI uri = candidates.get(i);
        return http.send(HttpRequest.get(uri)).take(1).single()
                .onErrorMap(e -> RegistryErrors.transport(label, host, e))
                .flatMap(part -> {
                    HttpHead head = ((HttpPart.Head) part).head();
                    if (head.success() || head.status() == 401) {
                        challenges = Challenge.parseAll(head.all("www-authenticate"));
                        return Mono.just(URI.create(uri.getScheme() + "://" + host));
                    }
                    return Mono.error(head.status() == 404
                            ? new RegistryException(label + ": " + host + " is not a registry (GET /v2/ answered 404)")
                            : RegistryErrors.status(label, "API version check", head));
                })
                .onErrorResume(RegistryException.class, e -> {
                    if (i + 1 < candidates.size() && !(e instanceof RegistryException.Transient)) {
                        return pingFrom(candidates, i + 1, e);
                    }
                    // plain HTTP sent to a TLS port answers 400, TLS sent to a plain port fails the handshake:
                    // the error worth showing is the one of the scheme the server speaks
                    boolean firstIsTheServers = firstError != null && uri.getScheme().equals("http")
                            && !firstError.getMessage().contains("HTTP 400");
                    return Mono.error(firstIsTheServers || (firstError != null && e.getMessage().contains("HTTP 400"))
                            ? firstError : e);
                });
    }

    /** Retries of a whole request after a transient answer or a network failure. */
    Retry transientRetry() {
        return Retry.from(signals -> signals.concatMap(s -> {
            Throwable f = s.failure();
            if (!RegistryErrors.retryable(f) || s.totalRetries() >= retry.times()) {
                return Mono.error(f);
            }
            java.time.Duration after = f instanceof RegistryException.Transient t ? t.retryAfter() : null;
            stats.retried();
            return Mono.delay(retry.delay(s.totalRetries() + 1, after));
        }));
    }

    /**
     * Sends a request to a path under {@code /v2/<repository>/} and emits the successful answer's head and
     * body; other answers become errors. A 401 is answered once with fresh authorization.
     */
    Flux<HttpPart> send(String what, String path, Function<HttpRequest, HttpRequest> customize) {
        return base.flatMapMany(b -> attempt(what, customize.apply(
                HttpRequest.get(URI.create(b + "/v2/" + repository + "/" + path))), false));
    }

    private Flux<HttpPart> attempt(String what, HttpRequest request, boolean fresh) {
        return authorization(fresh, request.uri())
                .map(a -> request.withAuthorization(a, HttpRequest.origin(request.uri())))
                .defaultIfEmpty(request)
                .flatMapMany(http::send)
                .onErrorMap(e -> RegistryErrors.transport(label, host, e))
                .switchOnFirst((first, parts) -> {
                    if (!first.hasValue()) {
                        return parts;
                    }
                    HttpHead head = ((HttpPart.Head) first.get()).head();
                    if (head.success()) {
                        return parts;
                    }
                    if (head.status() == 401 && !fresh && !(credential.credential() instanceof Credential.BearerToken)) {
                        List<Challenge> now = Challenge.parseAll(head.all("www-authenticate"));
                        if (!now.isEmpty()) {
                            challenges = merge(now);
                        }
                        return attempt(what, request, true);
                    }
                    java.io.IOException e = RegistryErrors.status(label, what, head);
                    if (head.status() == 401 || head.status() == 403) {
                        e = new RegistryException(e.getMessage() + "; tried " + BearerTokens.describe(credential));
                    }
                    return Flux.error(e);
                });
    }

    /** Challenges seen on later 401s replace the ping's of the same scheme; the ping's stay for the others. */
    private List<Challenge> merge(List<Challenge> now) {
        List<Challenge> merged = new ArrayList<>(now);
        for (Challenge c : challenges) {
            if (Challenge.find(now, c.scheme()) == null) {
                merged.add(c);
            }
        }
        return merged;
    }

    /** The {@code Authorization} value for this repository, or empty when the registry needs none. */
    private Mono<String> authorization(boolean fresh, URI registryUri) {
        Credential c = credential.credential();
        if (c instanceof Credential.BearerToken t) {
            return Mono.just("Bearer " + t.token());
        }
        List<Challenge> now = challenges;
        Challenge bearer = Challenge.find(now, "bearer");
        if (bearer != null) {
            List<String> scopes = new ArrayList<>(List.of("repository:" + repository + ":pull"));
            String asked = bearer.param("scope");
            if (asked != null) {
                for (String s : asked.split(" ")) {
                    if (!s.isBlank() && !scopes.contains(s)) {
                        scopes.add(s);
                    }
                }
            }
            String realm = String.valueOf(bearer.param("realm"));
            if (!(c instanceof Credential.Anonymous) && realm.startsWith("http://")
                    && registryUri.getScheme().equals("https") && !isLoopback(URI.create(realm).getAuthority())) {
                // a credential must not leave over plain HTTP when the registry itself is reached over TLS
                return Mono.error(new RegistryException(label + ": the registry names a plain-HTTP token server ("
                        + realm + "); not sending " + BearerTokens.describe(credential) + " there"));
            }
            return tokens.token(bearer, scopes, credential, fresh, label)
                    .onErrorMap(java.io.UncheckedIOException.class, java.io.UncheckedIOException::getCause)
                    .map(t -> "Bearer " + t);
        }
        if (Challenge.find(now, "basic") != null) {
            if (c instanceof Credential.Basic b) {
                return Mono.just(BearerTokens.basic(b.user(), b.password()));
            }
            if (c instanceof Credential.IdentityToken id) {
                return Mono.just(BearerTokens.basic(id.user(), id.token()));
            }
        }
        return Mono.empty();
    }
}
