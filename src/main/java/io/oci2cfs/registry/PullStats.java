package io.oci2cfs.registry;

import io.oci2cfs.image.Digest;
import java.util.concurrent.atomic.AtomicLong;

/** What a pull cost, counted as it runs: bytes received, requests tried again, blobs resumed. */
final class PullStats {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong resumes = new AtomicLong();
    private volatile Digest manifestDigest;

    void received(int n) {
        bytes.addAndGet(n);
    }

    void retried() {
        retries.incrementAndGet();
    }

    void resumed() {
        resumes.incrementAndGet();
    }

    void manifest(Digest d) {
        manifestDigest = d;
    }

    PullReport report() {
        return new PullReport(manifestDigest, bytes.get(), retries.get(), resumes.get());
    }
}
