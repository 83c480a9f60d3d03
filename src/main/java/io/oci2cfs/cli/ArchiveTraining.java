package io.oci2cfs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The training run behind {@code bin/oci2cfs}'s class-data-sharing archive for registry pulls: serves an OCI
 * layout read-only as a registry on loopback (JDK HTTP server) and runs {@code convert docker://} against it
 * in the same JVM, so that the HTTP client, Netty and Reactor classes of a pull are in the class list.
 *
 * <p>{@code java -cp oci2cfs.jar io.oci2cfs.cli.ArchiveTraining LAYOUT REF OUT.cfs OBJECTS}
 */
public final class ArchiveTraining {
    private static final Pattern PATH = Pattern.compile("/v2/training/(manifests|blobs)/([^/]+)");

    private ArchiveTraining() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: ArchiveTraining LAYOUT REF OUT.cfs OBJECTS");
            System.exit(2);
        }
        Path layout = Path.of(args[0]);
        JsonNode index = new ObjectMapper().readTree(layout.resolve("index.json").toFile());
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                answer(ex, layout, index);
            }
        });
        server.start();
        int code;
        try {
            code = Main.run("convert", "docker://127.0.0.1:" + server.getAddress().getPort() + "/training:" + args[1],
                    args[2], "--objects", args[3]);
        } finally {
            server.stop(0);
        }
        System.exit(code);
    }

    private static void answer(HttpExchange ex, Path layout, JsonNode index) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/v2/")) {
            send(ex, "application/json", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            ex.sendResponseHeaders(404, -1);
            return;
        }
        String digest = m.group(2);
        String mediaType = "application/octet-stream";
        for (JsonNode d : index.path("manifests")) {
            if (d.path("digest").asText().equals(digest)
                    || d.path("annotations").path("org.opencontainers.image.ref.name").asText().equals(digest)) {
                digest = d.path("digest").asText();
                mediaType = d.path("mediaType").asText();
            }
        }
        Path blob = layout.resolve("blobs").resolve(digest.replace(':', '/'));
        if (!digest.matches("sha256:[0-9a-f]{64}") || !Files.isRegularFile(blob)) {
            ex.sendResponseHeaders(404, -1);
            return;
        }
        ex.getResponseHeaders().set("Docker-Content-Digest", digest);
        send(ex, mediaType, Files.readAllBytes(blob));
    }

    private static void send(HttpExchange ex, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
