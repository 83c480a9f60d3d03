package io.oci2cfs.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A {@code Publisher<byte[]>} read as an {@link InputStream}, with back-pressure: at most {@code prefetch}
 * chunks are asked for ahead of the reader, so a slow reader slows the socket instead of filling the heap.
 * The reader blocks; the publisher's threads never do. Closing early cancels the publisher.
 *
 * <p>Demand is replenished in batches of three quarters of {@code prefetch} (as Reactor's {@code limitRate}
 * does), not chunk by chunk: each request from the reader's thread is a task handed to the network thread,
 * and one per chunk made a pull cost markedly more CPU than reading the same layers from files (bin/bench
 * --registry).
 */
final class FluxInputStream extends InputStream {
    private static final Object END = new Object();

    private record Failure(Throwable error) {
    }

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Subscription subscription;
    private final int replenish;
    private byte[] current = new byte[0];
    private int pos;
    private int consumed;
    private Object terminal;

    public FluxInputStream(Publisher<byte[]> source, int prefetch) {
        this.replenish = Math.max(1, prefetch - prefetch / 4);
        source.subscribe(new Subscriber<byte[]>() {
            @Override
            public void onSubscribe(Subscription s) {
                subscription = s;
                s.request(prefetch);
            }

            @Override
            public void onNext(byte[] bytes) {
                queue.add(bytes);
            }

            @Override
            public void onError(Throwable t) {
                queue.add(new Failure(t));
            }

            @Override
            public void onComplete() {
                queue.add(END);
            }
        });
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == current.length && !next()) {
            return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return current.length - pos;
    }

    /** Takes the next chunk; false at the end. */
    private boolean next() throws IOException {
        while (terminal == null) {
            Object o;
            try {
                o = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for data");
            }
            if (o instanceof byte[] bytes) {
                if (++consumed == replenish) {
                    subscription.request(consumed);
                    consumed = 0;
                }
                if (bytes.length > 0) {
                    current = bytes;
                    pos = 0;
                    return true;
                }
            } else {
                terminal = o;
            }
        }
        if (terminal instanceof Failure f) {
            Throwable t = reactor.core.Exceptions.unwrap(f.error());
            if (t instanceof IOException io) {
                throw io;
            }
            throw new IOException(t.getMessage(), t);
        }
        return false;
    }

    @Override
    public void close() {
        if (terminal == null && subscription != null) {
            subscription.cancel();
            terminal = END;
        }
        queue.clear();
    }
}
