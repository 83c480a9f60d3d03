package io.oci2cfs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A reverse proxy that gives a registry without it (distribution 2.8) the referrers API of distribution-spec
 * 1.1: a manifest PUT with a {@code subject} is answered with {@code OCI-Subject} and remembered, and {@code
 * GET /v2/<name>/referrers/<digest>} lists what was remembered. Everything else is forwarded unchanged.
 */
final class ReferrersProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "transfer-encoding",
            "date", "keep-alive", "host");

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final URI upstream;
    private final Map<String, ArrayNode> referrers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    ReferrersProxy(String upstreamHost) throws IOException {
        this.upstream = URI.create("http://" + upstreamHost);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** "METHOD path" of every request. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            requests.add(ex.getRequestMethod() + " " + path);
            int at = path.indexOf("/referrers/");
            if (ex.getRequestMethod().equals("GET") && at > 0) {
                ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2)
                        .put("mediaType", "application/vnd.oci.image.index.v1+json");
                index.set("manifests", referrers.getOrDefault(path.substring(at + "/referrers/".length()),
                        JSON.createArrayNode()));
                reply(ex, 200, Map.of("Content-Type", "application/vnd.oci.image.index.v1+json"),
                        JSON.writeValueAsBytes(index));
                return;
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            HttpRequest.Builder req = HttpRequest.newBuilder(upstream.resolve(ex.getRequestURI().toString()))
                    .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!HOP_HEADERS.contains(k.toLowerCase())) {
                    vs.forEach(v -> req.header(k, v));
                }
            });
            HttpResponse<byte[]> resp = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            resp.headers().map().forEach((k, vs) -> {
                if (!HOP_HEADERS.contains(k.toLowerCase()) && !k.startsWith(":")) {
                    headers.put(k, vs.get(0));
                }
            });
            if (ex.getRequestMethod().equals("PUT") && path.contains("/manifests/") && resp.statusCode() == 201) {
                JsonNode manifest = JSON.readTree(body);
                if (manifest.has("subject")) {
                    ObjectNode d = JSON.createObjectNode()
                            .put("mediaType", manifest.path("mediaType").asText())
                            .put("digest", resp.headers().firstValue("Docker-Content-Digest").orElseThrow())
                            .put("size", body.length)
                            .put("artifactType", manifest.path("artifactType").asText());
                    d.set("annotations", manifest.path("annotations"));
                    referrers.computeIfAbsent(manifest.path("subject").path("digest").asText(),
                            k -> JSON.createArrayNode()).add(d);
                    headers.put("OCI-Subject", manifest.path("subject").path("digest").asText());
                }
            }
            reply(ex, resp.statusCode(), headers, resp.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.sendResponseHeaders(502, -1);
        } finally {
            ex.close();
        }
    }

    private static void reply(HttpExchange ex, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        boolean empty = body.length == 0 || ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, empty ? -1 : body.length);
        if (!empty) {
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
