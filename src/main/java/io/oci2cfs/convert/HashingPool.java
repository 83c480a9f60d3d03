package io.oci2cfs.convert;

import java.io.InterruptedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The hashing workers and the byte budget of file content in flight to them, shared by every conversion
 * given the same pool: a batch converting many images at once stays within one budget and keeps one worker
 * per core, whatever the number of images.
 *
 * <p>The workers are a fixed pool seen by Reactor as a {@link Scheduler}: work goes to whichever worker is
 * free (a parallel scheduler would pin each task to one worker in turn, so small files could queue behind a
 * large one while another worker idles). Workers never wait for a parser, so any number of parsers may share
 * the pool without one stalling another.
 */
public final class HashingPool implements AutoCloseable {
    private final ExecutorService executor;
    private final Scheduler scheduler;
    private final Semaphore budget;
    private final int budgetBytes;
    private final int threads;

    public HashingPool(int threads, long memoryBudget) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "oci2cfs-hash-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.scheduler = Schedulers.fromExecutorService(executor, "oci2cfs-hash");
        this.budgetBytes = (int) Math.max(2L * ContentPipeline.CHUNK, Math.min(Integer.MAX_VALUE, memoryBudget));
        this.budget = new Semaphore(budgetBytes);
    }

    public int threads() {
        return threads;
    }

    /** Bytes of content that may be in flight at once. */
    public int budgetBytes() {
        return budgetBytes;
    }

    /**
     * Members of one layer in flight at once (being hashed, or hashed and waiting for those before them):
     * the demand a layer's parser sees. Enough that every worker has work whatever the mix of sizes; the
     * bytes they hold are bounded by the budget, not by this.
     */
    int capacity() {
        return Math.max(4 * threads, budgetBytes / ContentPipeline.CHUNK);
    }

    Scheduler scheduler() {
        return scheduler;
    }

    /** Bytes taken from the budget and not yet given back. */
    long inFlight() {
        return budgetBytes - budget.availablePermits();
    }

    void execute(Runnable task) {
        executor.execute(task);
    }

    void acquire(int n) throws InterruptedIOException {
        try {
            budget.acquire(n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for hashing workers");
        }
    }

    void release(int n) {
        budget.release(n);
    }

    /** Stops the workers once the tasks given to them are done. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
