package io.oci2cfs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oci2cfs.registry.auth.Credential;
import io.oci2cfs.registry.auth.FoundCredential;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * Bearer tokens from a registry's token server (distribution docs/spec/auth/token.md), cached per realm,
 * service and scopes and fetched again shortly before they expire. With an identity token (an OAuth2 refresh
 * token) the token is asked for by POST (docs/spec/auth/oauth.md), falling back to GET where the server does
 * not take the POST; with a user and password, by GET with Basic authentication; otherwise anonymously.
 */
final class BearerTokens {
    /** token.md: a token without {@code expires_in} lasts 60 s, and shorter lifetimes are taken as 60 s. */
    private static final Duration MIN_LIFETIME = Duration.ofSeconds(60);
    /** Fetched again this long before expiry, so that a request in flight does not carry a dead token. */
    private static final Duration MARGIN = Duration.ofSeconds(10);
    private static final int TOKEN_RESPONSE_CAP = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Token(String value, Instant refreshAt) {
    }

    private final HttpTransport http;
    private final Clock clock;
    private final Map<String, Token> cache = new ConcurrentHashMap<>();

    BearerTokens(HttpTransport http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    /**
     * A token for {@code scopes} from the server a {@code Bearer} challenge names.
     *
     * @param fresh drop any cached token first (the registry just rejected it)
     */
    Mono<String> token(Challenge bearer, List<String> scopes, FoundCredential credential, boolean fresh,
            String label) {
        String realm = bearer.param("realm");
        if (realm == null || realm.isBlank()) {
            return Mono.error(new RegistryException(label + ": the registry's Bearer challenge names no realm"));
        }
        String service = bearer.param("service");
        String key = realm + "\n" + service + "\n" + String.join(" ", scopes);
        if (fresh) {
            cache.remove(key);
        }
        Token cached = cache.get(key);
        if (cached != null && clock.instant().isBefore(cached.refreshAt())) {
            return Mono.just(cached.value());
        }
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            return Mono.error(new RegistryException(label + ": bad token realm '" + realm + "'"));
        }
        return request(realmUri, service, scopes, credential, label)
                .map(body -> parse(body, realmUri, label))
                .doOnNext(t -> cache.put(key, t))
                .map(Token::value);
    }

    private Mono<byte[]> request(URI realm, String service, List<String> scopes, FoundCredential found,
            String label) {
        Credential c = found.credential();
        if (c instanceof Credential.IdentityToken id) {
            StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=oci2cfs&refresh_token=")
                    .append(encode(id.token()));
            if (service != null) {
                form.append("&service=").append(encode(service));
            }
            form.append("&scope=").append(encode(String.join(" ", scopes)));
            HttpRequest post = HttpRequest.get(realm).asPost(form.toString().getBytes(StandardCharsets.UTF_8));
            HttpRequest get = HttpRequest.get(query(realm, service, scopes, id.user()))
                    .withAuthorization(basic(id.user(), id.token()), HttpRequest.origin(realm));
            // containerd falls back to GET on 404, 401 and 405 (containerd/cri#650), ggcr on 404
            return body(post, found, label, true).switchIfEmpty(Mono.defer(() -> body(get, found, label, false)));
        }
        HttpRequest get = HttpRequest.get(query(realm, service, scopes,
                c instanceof Credential.Basic b ? b.user() : null));
        if (c instanceof Credential.Basic b) {
            get = get.withAuthorization(basic(b.user(), b.password()), HttpRequest.origin(realm));
        }
        return body(get, found, label, false);
    }

    /** The token server's answer; empty when {@code fallbackAllowed} and the server refused the method. */
    private Mono<byte[]> body(HttpRequest request, FoundCredential found, String label, boolean fallbackAllowed) {
        return http.send(request).collectList().flatMap(parts -> {
            HttpHead head = ((HttpPart.Head) parts.get(0)).head();
            if (!head.success()) {
                if (fallbackAllowed && (head.status() == 404 || head.status() == 401 || head.status() == 405)) {
                    return Mono.empty();
                }
                if (head.status() == 401 || head.status() == 403) {
                    return Mono.error(new RegistryException(label + ": unauthorized: the token server "
                            + HttpRequest.origin(request.uri()) + " refused " + describe(found)));
                }
                return Mono.error(RegistryErrors.status(label, "token server", head));
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (HttpPart p : parts.subList(1, parts.size())) {
                byte[] b = ((HttpPart.Chunk) p).bytes();
                if (out.size() + b.length > TOKEN_RESPONSE_CAP) {
                    return Mono.error(new RegistryException(label + ": token response larger than 1 MiB"));
                }
                out.write(b, 0, b.length);
            }
            return Mono.just(out.toByteArray());
        });
    }

    private Token parse(byte[] body, URI realm, String label) {
        try {
            JsonNode json = JSON.readTree(body);
            String token = text(json, "token");
            if (token == null) {
                token = text(json, "access_token");
            }
            if (token == null || token.isEmpty()) {
                throw new RegistryException(label + ": the token server " + HttpRequest.origin(realm)
                        + " answered without a token");
            }
            Duration lifetime = MIN_LIFETIME;
            JsonNode expires = json.get("expires_in");
            if (expires != null && expires.canConvertToLong() && expires.longValue() > lifetime.toSeconds()) {
                lifetime = Duration.ofSeconds(expires.longValue());
            }
            Instant issued = clock.instant();
            String issuedAt = text(json, "issued_at");
            if (issuedAt != null) {
                try {
                    Instant i = Instant.parse(issuedAt);
                    // a server clock ahead of ours must not make the token look fresher than it is
                    issued = i.isBefore(issued) ? i : issued;
                } catch (DateTimeParseException ignored) {
                    // token.md makes issued_at optional; ours is a safe stand-in
                }
            }
            return new Token(token, issued.plus(lifetime).minus(MARGIN));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e instanceof RegistryException ? e
                    : new RegistryException(label + ": unreadable token response: " + e.getMessage(), e));
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode v = json.get(field);
        return v != null && v.isTextual() ? v.textValue() : null;
    }

    private static URI query(URI realm, String service, List<String> scopes, String account) {
        List<String> params = new ArrayList<>();
        if (service != null) {
            params.add("service=" + encode(service));
        }
        scopes.forEach(s -> params.add("scope=" + encode(s)));
        if (account != null && !account.isEmpty()) {
            params.add("account=" + encode(account));
        }
        String base = realm.toString();
        return URI.create(base + (base.contains("?") ? "&" : "?") + String.join("&", params));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
    }

    /** Which credential was used, never the secret itself. */
    static String describe(FoundCredential found) {
        return found.credential() instanceof Credential.Anonymous ? "anonymous access (" + found.source() + ")"
                : "the credentials from " + found.source();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
