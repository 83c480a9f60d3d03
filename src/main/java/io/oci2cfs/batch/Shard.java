package io.oci2cfs.batch;

/**
 * The part of a batch one process takes: the jobs whose position is {@code index} modulo {@code count}, so
 * that processes started with {@code 0/N} to {@code N-1/N} (a Kubernetes Indexed Job's
 * {@code JOB_COMPLETION_INDEX}, a Slurm array, GNU parallel) split one JOBS file between them, each job to
 * exactly one, whatever order they run in.
 */
public record Shard(int index, int count) {
    public static final Shard ALL = new Shard(0, 1);

    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + "/" + count
                    + ": need 0 <= K < N (K counts from 0, as JOB_COMPLETION_INDEX does)");
        }
    }

    /** Parses {@code K/N}. */
    public static Shard parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("shard '" + text + "': expected K/N, e.g. 0/4");
        }
        try {
            return new Shard(Integer.parseInt(text.substring(0, slash).trim()),
                    Integer.parseInt(text.substring(slash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shard '" + text + "': expected K/N with whole numbers, e.g. 0/4");
        }
    }

    public boolean takes(Job job) {
        return job.position() % count == index;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
