package io.oci2cfs.batch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What became of one job.
 *
 * @param error one line, for a failed job; null otherwise
 * @param manifestDigest the digest naming what was converted (see {@link io.oci2cfs.convert.ConvertResult}),
 *     null when the source has none or it was not reached
 * @param imageDigest the image's fs-verity digest, lowercase hex
 * @param bytesNew bytes of the objects this job added to the store
 * @param bytesWritten object bytes this job wrote (more than {@code bytesNew} when jobs running at once stage
 *     the same content, or an upper layer deletes a file)
 * @param bytesReused bytes of the objects the store already held
 * @param bytesRead layer blob bytes read
 */
public record JobResult(Job job, Status status, String error, String manifestDigest, String imageDigest,
        long files, long objectsNew, long objectsReused, long bytesNew, long bytesWritten, long bytesReused,
        long bytesRead,
        double seconds) {
    public enum Status {
        CONVERTED, SKIPPED, FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean failed() {
        return status == Status.FAILED;
    }

    /** {@code failed: ERROR}, with the source first unless the error names it already. */
    public String failureLine() {
        return "failed: " + (error != null && error.startsWith(job.source()) ? error : job.source() + ": " + error);
    }

    static JobResult failed(Job job, String error, double seconds) {
        return new JobResult(job, Status.FAILED, error, null, null, 0, 0, 0, 0, 0, 0, 0, seconds);
    }

    /** The report line's fields, in the documented order. */
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", job.source());
        m.put("image", job.image().toString());
        m.put("status", status.label());
        m.put("error", error);
        m.put("manifestDigest", manifestDigest);
        m.put("imageDigest", imageDigest);
        m.put("files", files);
        m.put("objectsNew", objectsNew);
        m.put("objectsReused", objectsReused);
        m.put("bytesNew", bytesNew);
        m.put("bytesWritten", bytesWritten);
        m.put("bytesReused", bytesReused);
        m.put("seconds", Math.round(seconds * 1000) / 1000.0);
        return m;
    }
}
