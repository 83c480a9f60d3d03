package io.oci2cfs.tree;

/**
 * The data of a regular file as the merged tree needs it: the bytes themselves for files of at most
 * {@link #INLINE_MAX} bytes, otherwise the fs-verity digest of the object holding them. Arrays are shared,
 * never copied: do not modify them.
 */
public record ContentRef(long size, byte[] inline, byte[] digest) {
    /**
     * Files up to this size are stored inside the metadata image instead of the object store, for every source
     * ({@code LCFS_RECOMMENDED_INLINE_CONTENT_MAX}, docs/composefs-erofs-format.md §8.1).
     */
    public static final int INLINE_MAX = 64;

    public ContentRef {
        if ((inline == null) == (digest == null)) {
            throw new IllegalArgumentException("exactly one of inline bytes and digest must be given");
        }
        if (inline != null && (inline.length != size || size > INLINE_MAX)) {
            throw new IllegalArgumentException("inline content must be its size and at most " + INLINE_MAX + " bytes");
        }
        if (digest != null && (digest.length != 32 || size <= INLINE_MAX)) {
            throw new IllegalArgumentException("stored content needs a 32-byte digest and more than "
                    + INLINE_MAX + " bytes");
        }
    }

    public static boolean fitsInline(long size) {
        return size <= INLINE_MAX;
    }

    public static ContentRef inline(byte[] data) {
        return new ContentRef(data.length, data, null);
    }

    public static ContentRef stored(byte[] digest, long size) {
        return new ContentRef(size, null, digest);
    }
}
