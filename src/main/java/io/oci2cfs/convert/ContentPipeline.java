package io.oci2cfs.convert;

import io.oci2cfs.error.BadInputException;
import io.oci2cfs.error.EnvironmentException;
import io.oci2cfs.error.ErrorText;
import io.oci2cfs.store.Transaction;
import io.oci2cfs.tree.ContentRef;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Moves file contents from the parsing thread to hashing workers.
 *
 * <p>The parsing thread calls {@link #submit} for each regular file, naming the {@link ContentSlots} slot
 * that is to receive the file's {@link ContentRef}; the bytes are handed over in chunks and hashed and stored
 * by the workers of a {@link HashingPool} taking jobs in arrival order. Chunks in flight are bounded by the
 * pool's byte budget: when the workers fall behind, the parser blocks (back-pressure), so memory does not
 * grow with file sizes. A file that fits in one chunk is hashed in memory before anything is written, so
 * content the store already has is never written again. A large file's chunks are written by one worker at
 * a time, in order, and no worker waits for the next chunk, so pipelines sharing a pool cannot stall it.
 */
public final class ContentPipeline implements AutoCloseable {
    static final int CHUNK = 256 * 1024;
    /** What a queued small file costs in heap besides its bytes (task, closure, queue node), rounded up. */
    static final int TASK_OVERHEAD = 256;
    private static final byte[] END = new byte[0];
    private static final byte[] ABORT = new byte[0];

    private final Transaction tx;
    private final HashingPool pool;
    private final boolean ownsPool;
    /** Tasks given to the pool and not yet finished; {@link #close} waits for none. */
    private final AtomicInteger running = new AtomicInteger();
    private final Set<LargeFile> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A pipeline with a pool of its own. */
    public ContentPipeline(Transaction tx, int threads, long memoryBudget) {
        this(tx, new HashingPool(threads, memoryBudget), true);
    }

    /** A pipeline on a shared pool, which it leaves running at {@link #close}. */
    public ContentPipeline(Transaction tx, HashingPool pool) {
        this(tx, pool, false);
    }

    private ContentPipeline(Transaction tx, HashingPool pool, boolean ownsPool) {
        this.tx = tx;
        this.pool = pool;
        this.ownsPool = ownsPool;
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
                pool.acquire(charge);
                byte[] data;
                try {
                    data = readFully(what, content, (int) size);
                } catch (IOException e) {
                    pool.release(charge);
                    throw e;
                }
                execute(() -> {
                    try {
                        checkOpen(what);
                        slots.fill(slot, ContentRef.stored(tx.put(data, data.length), size));
                    } catch (Throwable e) {
                        slots.fail(notStored(what, e));
                    } finally {
                        pool.release(charge);
                    }
                });
                handedOver = true;
                return;
            }
            LargeFile file = new LargeFile(what, size, slots, slot);
            handedOver = true;
            feed(what, size, content, file);
        } finally {
            if (!handedOver) {
                slots.fail(new IOException(what + ": not stored"));
            }
        }
    }

    private void checkOpen(String what) throws IOException {
        if (closed) {
            throw new IOException(what + ": conversion stopped");
        }
    }

    private void execute(Runnable task) {
        running.incrementAndGet();
        try {
            pool.execute(() -> {
                try {
                    task.run();
                } finally {
                    taskDone();
                }
            });
        } catch (RuntimeException e) {
            taskDone();
            throw e;
        }
    }

    private void taskDone() {
        if (running.decrementAndGet() == 0) {
            synchronized (running) {
                running.notifyAll();
            }
        }
    }

    /** Hands a large file to the workers chunk by chunk. */
    private void feed(String what, long size, InputStream content, LargeFile file) throws IOException {
        long left = size;
        try {
            while (left > 0) {
                int n = (int) Math.min(CHUNK, left);
                pool.acquire(n);
                byte[] chunk;
                try {
                    chunk = readFully(what, content, n);
                } catch (IOException e) {
                    pool.release(n);
                    throw e;
                }
                file.offer(chunk);
                left -= n;
            }
            file.offer(END);
        } catch (IOException | RuntimeException e) {
            file.offer(ABORT);
            throw e;
        }
    }

    /**
     * One large file on its way to the store. Its chunks queue here; whenever chunks are waiting, exactly one
     * task writes them, in order, and ends when the queue is empty (the next chunk starts another).
     */
    private final class LargeFile {
        private final String what;
        private final long size;
        private final ContentSlots slots;
        private final int slot;
        private final ConcurrentLinkedQueue<byte[]> chunks = new ConcurrentLinkedQueue<>();
        private final AtomicInteger queued = new AtomicInteger();
        // Touched only by the task writing chunks: one at a time, each started after the last one's update
        // of {@code queued}, which orders their accesses.
        private Transaction.StreamedObject obj;
        private Throwable failure;
        private long got;
        private boolean done;

        LargeFile(String what, long size, ContentSlots slots, int slot) {
            this.what = what;
            this.size = size;
            this.slots = slots;
            this.slot = slot;
            open.add(this);
        }

        void offer(byte[] chunk) {
            chunks.add(chunk);
            if (queued.getAndIncrement() == 0) {
                execute(this::drain);
            }
        }

        private void drain() {
            do {
                take(chunks.poll());
            } while (queued.decrementAndGet() > 0);
        }

        private void take(byte[] c) {
            if (done) {
                return;
            }
            if (c == END || c == ABORT) {
                if (c == ABORT && failure == null) {
                    failure = new IOException(what + ": content not read to its end");
                }
                end();
                return;
            }
            try {
                if (failure == null) {
                    checkOpen(what);
                    if (obj == null) {
                        obj = tx.stream();
                    }
                    obj.write(c, 0, c.length);
                    got += c.length;
                }
            } catch (Throwable e) {
                failure = notStored(what, e);
            } finally {
                pool.release(c.length);
            }
        }

        private void end() {
            done = true;
            try {
                if (failure == null && got != size) {
                    failure = new IOException(what + ": content cut short");
                }
                if (failure == null) {
                    slots.fill(slot, ContentRef.stored(obj.finish(), size));
                }
            } catch (Throwable e) {
                failure = notStored(what, e);
            } finally {
                discard();
            }
            if (failure != null) {
                slots.fail(failure);
            }
        }

        /** Closes the object (dropping it unless finished); the temporary file goes with the staging directory anyway. */
        void discard() {
            open.remove(this);
            if (obj != null) {
                try {
                    obj.close();
                } catch (IOException ignored) {
                    // removed with the staging directory
                }
            }
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
     * Waits until no task of this pipeline is running or queued, so that nothing writes into the transaction's
     * staging directory after this returns (a failed run then removes it whole); tasks still queued only
     * give their bytes back to the budget.
     */
    @Override
    public void close() {
        closed = true;
        boolean interrupted = false;
        synchronized (running) {
            while (running.get() > 0) {
                try {
                    running.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        // Files whose parser stopped without a last chunk: nothing will write them any more.
        for (LargeFile f : open) {
            f.discard();
        }
        if (ownsPool) {
            pool.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
