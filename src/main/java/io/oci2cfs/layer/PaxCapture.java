package io.oci2cfs.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Sits under the tar parser and keeps a copy of the PAX header data it reads, once {@link #arm} has said how
 * many of the next bytes are such data. Also remembers whether the source has ended.
 */
final class PaxCapture extends ReadThroughInputStream {
    /** The data of one PAX header record: {@code global} for type {@code g}, else a local {@code x}. */
    record Captured(boolean global, byte[] data) {
    }

    private final List<Captured> done = new ArrayList<>();
    private ByteArrayOutputStream current;
    private boolean currentGlobal;
    private long remaining;
    private boolean ended;

    PaxCapture(InputStream in) {
        super(in);
    }

    void arm(long length, boolean global) {
        finishCurrent();
        current = new ByteArrayOutputStream((int) Math.min(length, 1 << 16));
        currentGlobal = global;
        remaining = length;
        finishIfComplete();
    }

    /** The PAX data captured since the last call, in stream order. */
    List<Captured> take() {
        finishCurrent();
        List<Captured> out = List.copyOf(done);
        done.clear();
        return out;
    }

    boolean ended() {
        return ended;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            ended = true;
        } else if (remaining > 0) {
            int keep = (int) Math.min(n, remaining);
            current.write(b, off, keep);
            remaining -= keep;
            finishIfComplete();
        }
        return n;
    }

    private void finishIfComplete() {
        if (remaining == 0) {
            finishCurrent();
        }
    }

    private void finishCurrent() {
        if (current != null) {
            done.add(new Captured(currentGlobal, current.toByteArray()));
            current = null;
        }
    }
}
