package io.oci2cfs.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Digests and counts the bytes read through it; {@link #finish()} drains what the reader left. */
final class HashingInputStream extends FilterInputStream {
    private final MessageDigest md;
    private long count;

    HashingInputStream(InputStream in, MessageDigest md) {
        super(in);
        this.md = md;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            md.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = in.read(buf, off, len);
        if (n > 0) {
            md.update(buf, off, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void close() {
        // the underlying stream belongs to the source (it may be the archive itself)
    }

    /** Reads the rest of the stream and returns the digest and size of everything. */
    Hashed finish() throws IOException {
        byte[] buf = new byte[65536];
        while (read(buf, 0, buf.length) >= 0) {
            // drain
        }
        return new Hashed(Digest.of(md), count);
    }

    record Hashed(Digest digest, long size) {
    }
}
