package io.oci2cfs.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP proxy on 127.0.0.1 that answers {@code CONNECT host:port} by tunnelling to 127.0.0.1:port, whatever
 * the host: the proxy resolves names, so a client going through it can name a registry by a host no resolver
 * knows. It records each request line and each {@code Proxy-Authorization} value; given one it requires, it
 * answers 407 to a CONNECT without it.
 */
final class ConnectProxy implements AutoCloseable {
    private final ServerSocket server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final String required;

    ConnectProxy() throws IOException {
        this(null);
    }

    /** @param required the {@code Proxy-Authorization} value a CONNECT must carry, or null for none */
    ConnectProxy(String required) throws IOException {
        this.required = required;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "connect-proxy");
        t.setDaemon(true);
        t.start();
    }

    String hostPort() {
        return "127.0.0.1:" + port();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Each request line received, e.g. {@code CONNECT registry.example.test:5000 HTTP/1.1}. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    /** Each {@code Proxy-Authorization} value received, in order. */
    List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> tunnel(client), "connect-proxy-tunnel");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void tunnel(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String[] head = readHead(in).split("\r\n");
            requests.add(head[0]);
            String authorization = null;
            for (String line : head) {
                if (line.regionMatches(true, 0, "Proxy-Authorization:", 0, 20)) {
                    authorization = line.substring(20).trim();
                    authorizations.add(authorization);
                }
            }
            String[] words = head[0].split(" ");
            if (words.length != 3 || !words[0].equals("CONNECT")) {
                out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            if (required != null && !required.equals(authorization)) {
                out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                        + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                return;
            }
            int port = Integer.parseInt(words[1].substring(words[1].lastIndexOf(':') + 1));
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port)) {
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread back = new Thread(() -> pipe(upstream, client), "connect-proxy-back");
                back.setDaemon(true);
                back.start();
                pipe(client, upstream);
                back.join();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the client or the registry went away: the tunnel ends
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            String s = head.toString(StandardCharsets.US_ASCII);
            if (s.endsWith("\r\n\r\n")) {
                return s;
            }
        }
        throw new IOException("connection closed before the request ended");
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
