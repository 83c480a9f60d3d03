package io.oci2cfs.registry;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A registry that serves fixed answers, for what distribution 2.8 will not serve: schema 1 manifests,
 * encrypted layers, a digest header that lies, a HEAD refused. Every path not set answers 404; HEAD answers
 * as GET without the body. It records each request as {@code METHOD path}.
 */
final class StubRegistry implements AutoCloseable {
    record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    StubRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        answers.put("/v2/", new Answer(200, "application/json", "{}".getBytes(StandardCharsets.UTF_8), Map.of()));
        server.createContext("/", ex -> {
            try {
                String method = ex.getRequestMethod();
                requests.add(method + " " + ex.getRequestURI().getPath());
                Answer a = answers.get(ex.getRequestURI().getPath());
                if (refused.contains(method)) {
                    ex.sendResponseHeaders(405, -1);
                    return;
                }
                if (a == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Type", a.contentType());
                a.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
                if (method.equals("HEAD")) {
                    ex.sendResponseHeaders(a.status(), -1);
                    return;
                }
                ex.sendResponseHeaders(a.status(), a.body().length);
                ex.getResponseBody().write(a.body());
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    StubRegistry serve(String path, String contentType, String body, Map<String, String> headers) {
        answers.put(path, new Answer(200, contentType, body.getBytes(StandardCharsets.UTF_8), headers));
        return this;
    }

    /** Answers 405 Method Not Allowed to every request of {@code method}. */
    StubRegistry refuse(String method) {
        refused.add(method);
        return this;
    }

    /** The requests so far, each as {@code METHOD path}. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
