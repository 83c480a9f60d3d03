package io.oci2cfs.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reverse proxy in front of a registry that breaks blob downloads on purpose: each queued {@link Fault} is
 * applied to the next layer-blob request (blobs larger than {@link #minBlobSize}), then the proxy behaves.
 */
final class FaultProxy implements AutoCloseable {
    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "transfer-encoding",
            "date", "keep-alive");

    sealed interface Fault {
        /** Sends the headers and {@code bytes} of the body, then closes the connection. */
        record Drop(long bytes) implements Fault {
        }

        /** Sends {@code bytes} of the body, then nothing for {@code millis}, then closes. */
        record Stall(long bytes, long millis) implements Fault {
        }

        /** Answers {@code status} with these headers instead of forwarding. */
        record Status(int status, Map<String, String> headers, String body) implements Fault {
        }

        /** Forwards without the Range header and answers 200 with the whole blob. */
        record IgnoreRange() implements Fault {
        }

        /** Answers a Range request with 206 and a Content-Range that starts {@code shift} bytes off. */
        record WrongContentRange(long shift) implements Fault {
        }

        /** Forwards with the byte at {@code offset} of the body inverted. */
        record FlipByte(long offset) implements Fault {
        }
    }

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final URI upstream;
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final List<String> blobRequests = new CopyOnWriteArrayList<>();
    private final AtomicInteger applied = new AtomicInteger();
    private volatile long minBlobSize = 512;

    FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    FaultProxy then(Fault f) {
        faults.add(f);
        return this;
    }

    int applied() {
        return applied.get();
    }

    /** Each blob request as "Range-or-none path". */
    List<String> blobRequests() {
        return List.copyOf(blobRequests);
    }

    private void handle(HttpExchange ex) {
        try {
            String path = ex.getRequestURI().toString();
            String range = ex.getRequestHeaders().getFirst("Range");
            boolean blob = path.contains("/blobs/sha256:");
            HttpRequest.Builder req = HttpRequest.newBuilder(upstream.resolve(path)).method(ex.getRequestMethod(),
                    HttpRequest.BodyPublishers.ofInputStream(ex::getRequestBody));
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!HOP_HEADERS.contains(k.toLowerCase()) && !k.equalsIgnoreCase("host")) {
                    vs.forEach(v -> req.header(k, v));
                }
            });
            Fault fault = null;
            HttpResponse<InputStream> resp;
            if (blob) {
                blobRequests.add((range == null ? "-" : range) + " " + path);
                fault = faults.peek();
            }
            if (fault instanceof Fault.IgnoreRange && range != null) {
                HttpRequest.Builder plain = HttpRequest.newBuilder(upstream.resolve(path)).GET();
                ex.getRequestHeaders().forEach((k, vs) -> {
                    if (k.equalsIgnoreCase("Authorization")) {
                        vs.forEach(v -> plain.header(k, v));
                    }
                });
                resp = send(plain.build());
            } else {
                resp = send(req.build());
            }
            long length = resp.headers().firstValueAsLong("content-length").orElse(-1);
            boolean target = blob && fault != null && resp.statusCode() / 100 == 2 && (length < 0 || length >= minBlobSize
                    || range != null) && applies(fault, range);
            if (target) {
                faults.poll();
                applied.incrementAndGet();
            } else {
                fault = null;
            }
            if (fault instanceof Fault.Status s) {
                resp.body().close();
                s.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
                byte[] body = s.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                ex.sendResponseHeaders(s.status(), body.length == 0 ? -1 : body.length);
                ex.getResponseBody().write(body);
                return;
            }
            resp.headers().map().forEach((k, vs) -> {
                if (!HOP_HEADERS.contains(k.toLowerCase()) && !k.startsWith(":")) {
                    vs.forEach(v -> ex.getResponseHeaders().add(k, v));
                }
            });
            int status = resp.statusCode();
            if (fault instanceof Fault.WrongContentRange w) {
                String cr = ex.getResponseHeaders().getFirst("Content-Range");
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)").matcher(cr);
                if (m.matches()) {
                    ex.getResponseHeaders().set("Content-Range", "bytes " + (Long.parseLong(m.group(1)) + w.shift())
                            + "-" + m.group(2) + "/" + m.group(3));
                }
            }
            ex.sendResponseHeaders(status, ex.getRequestMethod().equals("HEAD") ? -1 : length < 0 ? 0 : length);
            try (InputStream in = resp.body(); OutputStream out = ex.getResponseBody()) {
                copy(in, out, fault);
            }
        } catch (IOException | RuntimeException e) {
            // the client went away or a fault closed the connection: nothing to answer
        } finally {
            ex.close();
        }
    }

    private static boolean applies(Fault f, String range) {
        return range != null || !(f instanceof Fault.IgnoreRange || f instanceof Fault.WrongContentRange);
    }

    private HttpResponse<InputStream> send(HttpRequest r) throws IOException {
        try {
            return client.send(r, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void copy(InputStream in, OutputStream out, Fault fault) throws IOException {
        long limit = fault instanceof Fault.Drop d ? d.bytes() : fault instanceof Fault.Stall s ? s.bytes() : Long.MAX_VALUE;
        long flip = fault instanceof Fault.FlipByte f ? f.offset() : -1;
        byte[] buf = new byte[8192];
        long done = 0;
        int n;
        while (done < limit && (n = in.read(buf, 0, (int) Math.min(buf.length, limit - done))) > 0) {
            if (flip >= done && flip < done + n) {
                buf[(int) (flip - done)] ^= (byte) 0xff;
            }
            out.write(buf, 0, n);
            done += n;
        }
        out.flush();
        if (fault instanceof Fault.Stall s) {
            try {
                Thread.sleep(s.millis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (limit != Long.MAX_VALUE) {
            // leave the fixed-length body short: the server then closes the connection
            throw new IOException("fault: connection dropped after " + done + " bytes");
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
