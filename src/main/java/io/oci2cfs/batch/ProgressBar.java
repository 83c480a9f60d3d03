package io.oci2cfs.batch;

import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The batch's display on a terminal: one overall bar (jobs done of all, bytes read) and the jobs running,
 * redrawn in place on stderr as jobs start and end. Failed jobs are printed above it as they fail.
 */
public final class ProgressBar implements BatchOptions.Listener {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final int total;
    private final Set<String> running = new LinkedHashSet<>();
    private int done;
    private long bytes;
    private int lines;

    public ProgressBar(PrintStream err, int total) {
        this.err = err;
        this.total = total;
    }

    @Override
    public synchronized void started(Job job) {
        running.add(job.source());
        draw();
    }

    @Override
    public synchronized void finished(JobResult r) {
        running.remove(r.job().source());
        done++;
        bytes += r.bytesRead();
        if (r.failed()) {
            clear();
            err.println(r.failureLine());
        }
        draw();
    }

    /** Removes the display. */
    public synchronized void close() {
        clear();
        err.flush();
    }

    private void clear() {
        for (int i = 0; i < lines; i++) {
            err.print("\033[1A\033[2K");
        }
        err.print("\r\033[2K");
        lines = 0;
    }

    private void draw() {
        clear();
        int filled = total == 0 ? WIDTH : done * WIDTH / total;
        StringBuilder b = new StringBuilder("[").append("#".repeat(filled)).append(".".repeat(WIDTH - filled))
                .append(String.format("] %d/%d jobs, %s read", done, total, BatchReport.megabytes(bytes)));
        for (String s : running) {
            b.append("\n  ").append(s.length() > 70 ? "..." + s.substring(s.length() - 67) : s);
            lines++;
        }
        err.print(b);
        err.flush();
    }
}
