package io.oci2cfs.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Undoes gzip or zstd around a whole archive, recognised by magic number as layers are
 * ({@link io.oci2cfs.layer.Compression}); {@code docker load} accepts compressed {@code docker save} output,
 * so a reader of that format should too.
 */
final class Compression {
    private Compression() {
    }

    static InputStream decompress(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 65536);
        in.mark(io.oci2cfs.layer.Compression.MAGIC_LENGTH);
        byte[] magic = in.readNBytes(io.oci2cfs.layer.Compression.MAGIC_LENGTH);
        in.reset();
        return io.oci2cfs.layer.Compression.detect(magic, magic.length).decompress(in);
    }
}
