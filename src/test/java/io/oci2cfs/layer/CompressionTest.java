package io.oci2cfs.layer;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompressionTest {

    /** A tar with incompressible content, so that compressed halves are of real size. */
    private static byte[] sampleTar() throws IOException {
        byte[] big = new byte[300_000];
        new Random(42).nextBytes(big);
        return Tars.tar(out -> {
            Tars.file(out, "one", "first member");
            Tars.file(out, "random", big);
            Tars.file(out, "two", "last member");
        });
    }

    /** Like a pipe or socket: reads return few bytes and available() says nothing is buffered. */
    private static InputStream trickle(byte[] data) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1000));
            }

            @Override
            public int available() {
                return 0;
            }
        };
    }

    private static void assertFullyRead(Tars.Result r, byte[] tar, byte[] blob, Compression compression)
            throws Exception {
        assertThat(r.entries()).extracting(Tars.Read::path).containsExactly("one", "random", "two");
        assertThat(r.get("two").content()).isEqualTo(Tars.bytes("last member"));
        assertThat(r.digests().compression()).isEqualTo(compression);
        assertThat(r.digests().diffId()).isEqualTo(Tars.sha256(tar));
        assertThat(r.digests().tarSize()).isEqualTo(tar.length);
        assertThat(r.digests().blobSize()).isEqualTo(blob.length);
    }

    @Test
    void decompressingAheadReadsWhatInlineDecompressionReads() throws Exception {
        byte[] tar = sampleTar();
        byte[] gz = Tars.filter(tar, "gzip", "-c", "-n");
        byte[] zst = Zstd.compress(tar, 3);
        assertFullyRead(Tars.read(trickle(gz), true), tar, gz, Compression.GZIP);
        assertFullyRead(Tars.read(trickle(zst), true), tar, zst, Compression.ZSTD);
        byte[] cut = Arrays.copyOf(gz, gz.length - 100);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Tars.read(trickle(cut), true))
                .isInstanceOf(IOException.class).hasMessageContaining("random");
    }

    @Test
    void gzipCliOutput() throws Exception {
        byte[] tar = sampleTar();
        byte[] gz = Tars.filter(tar, "gzip", "-c", "-n");
        assertFullyRead(Tars.read(trickle(gz)), tar, gz, Compression.GZIP);
    }

    @Test
    void multiMemberGzipOverAStreamWithoutAvailable() throws Exception {
        // java.util.zip.GZIPInputStream (JDK 17) stops after the first member here, dropping "two".
        byte[] tar = sampleTar();
        int cut = 100_000;
        byte[] first = Tars.filter(Arrays.copyOfRange(tar, 0, cut), "gzip", "-c");
        byte[] second = Tars.filter(Arrays.copyOfRange(tar, cut, tar.length), "gzip", "-c");
        byte[] gz = concat(first, second);
        assertFullyRead(Tars.read(trickle(gz)), tar, gz, Compression.GZIP);
    }

    @Test
    void zstdCliOutput() throws Exception {
        byte[] tar = sampleTar();
        byte[] zst = Tars.filter(tar, "zstd", "-c", "-q");
        assertFullyRead(Tars.read(trickle(zst)), tar, zst, Compression.ZSTD);
    }

    @Test
    void zstdFramesWithSkippableFramesBetweenAndFirst() throws Exception {
        byte[] tar = sampleTar();
        int cut = 150_000;
        byte[] zst = concat(skippableFrame(0x184D2A50, Tars.bytes("{\"manifest\":1}")),
                Zstd.compress(Arrays.copyOfRange(tar, 0, cut)),
                skippableFrame(0x184D2A5E, new byte[] {1, 2, 3}),
                Zstd.compress(Arrays.copyOfRange(tar, cut, tar.length)),
                skippableFrame(0x184D2A5F, new byte[40]));
        assertThat(Compression.detect(zst, zst.length)).isEqualTo(Compression.ZSTD);
        assertFullyRead(Tars.read(trickle(zst)), tar, zst, Compression.ZSTD);
    }

    @Test
    void detectsFromBytesNotNames() {
        assertThat(Compression.detect(new byte[] {0x1f, (byte) 0x8b, 8}, 3)).isEqualTo(Compression.GZIP);
        assertThat(Compression.detect(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, 4)).isEqualTo(Compression.ZSTD);
        assertThat(Compression.detect(Tars.bytes("etc/passwd"), 10)).isEqualTo(Compression.NONE);
        assertThat(Compression.detect(new byte[] {0x1f}, 1)).isEqualTo(Compression.NONE);
    }

    /** RFC 8878 section 3.1.2: 4-byte magic 0x184D2A5?, 4-byte little-endian size, user data. */
    private static byte[] skippableFrame(int magic, byte[] data) {
        return ByteBuffer.allocate(8 + data.length).order(ByteOrder.LITTLE_ENDIAN).putInt(magic).putInt(data.length)
                .put(data).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
