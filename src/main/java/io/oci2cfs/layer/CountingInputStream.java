package io.oci2cfs.layer;

import java.io.IOException;
import java.io.InputStream;

/** Counts every byte read through it, skipped ones included; {@link #drain()} consumes the rest of the stream. */
class CountingInputStream extends ReadThroughInputStream {
    private long count;

    CountingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            passed(b, off, n);
            count += n;
        }
        return n;
    }

    /** Sees the {@code n} bytes just read into {@code b} at {@code off}; a subclass may digest them. */
    void passed(byte[] b, int off, int n) {
    }

    /** Reads to the end of the stream; returns how many bytes that took. */
    public long drain() throws IOException {
        long before = count;
        while (skip(Long.MAX_VALUE) > 0) {
            // counting as we go
        }
        return count - before;
    }

    public long count() {
        return count;
    }
}
