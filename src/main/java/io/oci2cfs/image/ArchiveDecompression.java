package io.oci2cfs.image;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Undoes gzip or zstd around a whole archive, recognised by magic number as layers are
 * ({@link io.oci2cfs.layer.Compression}); {@code docker load} accepts compressed {@code docker save} output,
 * so a reader of that format should too.
 */
final class ArchiveDecompression {
    private ArchiveDecompression() {
    }

    /** The archive's tar stream; the decoder's errors are {@link ImageException}s that say they are its. */
    static InputStream decompress(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 65536);
        in.mark(io.oci2cfs.layer.Compression.MAGIC_LENGTH);
        byte[] magic = in.readNBytes(io.oci2cfs.layer.Compression.MAGIC_LENGTH);
        in.reset();
        io.oci2cfs.layer.Compression c = io.oci2cfs.layer.Compression.detect(magic, magic.length);
        if (c == io.oci2cfs.layer.Compression.NONE) {
            return in;
        }
        InputStream decoder;
        try {
            decoder = c.decompress(in);
        } catch (IOException e) {
            throw bad(c, e);
        }
        return new FilterInputStream(decoder) {
            @Override
            public int read() throws IOException {
                try {
                    return in.read();
                } catch (IOException e) {
                    throw bad(c, e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return in.read(b, off, len);
                } catch (IOException e) {
                    throw bad(c, e);
                }
            }
        };
    }

    private static ImageException bad(io.oci2cfs.layer.Compression c, IOException e) {
        // Some decoder errors carry no message (an EOFException for a stream cut inside the gzip header).
        String reason = e.getMessage() != null ? e.getMessage()
                : e instanceof EOFException ? "unexpected end of the stream" : e.getClass().getSimpleName();
        return new ImageException("bad " + c + " data around the archive: " + reason, e);
    }
}
