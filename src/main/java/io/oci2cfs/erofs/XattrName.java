package io.oci2cfs.erofs;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.Xattr;

/**
 * An xattr name split into (docs/composefs-erofs-format.md §6.1) the EROFS prefix index and the stored suffix, with the bit it sets in the inode's
 * xattr bloom filter (EROFS {@code h_name_filter}: xxh32 of the suffix, seeded with the index). The first
 * matching prefix wins; index 5 ({@code lustre.}) is never used by libcomposefs, so such names are stored
 * whole under index 0.
 */
record XattrName(int index, ByteString suffix, int filterBit) {
    private static final ByteString[] PREFIXES = {
        null,
        Xattr.USER_PREFIX,
        Xattr.POSIX_ACL_ACCESS,
        Xattr.POSIX_ACL_DEFAULT,
        ByteString.of("trusted."),
        null,
        ByteString.of("security."),
    };

    static XattrName split(ByteString name) {
        for (int i = 1; i < PREFIXES.length; i++) {
            ByteString p = PREFIXES[i];
            if (p != null && name.startsWith(p)) {
                return of(i, name.substring(p.length()));
            }
        }
        return of(0, name);
    }

    private static XattrName of(int index, ByteString suffix) {
        return new XattrName(index, suffix, Xxh32.hash(suffix.unsafeArray(), Format.XattrHeader.FILTER_SEED + index) & 31);
    }

    static ByteString join(int index, ByteString suffix) {
        if (index <= 0 || index >= PREFIXES.length || PREFIXES[index] == null) {
            return suffix;
        }
        return PREFIXES[index].concat(suffix);
    }
}
