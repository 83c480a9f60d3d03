package io.oci2cfs.convert;

import io.oci2cfs.error.BadInputException;
import io.oci2cfs.error.EnvironmentException;
import io.oci2cfs.error.ErrorText;
import io.oci2cfs.store.Transaction;
import io.oci2cfs.tree.ContentRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Moves file contents from the parsing thread to hashing workers.
 *
 * <p>The parsing thread calls {@link #submit} for each regular file, naming the {@link ContentSlots} slot
 * that is to receive the file's {@link ContentRef}; the bytes are handed over in chunks and hashed and stored
 * by a fixed pool of workers taking jobs in arrival order. Chunks in flight are bounded by a byte budget: when the workers
 * fall behind, the parser blocks (back-pressure), so memory does not grow with file sizes. A file that fits
 * in one chunk is hashed in memory before anything is written, so content the store already has is never
 * written again.
 */
public final class ContentPipeline implements AutoCloseable {
    static final int CHUNK = 256 * 1024;
    /** What a queued small file costs in heap besides its bytes (task, closure, queue node), rounded up. */
    static final int TASK_OVERHEAD = 256;
    private static final byte[] END = new byte[0];
    private static final byte[] ABORT = new byte[0];

    private final Transaction tx;
    private final ExecutorService executor;
    private final Scheduler scheduler;
    private final Semaphore budget;
    private final int budgetBytes;

    public ContentPipeline(Transaction tx, int threads, long memoryBudget) {
        this.tx = tx;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "oci2cfs-hash-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.scheduler = Schedulers.fromExecutorService(executor, "oci2cfs-hash");
        this.budgetBytes = (int) Math.max(2L * CHUNK, Math.min(Integer.MAX_VALUE, memoryBudget));
        this.budget = new Semaphore(budgetBytes);
    }

    /** A budget that suits the heap: a quarter of it, at most 64 MiB. */
    public static long defaultBudget() {
        return Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * Reads exactly {@code size} bytes of {@code content} on the calling thread; the file's {@link ContentRef}
     * goes to slot {@code slot} of {@code slots} once it is hashed and stored (at once for inline content).
     * {@code what} names the file in errors.
     */
    void submit(String what, long size, InputStream content, ContentSlots slots, int slot) throws IOException {
        if (ContentRef.fitsInline(size)) {
            slots.put(slot, ContentRef.inline(readFully(what, content, (int) size)));
            return;
        }
        slots.reserve();
        boolean handedOver = false;
        try {
            if (size <= CHUNK) {
                // Each queued file costs a task besides its bytes; charging that too bounds how many small
                // files can wait in the queue, not just their bytes.
                int charge = (int) size + TASK_OVERHEAD;
                acquire(charge);
                byte[] data;
                try {
                    data = readFully(what, content, (int) size);
                } catch (IOException e) {
                    budget.release(charge);
                    throw e;
                }
                scheduler.schedule(() -> {
                    try {
                        slots.fill(slot, ContentRef.stored(tx.put(data, data.length), size));
                    } catch (Throwable e) {
                        slots.fail(notStored(what, e));
                    } finally {
                        budget.release(charge);
                    }
                });
                handedOver = true;
                return;
            }
            BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(budgetBytes / CHUNK + 2);
            scheduler.schedule(() -> storeStream(what, size, chunks, slots, slot));
            handedOver = true;
            feed(what, size, content, chunks);
        } finally {
            if (!handedOver) {
                slots.fail(new IOException(what + ": not stored"));
            }
        }
    }

    /** Hands a large file to its worker chunk by chunk. */
    private void feed(String what, long size, InputStream content, BlockingQueue<byte[]> chunks) throws IOException {
        long left = size;
        try {
            while (left > 0) {
                int n = (int) Math.min(CHUNK, left);
                acquire(n);
                byte[] chunk;
                try {
                    chunk = readFully(what, content, n);
                } catch (IOException e) {
                    budget.release(n);
                    throw e;
                }
                chunks.put(chunk);
                left -= n;
            }
            chunks.put(END);
        } catch (IOException | RuntimeException e) {
            putQuietly(chunks, ABORT);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            putQuietly(chunks, ABORT);
            throw new InterruptedIOException(what + ": interrupted");
        }
    }

    private static void putQuietly(BlockingQueue<byte[]> chunks, byte[] marker) {
        // The queue has room for the markers beyond the byte budget, so this cannot block for long.
        while (!chunks.offer(marker)) {
            Thread.onSpinWait();
        }
    }

    /** Runs on a worker: writes the chunks as they come; on failure keeps draining so the parser never stalls. */
    private void storeStream(String what, long size, BlockingQueue<byte[]> chunks, ContentSlots slots, int slot) {
        Throwable failure = null;
        long got = 0;
        Transaction.StreamedObject obj = null;
        try {
            obj = tx.stream();
        } catch (Throwable e) {
            failure = notStored(what, e);
        }
        try {
            while (true) {
                byte[] c = chunks.take();
                if (c == END || c == ABORT) {
                    if (c == ABORT && failure == null) {
                        failure = new IOException(what + ": content not read to its end");
                    }
                    break;
                }
                try {
                    if (failure == null) {
                        obj.write(c, 0, c.length);
                        got += c.length;
                    }
                } catch (Throwable e) {
                    failure = notStored(what, e);
                } finally {
                    budget.release(c.length);
                }
            }
            if (failure == null && got != size) {
                failure = new IOException(what + ": content cut short");
            }
            if (failure == null) {
                byte[] digest;
                try {
                    digest = obj.finish();
                } catch (IOException e) {
                    throw notStored(what, e);
                }
                slots.fill(slot, ContentRef.stored(digest, size));
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            closeQuietly(obj);
        }
        if (failure != null) {
            slots.fail(failure);
        }
    }

    /**
     * A write to the store that failed: the JDK's message (say "No space left on device") names neither the
     * file nor where it was going.
     */
    private Throwable notStored(String what, Throwable e) {
        if (!(e instanceof IOException io)) {
            return e;
        }
        return new EnvironmentException(what + ": cannot store it in " + tx.storeRoot() + ": " + ErrorText.of(io),
                io);
    }

    private static void closeQuietly(Transaction.StreamedObject obj) {
        if (obj != null) {
            try {
                obj.close();
            } catch (IOException ignored) {
                // The temporary file is removed with the staging directory anyway.
            }
        }
    }

    private void acquire(int n) throws InterruptedIOException {
        try {
            budget.acquire(n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for hashing workers");
        }
    }

    private static byte[] readFully(String what, InputStream in, int n) throws IOException {
        // Into an array of the exact size: readNBytes(int) gathers 8 KiB pieces and copies them once more.
        byte[] b = new byte[n];
        int got = in.readNBytes(b, 0, n);
        if (got != n) {
            throw new BadInputException(what + ": content ends after " + got + " of " + n + " bytes");
        }
        return b;
    }

    /**
     * Stops the workers and waits for them, so that nothing writes into the transaction's staging directory
     * after this returns (a failed run then removes it whole).
     */
    @Override
    public void close() {
        scheduler.dispose();
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("hashing workers did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
