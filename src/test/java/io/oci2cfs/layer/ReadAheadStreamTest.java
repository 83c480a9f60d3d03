package io.oci2cfs.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ReadAheadStreamTest {
    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void yieldsTheSourceBytesWhateverTheChunking() throws IOException {
        for (int size : new int[] {0, 1, 4095, 4096, 4097, 100_000}) {
            byte[] data = random(size);
            try (InputStream in = new ReadAheadStream(new ByteArrayInputStream(data), 4096, 3, "t")) {
                assertThat(in.readAllBytes()).as("size %d", size).isEqualTo(data);
                assertThat(in.read()).isEqualTo(-1);
            }
        }
    }

    /** A source that yields {@code good} bytes in small reads, then fails with {@code failure}. */
    private static InputStream failingAfter(byte[] good, IOException failure) {
        return new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos == good.length) {
                    throw failure;
                }
                int n = Math.min(Math.min(len, 1000), good.length - pos);
                System.arraycopy(good, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    @Test
    void aTruncatedSourceGivesItsBytesThenTheEofError() throws IOException {
        byte[] good = random(10_500);
        EOFException cut = new EOFException("Truncated GZIP stream");
        InputStream in = new ReadAheadStream(failingAfter(good, cut), 4096, 2, "t");
        byte[] got = in.readNBytes(good.length);
        assertThat(got).isEqualTo(good);
        assertThatThrownBy(in::read).isSameAs(cut);
        in.close();
    }

    @Test
    void otherFailuresComeAfterTheBytesToo() throws IOException {
        byte[] good = random(3000);
        IOException bad = new IOException("invalid block type");
        InputStream in = new ReadAheadStream(failingAfter(good, bad), 4096, 2, "t");
        assertThat(in.readNBytes(good.length)).isEqualTo(good);
        assertThatThrownBy(() -> in.read(new byte[10], 0, 10)).isSameAs(bad);
        in.close();
    }

    @Test
    void closingEarlyStopsTheThreadAndClosesTheSource() throws Exception {
        AtomicBoolean sourceClosed = new AtomicBoolean();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 7;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 7);
                return len;
            }

            @Override
            public void close() {
                sourceClosed.set(true);
            }
        };
        ReadAheadStream in = new ReadAheadStream(endless, 1024, 2, "read-ahead-under-test");
        assertThat(in.read()).isEqualTo(7);
        in.close();
        assertThat(sourceClosed).isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("read-ahead-under-test"));
    }
}
