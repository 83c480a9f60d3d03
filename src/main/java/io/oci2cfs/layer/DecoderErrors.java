package io.oci2cfs.layer;

import java.io.IOException;
import java.io.InputStream;

/**
 * Marks what a decompressor throws, so that the tar parser above it does not take the blame: a damaged
 * deflate or zstd stream is reported as bad compressed data, not as bad tar data.
 */
final class DecoderErrors extends ReadThroughInputStream {
    /** A failure of the decompressor itself, named by {@link #what}. */
    static final class Failure extends IOException {
        private final String what;

        Failure(Compression compression, IOException cause) {
            super(reason(cause), cause);
            this.what = "bad " + compression + " data";
        }

        /** "bad GZIP data", say. */
        String what() {
            return what;
        }
    }

    private final Compression compression;

    DecoderErrors(InputStream decoder, Compression compression) {
        super(decoder);
        this.compression = compression;
    }

    /** A decoder's message, which is null for some of its errors. */
    static String reason(IOException e) {
        return e.getMessage() != null ? e.getMessage()
                : e instanceof java.io.EOFException ? "unexpected end of the stream" : e.getClass().getSimpleName();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return in.read(b, off, len);
        } catch (Failure e) {
            throw e;
        } catch (IOException e) {
            throw new Failure(compression, e);
        }
    }

    /** The decoder's failure in {@code e}'s causes, or null. */
    static Failure in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Failure f) {
                return f;
            }
        }
        return null;
    }
}
