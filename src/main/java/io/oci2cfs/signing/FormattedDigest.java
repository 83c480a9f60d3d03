package io.oci2cfs.signing;

import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.fsverity.HashAlgorithm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A file's fs-verity digest as the kernel signs it: {@code struct fsverity_formatted_digest} (linux/fsverity.h):
 * the magic "FSVerity", le16 digest_algorithm, le16 digest_size, then the digest.
 */
public record FormattedDigest(HashAlgorithm algorithm, byte[] digest) {
    private static final byte[] MAGIC = "FSVerity".getBytes(StandardCharsets.US_ASCII);

    public FormattedDigest {
        if (digest.length != algorithm.digestSize()) {
            throw new IllegalArgumentException("an fs-verity " + algorithm + " digest has "
                    + algorithm.digestSize() + " bytes, not " + digest.length);
        }
        digest = digest.clone();
    }

    /** The digest of {@code file}'s bytes, computed in user space. */
    public static FormattedDigest of(Path file, HashAlgorithm algorithm) throws IOException {
        return new FormattedDigest(algorithm, FsVerityHasher.digestOf(file, algorithm));
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }

    public String hex() {
        return FsVerityHasher.hex(digest);
    }

    /** The bytes that are signed. */
    public byte[] encoded() {
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + digest.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) algorithm.id()).putShort((short) digest.length).put(digest);
        return b.array();
    }

    /** {@code sha256:HEX}, as fsverity-utils prints it. */
    @Override
    public String toString() {
        return algorithm + ":" + hex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FormattedDigest f && f.algorithm == algorithm && Arrays.equals(f.digest, digest);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode() * 31 + Arrays.hashCode(digest);
    }
}
