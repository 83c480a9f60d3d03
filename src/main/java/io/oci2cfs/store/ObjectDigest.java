package io.oci2cfs.store;

import java.util.Arrays;

/**
 * An object's fs-verity digest as a set or map key: equal by content, sharing the caller's array (never
 * modify it). 16 bytes of heap besides the array, against about 100 for its hex string, which matters when a
 * layer holds a million distinct files.
 */
public record ObjectDigest(byte[] bytes) {
    public ObjectDigest {
        if (bytes.length != 32) {
            throw new IllegalArgumentException("an fs-verity SHA-256 digest has 32 bytes, not " + bytes.length);
        }
    }

    public String hex() {
        return io.oci2cfs.fsverity.FsVerityHasher.hex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectDigest other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        // The digest is uniformly distributed already; its first four bytes make a good hash.
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    @Override
    public String toString() {
        return hex();
    }
}
