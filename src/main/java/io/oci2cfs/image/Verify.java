package io.oci2cfs.image;

/** Checks content against what a descriptor (or a layout path) says it is. */
public final class Verify {
    private Verify() {
    }

    /**
     * @param what names the blob, e.g. "layer 2 (blobs/sha256/ab..)"
     * @param expectedSize -1 when nothing says what the size should be
     */
    public static void content(String what, Digest expected, long expectedSize, Digest actual, long actualSize)
            throws ImageException {
        if (expectedSize >= 0 && expectedSize != actualSize) {
            throw new ImageException(what + ": size mismatch: descriptor says " + expectedSize + " bytes, blob has "
                    + actualSize);
        }
        if (expected != null && !expected.equals(actual)) {
            throw new ImageException(what + ": digest mismatch: expected " + expected + ", content is " + actual);
        }
    }

    static byte[] bytes(String what, Descriptor descriptor, byte[] data) throws ImageException {
        java.security.MessageDigest md = descriptor.digest().newMessageDigest();
        md.update(data);
        content(what, descriptor.digest(), descriptor.size(), Digest.of(md), data.length);
        return data;
    }
}
