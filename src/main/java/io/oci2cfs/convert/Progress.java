package io.oci2cfs.convert;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The progress display on stderr, only used on a terminal: a bar per layer being read (bytes of the blob's
 * known size, rate, time left) and a total line, redrawn at most ten times a second.
 */
class Progress {
    static final Progress NONE = new Progress();

    /** A layer blob of {@code size} bytes (-1 when unknown) starts to be read. */
    void layerStarted(String key, long size) {
    }

    /** {@code data}, counted as it is read. */
    InputStream track(String key, InputStream data) {
        return data;
    }

    void finish() {
    }

    static Progress start(String source) {
        return new Live(source, System.err);
    }

    private static final class Live extends Progress {
        private static final long REDRAW_NANOS = 100_000_000L;
        private static final int MAX_BARS = 8;
        private static final int BAR_WIDTH = 24;

        private static final class Layer {
            final String key;
            final long size;
            final long start = System.nanoTime();
            long done;
            boolean finished;

            Layer(String key, long size) {
                this.key = key;
                this.size = size;
            }
        }

        private final String source;
        private final PrintStream err;
        private final Map<String, Layer> layers = new LinkedHashMap<>();
        private final long start = System.nanoTime();
        private long lastDraw;
        private int linesDrawn;
        private boolean done;

        Live(String source, PrintStream err) {
            this.source = source;
            this.err = err;
            draw(true);
        }

        @Override
        synchronized void layerStarted(String key, long size) {
            layers.putIfAbsent(key, new Layer(key, size));
            draw(true);
        }

        @Override
        InputStream track(String key, InputStream data) {
            return new FilterInputStream(data) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    counted(key, b < 0 ? -1 : 1);
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    counted(key, n);
                    return n;
                }
            };
        }

        private synchronized void counted(String key, int n) {
            Layer l = layers.get(key);
            if (l == null) {
                return;
            }
            if (n < 0) {
                l.finished = true;
            } else {
                l.done += n;
            }
            draw(n < 0);
        }

        @Override
        synchronized void finish() {
            if (!done) {
                done = true;
                clear();
                err.flush();
            }
        }

        private void clear() {
            if (linesDrawn > 0) {
                err.print("\033[" + linesDrawn + "F\033[J");
                linesDrawn = 0;
            }
        }

        private void draw(boolean force) {
            long now = System.nanoTime();
            if (done || (!force && now - lastDraw < REDRAW_NANOS)) {
                return;
            }
            lastDraw = now;
            List<String> lines = new ArrayList<>();
            long total = 0;
            long totalSize = 0;
            int finished = 0;
            for (Layer l : layers.values()) {
                total += l.done;
                totalSize += Math.max(l.size, l.done);
                if (l.finished || (l.size >= 0 && l.done >= l.size)) {
                    finished++;
                } else if (lines.size() < MAX_BARS) {
                    lines.add(line(shortKey(l.key), l.done, l.size, l.start, now));
                }
            }
            double secs = (now - start) / 1e9;
            String head = layers.isEmpty() ? source + ": reading (" + String.format("%.1fs", secs) + ")"
                    : line("total", total, totalSize, start, now) + String.format("  %d/%d layers  %.1fs", finished,
                            layers.size(), secs);
            lines.add(0, head);
            clear();
            StringBuilder b = new StringBuilder();
            for (String s : lines) {
                b.append("\r\033[K").append(s).append('\n');
            }
            err.print(b);
            err.flush();
            linesDrawn = lines.size();
        }

        private static String shortKey(String key) {
            String k = key.startsWith("blobs/sha256/") ? key.substring("blobs/sha256/".length()) : key;
            return k.length() > 12 ? k.substring(0, 12) : k;
        }

        private static String line(String name, long done, long size, long startNanos, long now) {
            double secs = Math.max((now - startNanos) / 1e9, 1e-3);
            double rate = done / secs;
            StringBuilder b = new StringBuilder(String.format("%-12s ", name));
            if (size > 0) {
                int filled = (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / size);
                b.append('[').append("=".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled)).append("] ");
                b.append(String.format("%9s / %-9s %9s/s", bytes(done), bytes(size), bytes((long) rate)));
                if (rate > 0 && done < size) {
                    b.append(String.format("  ETA %.0fs", (size - done) / rate));
                }
            } else {
                b.append(String.format("%9s %9s/s", bytes(done), bytes((long) rate)));
            }
            return b.toString();
        }

        private static String bytes(long n) {
            if (n < 1024) {
                return n + " B";
            }
            double v = n;
            String[] units = {"KiB", "MiB", "GiB", "TiB"};
            int u = -1;
            while (v >= 1024 && u < units.length - 1) {
                v /= 1024;
                u++;
            }
            return String.format("%.1f %s", v, units[u]);
        }
    }
}
