package io.oci2cfs.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP forwarder on 127.0.0.1 that lets at most {@code bytesPerSecond} flow from the target back to all its
 * clients together, like one client's share of a registry's CDN. Requests flow unthrottled.
 */
final class ThrottleProxy implements AutoCloseable {
    private static final int CHUNK = 16 << 10;
    /** The bucket's depth: 20 ms, 800 KB at 40 MB/s. */
    private static final long BURST_NANOS = 20_000_000L;

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final double nanosPerByte;
    private long nextFree = System.nanoTime();

    ThrottleProxy(InetSocketAddress target, long bytesPerSecond) throws IOException {
        this.target = target;
        this.nanosPerByte = 1e9 / bytesPerSecond;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "throttle-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                pump(client, upstream, false);
                pump(upstream, client, true);
            } catch (IOException e) {
                // closed, or the registry refused one connection: the client sees its connection end
            }
        }
    }

    private void pump(Socket from, Socket to, boolean throttled) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[CHUNK];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (throttled) {
                        waitForSlot(n);
                    }
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // one side closed; closing both below ends the other pump
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "throttle-pump");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Reserves the next {@code n} bytes' share of the rate, shared by every connection, and sleeps until it ends.
     * A token bucket {@link #BURST_NANOS} deep: a pump that wakes late (a sleep overshoots by tens of
     * microseconds per chunk) may catch up on the time it lost, so one connection alone gets the full rate
     * rather than about two thirds of it, and no window longer than the bucket gets more.
     */
    private void waitForSlot(int n) {
        long end;
        synchronized (this) {
            long now = System.nanoTime();
            nextFree = Math.max(nextFree, now - BURST_NANOS) + (long) (n * nanosPerByte);
            end = nextFree;
        }
        for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
