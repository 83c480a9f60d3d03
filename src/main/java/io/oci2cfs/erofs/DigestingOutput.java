package io.oci2cfs.erofs;

import io.oci2cfs.fsverity.FsVerityHasher;
import java.io.IOException;
import java.io.OutputStream;

/** Passes bytes through while counting them and computing their fs-verity digest. */
final class DigestingOutput {
    private static final byte[] ZEROS = new byte[ErofsWriter.BLOCK];

    private final OutputStream out;
    private final FsVerityHasher hasher = new FsVerityHasher();
    private long written;

    DigestingOutput(OutputStream out) {
        this.out = out;
    }

    void write(byte[] b) throws IOException {
        out.write(b);
        hasher.update(b, 0, b.length);
        written += b.length;
    }

    void zeros(long n) throws IOException {
        if (n < 0) {
            throw new IllegalStateException("layout overlap: " + n + " bytes back at " + written);
        }
        while (n > 0) {
            int k = (int) Math.min(n, ZEROS.length);
            out.write(ZEROS, 0, k);
            hasher.update(ZEROS, 0, k);
            written += k;
            n -= k;
        }
    }

    long written() {
        return written;
    }

    byte[] digest() {
        return hasher.digest();
    }
}
