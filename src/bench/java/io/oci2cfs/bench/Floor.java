package io.oci2cfs.bench;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The decompression floor, run as a child JVM by {@link BenchMain}: decompresses each blob in turn to
 * nowhere and prints {@code inproc_ns=N bytes=M} (time without JVM start).
 *
 * <p>{@code java io.oci2cfs.bench.Floor jdk|commons BLOB...}
 */
public final class Floor {
    private Floor() {
    }

    public static void main(String[] args) throws IOException {
        long t0 = System.nanoTime();
        long total = 0;
        byte[] buf = new byte[1 << 16];
        for (int i = 1; i < args.length; i++) {
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(Path.of(args[i])), 1 << 16);
                    InputStream in = open(args[0], raw)) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    total += n;
                }
            }
        }
        System.out.println("inproc_ns=" + (System.nanoTime() - t0) + " bytes=" + total);
    }

    /** {@code jdk}: GZIPInputStream for gzip; {@code commons}: commons-compress for gzip, as oci2cfs reads it. */
    static InputStream open(String kind, InputStream raw) throws IOException {
        raw.mark(4);
        byte[] h = raw.readNBytes(4);
        raw.reset();
        if (h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) {
            return switch (kind) {
                case "jdk" -> new GZIPInputStream(raw, 1 << 16);
                case "commons" -> GzipCompressorInputStream.builder().setInputStream(raw)
                        .setDecompressConcatenated(true).get();
                default -> throw new IllegalArgumentException("unknown floor " + kind);
            };
        }
        if (h.length >= 4 && (h[0] & 0xff) == 0x28 && (h[1] & 0xff) == 0xb5) {
            return new ZstdInputStreamNoFinalizer(raw);
        }
        return raw;
    }
}
