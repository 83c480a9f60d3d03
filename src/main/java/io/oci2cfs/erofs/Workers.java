package io.oci2cfs.erofs;

import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The worker pool of the writer's parallel steps: the caller's, sized by its {@code --threads}. A count equal
 * to the CPUs uses the common pool (the caller's thread works in it too, and no threads are started for a
 * one-shot run); any other count gets a pool of its own for the one write.
 */
final class Workers implements AutoCloseable {
    private final ForkJoinPool pool;
    private final boolean owned;

    private Workers(ForkJoinPool pool, boolean owned) {
        this.pool = pool;
        this.owned = owned;
    }

    static Workers of(ForkJoinPool pool) {
        return new Workers(pool, false);
    }

    static Workers threads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (threads == Runtime.getRuntime().availableProcessors()) {
            return new Workers(ForkJoinPool.commonPool(), false);
        }
        return new Workers(threads == 1 ? null : new ForkJoinPool(threads), true);
    }

    private boolean sequential() {
        return pool == null || pool.getParallelism() <= 1 && pool != ForkJoinPool.commonPool();
    }

    /** How many threads work at once: the pool's, and the caller's thread in the common pool. */
    int parallelism() {
        if (pool == null) {
            return 1;
        }
        return pool == ForkJoinPool.commonPool() ? pool.getParallelism() + 1 : pool.getParallelism();
    }

    /** Runs {@code body} for every index in [from, to); each index must touch only its own slots. */
    void forEach(int from, int to, IntConsumer body) {
        if (to - from <= 1 || sequential()) {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        } else {
            inPool(() -> IntStream.range(from, to).parallel().forEach(body));
        }
    }

    <T> void sort(T[] a, Comparator<? super T> order) {
        if (sequential()) {
            Arrays.sort(a, order);
        } else {
            inPool(() -> Arrays.parallelSort(a, order));
        }
    }

    /** Parallel streams and sorts run in the pool of the task that starts them, else in the common pool. */
    private void inPool(Runnable r) {
        if (pool == ForkJoinPool.commonPool() || ForkJoinTask.getPool() == pool) {
            r.run();
        } else {
            pool.submit(r).join();
        }
    }

    @Override
    public void close() {
        if (owned && pool != null) {
            pool.shutdown();
        }
    }
}
