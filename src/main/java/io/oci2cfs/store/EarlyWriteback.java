package io.oci2cfs.store;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Syncs the staging filesystem in the background every so many bytes written, so that the disk writes
 * objects while the conversion is still parsing instead of all at once in the commit's final sync.
 *
 * <p>Without this the kernel holds new pages until its dirty limits (a tenth of RAM, or 30 s) and the final
 * {@code syncfs} waits for all of them, a large part of a conversion's time (docs/performance.md). The syncs here only start the writing early; durability still comes from the
 * commit's own sync.
 */
final class EarlyWriteback implements AutoCloseable {
    static final long EVERY = 64L << 20;

    private final Path dir;
    private final AtomicLong pending = new AtomicLong();
    private final Object signal = new Object();
    private final Thread thread;
    private volatile boolean stopped;

    EarlyWriteback(Path dir) {
        this.dir = dir;
        this.thread = new Thread(this::run, "oci2cfs-writeback");
        thread.setDaemon(true);
        thread.start();
    }

    /** Counts bytes just written; past {@link #EVERY} since the last sync, wakes the syncing thread. */
    void written(long bytes) {
        if (pending.addAndGet(bytes) >= EVERY) {
            synchronized (signal) {
                signal.notifyAll();
            }
        }
    }

    private void run() {
        while (!stopped) {
            synchronized (signal) {
                while (!stopped && pending.get() < EVERY) {
                    try {
                        signal.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            if (stopped) {
                return;
            }
            pending.set(0);
            try {
                io.oci2cfs.linux.SyncFs.sync(dir);
            } catch (Exception | LinkageError e) {
                // No syncfs here (or it failed): the commit syncs anyway, so only the overlap is lost.
                return;
            }
        }
    }

    /** Stops the thread and waits for a sync in progress, so nothing of this outlives the transaction. */
    @Override
    public void close() {
        stopped = true;
        synchronized (signal) {
            signal.notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
