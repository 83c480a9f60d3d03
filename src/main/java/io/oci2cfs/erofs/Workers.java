package io.oci2cfs.erofs;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Runs the writer's per-inode loops on the caller's worker pool. */
final class Workers {
    private final ForkJoinPool pool;

    Workers(ForkJoinPool pool) {
        this.pool = pool;
    }

    /** Runs {@code body} for every index in [from, to); each index must touch only its own slots. */
    void forEach(int from, int to, IntConsumer body) {
        if (to - from <= 1 || pool.getParallelism() <= 1) {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        } else if (java.util.concurrent.ForkJoinTask.getPool() == pool || pool == ForkJoinPool.commonPool()) {
            IntStream.range(from, to).parallel().forEach(body);
        } else {
            // A parallel stream runs in the pool of the task that starts it.
            pool.submit(() -> IntStream.range(from, to).parallel().forEach(body)).join();
        }
    }
}
