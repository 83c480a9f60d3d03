package io.oci2cfs.image;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Reads the blobs of a random-access source on up to N threads of their own, failing with the first error. */
public final class BlobReaders {
    /** Reads one blob; {@code concurrent} tells whether others are being read at the same time. */
    @FunctionalInterface
    public interface Reader<T> {
        void read(T blob, boolean concurrent) throws IOException;
    }

    private BlobReaders() {
    }

    /** Runs {@code reader} over {@code blobs}, on the calling thread when one thread is all there is to use. */
    public static <T> void readAll(Collection<T> blobs, int parallelism, String threadName, Reader<T> reader)
            throws IOException {
        int threads = Math.max(1, Math.min(parallelism, blobs.size()));
        if (threads == 1) {
            for (T b : blobs) {
                reader.read(b, false);
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (T b : blobs) {
                futures.add(pool.submit(() -> {
                    reader.read(b, true);
                    return null;
                }));
            }
            for (Future<Void> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading layers");
        } finally {
            pool.shutdownNow();
        }
    }
}
