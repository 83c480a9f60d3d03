package io.oci2cfs.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token server for distribution's {@code token} auth (docs/spec/auth/token.md): ES256 JWTs whose {@code x5c}
 * header carries a self-signed certificate that the registry trusts through {@code rootcertbundle}. Answers
 * GET (anonymous, or Basic {@code user:password}) and the OAuth2 refresh-token POST.
 */
final class TokenServer implements AutoCloseable {
    static final String SERVICE = "test-registry";
    static final String ISSUER = "test-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final KeyPair key;
    private final X509Certificate cert;
    private final String user;
    private final String password;
    private final String refreshToken;
    private final AtomicInteger issued = new AtomicInteger();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    /** @param user null: tokens for anyone (anonymous pulls) */
    TokenServer(String user, String password, String refreshToken) throws IOException, GeneralSecurityException {
        this.user = user;
        this.password = password;
        this.refreshToken = refreshToken;
        this.key = TestCerts.ecKey();
        this.cert = TestCerts.selfSigned(key, "token-signer");
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    Path writeBundle(Path file) throws IOException, GeneralSecurityException {
        return TestCerts.writeCert(file, cert);
    }

    /** The registry config section that makes it use this server. */
    String registryAuth(Path bundle) {
        return "auth:\n  token: {realm: \"" + realm() + "\", service: " + SERVICE + ", issuer: " + ISSUER
                + ", rootcertbundle: " + bundle + "}\n";
    }

    int issued() {
        return issued.get();
    }

    /** "METHOD query-or-form" of each request, secrets included: tests only. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String method = ex.getRequestMethod();
            String params = method.equals("POST")
                    ? new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                    : String.valueOf(ex.getRequestURI().getRawQuery());
            requests.add(method + " " + params);
            Map<String, List<String>> q = parse(params);
            boolean allowed;
            if (method.equals("POST")) {
                allowed = refreshToken != null && "refresh_token".equals(first(q, "grant_type"))
                        && refreshToken.equals(first(q, "refresh_token"));
            } else {
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                String expected = user == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
                allowed = user == null || expected.equals(auth);
            }
            if (!allowed) {
                ex.sendResponseHeaders(401, -1);
                return;
            }
            List<Map<String, Object>> access = new ArrayList<>();
            for (String scope : q.getOrDefault("scope", List.of())) {
                for (String one : scope.split(" ")) {
                    String[] parts = one.split(":");
                    if (parts.length == 3 && parts[0].equals("repository")) {
                        access.add(Map.of("type", "repository", "name", parts[1], "actions", List.of(parts[2].split(","))));
                    }
                }
            }
            String jwt = jwt(access);
            issued.incrementAndGet();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("token", jwt);
            body.put("access_token", jwt);
            body.put("expires_in", 300);
            body.put("issued_at", Instant.now().toString());
            byte[] out = JSON.writeValueAsBytes(body);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
        } catch (GeneralSecurityException e) {
            ex.sendResponseHeaders(500, -1);
        } finally {
            ex.close();
        }
    }

    private String jwt(List<Map<String, Object>> access) throws GeneralSecurityException, IOException {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", "ES256");
        header.put("x5c", List.of(Base64.getEncoder().encodeToString(cert.getEncoded())));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", user == null ? "" : user);
        claims.put("aud", SERVICE);
        claims.put("exp", now + 300);
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("access", access);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(claims));
        // JOSE ES256 signatures are r||s, not DER
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(key.getPrivate());
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(s.sign());
    }

    private static Map<String, List<String>> parse(String query) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (query == null || query.equals("null")) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String first(Map<String, List<String>> q, String k) {
        List<String> v = q.get(k);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
