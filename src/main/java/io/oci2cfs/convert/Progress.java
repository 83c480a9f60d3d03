package io.oci2cfs.convert;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;

/** A one-line progress display on stderr, redrawn while layers stream in; only used on a terminal. */
class Progress {
    static final Progress NONE = new Progress();

    void layerStarted(String key) {
    }

    void finish() {
    }

    static Progress start(String source) {
        return new Live(source, System.err);
    }

    private static final class Live extends Progress {
        private final String source;
        private final PrintStream err;
        private final AtomicInteger layers = new AtomicInteger();
        private final long start = System.nanoTime();
        private volatile boolean done;

        Live(String source, PrintStream err) {
            this.source = source;
            this.err = err;
            draw("reading");
        }

        @Override
        void layerStarted(String key) {
            int n = layers.incrementAndGet();
            String shortKey = key.length() > 24 ? key.substring(0, 24) + "..." : key;
            draw("layer " + n + " " + shortKey);
        }

        @Override
        synchronized void finish() {
            if (!done) {
                done = true;
                err.print("\r\033[K");
                err.flush();
            }
        }

        private synchronized void draw(String what) {
            if (!done) {
                double secs = (System.nanoTime() - start) / 1e9;
                err.printf("\r\033[K%s: %s (%.1fs)", source, what, secs);
                err.flush();
            }
        }
    }
}
