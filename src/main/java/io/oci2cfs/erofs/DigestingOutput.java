package io.oci2cfs.erofs;

import io.oci2cfs.fsverity.FsVerityHasher;
import java.io.IOException;
import java.io.OutputStream;

/** Passes bytes through while counting them and, when asked to, computing their fs-verity digest. */
final class DigestingOutput {
    private static final byte[] ZEROS = new byte[Format.BLOCK];

    private final OutputStream out;
    private final FsVerityHasher hasher;
    private long written;

    DigestingOutput(OutputStream out, boolean digest) {
        this.out = out;
        this.hasher = digest ? new FsVerityHasher() : null;
    }

    void write(byte[] b) throws IOException {
        out.write(b);
        if (hasher != null) {
            hasher.update(b, 0, b.length);
        }
        written += b.length;
    }

    void zeros(long n) throws IOException {
        if (n < 0) {
            throw new IllegalStateException("layout overlap: " + n + " bytes back at " + written);
        }
        while (n > 0) {
            int k = (int) Math.min(n, ZEROS.length);
            out.write(ZEROS, 0, k);
            if (hasher != null) {
                hasher.update(ZEROS, 0, k);
            }
            written += k;
            n -= k;
        }
    }

    long written() {
        return written;
    }

    /** The fs-verity digest of what was written, or null when it was not computed. */
    byte[] digest() {
        return hasher == null ? null : hasher.digest();
    }
}
