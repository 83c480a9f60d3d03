package io.oci2cfs.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream on a thread of its own, a few chunks ahead of the reader, so that the work inside the
 * stream (decompression) runs beside the reader's work instead of taking turns with it.
 *
 * <p>Not commons-io's ReadAheadInputStream: that one takes an EOFException from its source for a clean end
 * of stream, which would turn a truncated gzip blob into a short tar, and it raises a failure before handing
 * over the bytes read before it, which would hide where the tar was cut. Here the reader gets every byte
 * that was read, then the failure, as if it had read the source itself.
 */
final class ReadAheadStream extends InputStream {
    private static final Object END = new Object();
    /**
     * Reads are small because a decompressor that hits a cut-off input throws away what it inflated in that
     * same call; small reads keep the loss small, so the parser still sees the members before the cut.
     */
    private static final int READ_SIZE = 8192;

    private final InputStream source;
    private final BlockingQueue<Object> queue;
    /** Chunks the reader has finished with, for the pump to fill again instead of allocating new ones. */
    private final BlockingQueue<byte[]> spare;
    private final Thread pump;
    private final int chunkSize;
    private volatile boolean closed;
    private byte[] chunk = new byte[0];
    private int pos;
    private boolean ended;

    /** Starts reading {@code source} at once, {@code chunkSize} bytes at a time, at most {@code ahead} chunks ahead. */
    ReadAheadStream(InputStream source, int chunkSize, int ahead, String threadName) {
        this.source = source;
        this.chunkSize = chunkSize;
        this.queue = new ArrayBlockingQueue<>(ahead + 1); // one slot more for END or the failure
        this.spare = new ArrayBlockingQueue<>(ahead + 2);
        this.pump = new Thread(this::pump, threadName);
        pump.setDaemon(true);
        pump.start();
    }

    private void pump() {
        try {
            while (!closed) {
                byte[] b = spare.poll();
                if (b == null) {
                    b = new byte[chunkSize];
                }
                int n = 0;
                try {
                    while (n < chunkSize) {
                        int r = source.read(b, n, Math.min(READ_SIZE, chunkSize - n));
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                } catch (Throwable e) {
                    if (n > 0) {
                        queue.put(java.util.Arrays.copyOf(b, n));
                    }
                    queue.put(e);
                    return;
                }
                if (n > 0) {
                    queue.put(n == chunkSize ? b : java.util.Arrays.copyOf(b, n));
                }
                if (n < chunkSize) {
                    queue.put(END);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return chunk[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return chunk.length - pos;
    }

    /** Makes sure unread bytes are at hand; false at the end of the stream. */
    private boolean fill() throws IOException {
        if (pos < chunk.length) {
            return true;
        }
        if (ended) {
            return false;
        }
        Object next;
        try {
            next = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the decompressing thread");
        }
        if (next == END) {
            ended = true;
            return false;
        }
        if (next instanceof Throwable t) {
            ended = true;
            if (t instanceof IOException e) {
                throw e;
            }
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IOException(t);
        }
        if (chunk.length == chunkSize) {
            spare.offer(chunk); // fully read by now
        }
        chunk = (byte[]) next;
        pos = 0;
        return true;
    }

    /** Stops the reading thread, waits for it, then closes the source. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        // No interrupt: it would close an interruptible channel under the source, and the caller's blob with it.
        // A pump blocked on the full queue gets room, and it stops before its next chunk.
        queue.clear();
        try {
            pump.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        source.close();
    }
}
