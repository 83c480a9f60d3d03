package io.oci2cfs.batch;

import io.oci2cfs.convert.ConvertOptions;
import java.nio.file.Path;

/**
 * How a batch runs.
 *
 * @param objects the object store all jobs share
 * @param jobs images converted at once
 * @param failFast start no job after the first failure (running ones finish)
 * @param force convert even jobs whose image is up to date
 * @param convert the conversion options of every job (a job's own platform and per-layer directory win);
 *     {@code threads} and {@code memoryBudget} size the hashing pool all jobs share
 * @param listener told when jobs start and end (from any thread)
 */
public record BatchOptions(Path objects, int jobs, boolean failFast, boolean force, ConvertOptions convert,
        Listener listener) {
    public BatchOptions {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
        }
        if (listener == null) {
            listener = Listener.NONE;
        }
    }

    /** Images at once that keep the cores busy: one parsing while another waits on the disk. */
    public static int defaultJobs() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    public static BatchOptions defaults(Path objects) {
        return new BatchOptions(objects, defaultJobs(), false, false, ConvertOptions.defaults(), Listener.NONE);
    }

    public BatchOptions withJobs(int n) {
        return new BatchOptions(objects, n, failFast, force, convert, listener);
    }

    public BatchOptions withForce(boolean f) {
        return new BatchOptions(objects, jobs, failFast, f, convert, listener);
    }

    public BatchOptions withFailFast(boolean f) {
        return new BatchOptions(objects, jobs, f, force, convert, listener);
    }

    public BatchOptions withListener(Listener l) {
        return new BatchOptions(objects, jobs, failFast, force, convert, l);
    }

    /** Hears about jobs as they run. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void started(Job job) {
        }

        default void finished(JobResult result) {
        }
    }
}
