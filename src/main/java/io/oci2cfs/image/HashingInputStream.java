package io.oci2cfs.image;

import io.oci2cfs.layer.DigestingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Digests and counts the bytes a consumer reads of a blob ({@link DigestingInputStream}), leaving the
 * underlying stream open because it may be the archive itself; {@link #finish()} drains what the reader left.
 */
final class HashingInputStream extends java.io.FilterInputStream {
    private final DigestingInputStream digesting;

    HashingInputStream(InputStream in, MessageDigest md) {
        this(new DigestingInputStream(in, md));
    }

    private HashingInputStream(DigestingInputStream digesting) {
        super(digesting);
        this.digesting = digesting;
    }

    @Override
    public void close() {
        // the underlying stream belongs to the source (it may be the archive itself)
    }

    /** Reads the rest of the stream and returns the digest and size of everything. */
    Hashed finish() throws IOException {
        digesting.drain();
        return new Hashed(Digest.of(digesting.messageDigest()), digesting.count());
    }

    record Hashed(Digest digest, long size) {
    }
}
