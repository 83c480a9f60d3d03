package io.oci2cfs.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects results as jobs end: writes one JSON line per job in job order (a line as soon as every job before
 * it has ended), and adds up the totals of the summary line.
 */
public final class BatchReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Job> order;
    private final PrintStream out;
    private final Map<Integer, JobResult> waiting = new HashMap<>();
    private final long start = System.nanoTime();
    private int next;
    private int converted;
    private int skipped;
    private int failed;
    private long bytesNew;
    private long bytesReused;

    /** {@code out} may be null: totals only. */
    public BatchReport(List<Job> order, PrintStream out) {
        this.order = List.copyOf(order);
        this.out = out;
    }

    public synchronized void add(JobResult r) {
        switch (r.status()) {
            case CONVERTED -> converted++;
            case SKIPPED -> skipped++;
            case FAILED -> failed++;
        }
        bytesNew += r.bytesNew();
        bytesReused += r.bytesReused();
        waiting.put(r.job().position(), r);
        while (next < order.size() && waiting.containsKey(order.get(next).position())) {
            write(waiting.remove(order.get(next++).position()));
        }
    }

    private void write(JobResult r) {
        if (out == null) {
            return;
        }
        try {
            out.println(JSON.writeValueAsString(r.fields()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    public synchronized int failed() {
        return failed;
    }

    /** Jobs that never ran (stopped by --fail-fast). */
    public synchronized int notStarted() {
        return order.size() - converted - skipped - failed;
    }

    /** {@code batch: 3 converted, 1 skipped, 0 failed, 12.3 MB new, 4.5 MB reused, 6.7 s}. */
    public synchronized String summary() {
        int notRun = notStarted();
        return String.format("batch: %d converted, %d skipped, %d failed%s, %s new, %s reused, %.1f s", converted,
                skipped, failed, notRun > 0 ? ", " + notRun + " not started" : "", megabytes(bytesNew),
                megabytes(bytesReused), (System.nanoTime() - start) / 1e9);
    }

    static String megabytes(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}
