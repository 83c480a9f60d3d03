package io.oci2cfs.layer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Computes the SHA-256 and length of every byte read through it. {@link #skip} reads the skipped bytes so
 * they are digested too, and {@link #drain()} consumes the rest of the stream.
 */
public final class DigestingInputStream extends FilterInputStream {
    private final MessageDigest sha256;
    private final byte[] skipBuffer = new byte[8192];
    private long count;
    private boolean eof;

    public DigestingInputStream(InputStream in) {
        super(in);
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            eof = true;
        } else {
            sha256.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            eof = true;
        } else {
            sha256.update(b, off, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            int r = read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - skipped));
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

    /** Reads to the end of the stream; returns how many bytes that took. */
    public long drain() throws IOException {
        long before = count;
        while (read(skipBuffer, 0, skipBuffer.length) >= 0) {
            // digesting as we go
        }
        return count - before;
    }

    /** Whether a read has returned end of stream. */
    public boolean atEnd() {
        return eof;
    }

    public long count() {
        return count;
    }

    /** The digest in OCI form, {@code sha256:<64 hex>}; call once, after the stream is fully read. */
    public String digest() {
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }
}
