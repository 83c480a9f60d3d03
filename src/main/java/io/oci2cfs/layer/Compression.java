package io.oci2cfs.layer;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** The compression of a layer blob, as told by its first bytes rather than by its media type. */
public enum Compression {
    NONE,
    GZIP,
    ZSTD;

    /** Enough leading bytes for {@link #detect}. */
    public static final int MAGIC_LENGTH = 6;

    public static Compression detect(byte[] head, int length) {
        if (length >= 2 && u(head[0]) == 0x1f && u(head[1]) == 0x8b) {
            return GZIP;
        }
        if (length >= 4 && u(head[1]) == 0xb5 && u(head[2]) == 0x2f && u(head[3]) == 0xfd && u(head[0]) == 0x28) {
            return ZSTD;
        }
        // A zstd stream may open with a skippable frame (magic 0x184D2A50..5F, little-endian), which is
        // where zstd:chunked-style writers put their metadata.
        if (length >= 4 && (u(head[0]) & 0xf0) == 0x50 && u(head[1]) == 0x2a && u(head[2]) == 0x4d
                && u(head[3]) == 0x18) {
            return ZSTD;
        }
        return NONE;
    }

    /** Refuses compressions that look real but that OCI layers do not use, so they do not parse as tar garbage. */
    static String unsupported(byte[] head, int length) {
        if (length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            return "bzip2";
        }
        if (length >= 6 && u(head[0]) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
                && head[4] == 'Z' && head[5] == 0) {
            return "xz";
        }
        return null;
    }

    /** Wraps {@code in} to yield the uncompressed bytes of every member/frame up to the end of {@code in}. */
    public InputStream decompress(InputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            // Not java.util.zip.GZIPInputStream: in JDK 17 it only looks for a further member when
            // in.available() > 0, so on a pipe or socket it silently stops after the first member.
            case GZIP -> GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
            // Decodes consecutive frames and steps over skippable frames (RFC 8878 section 3.1.2).
            case ZSTD -> new ZstdInputStreamNoFinalizer(in);
        };
    }

    private static int u(byte b) {
        return b & 0xff;
    }
}
