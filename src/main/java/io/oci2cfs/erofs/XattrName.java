package io.oci2cfs.erofs;

import io.oci2cfs.tree.ByteString;

/**
 * An xattr name split into the EROFS prefix index and the stored suffix, with the bit it sets in the inode's
 * xattr bloom filter (EROFS {@code h_name_filter}: xxh32 of the suffix, seeded with the index). The first
 * matching prefix wins; index 5 ({@code lustre.}) is never used by libcomposefs, so such names are stored
 * whole under index 0.
 */
record XattrName(int index, ByteString suffix, int filterBit) {
    private static final ByteString[] PREFIXES = {
        null,
        ByteString.of("user."),
        ByteString.of("system.posix_acl_access"),
        ByteString.of("system.posix_acl_default"),
        ByteString.of("trusted."),
        null,
        ByteString.of("security."),
    };
    private static final int FILTER_SEED = 0x25BBE08F;

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
        return new XattrName(index, suffix, Xxh32.hash(suffix.unsafeArray(), FILTER_SEED + index) & 31);
    }

    static ByteString join(int index, ByteString suffix) {
        if (index <= 0 || index >= PREFIXES.length || PREFIXES[index] == null) {
            return suffix;
        }
        return PREFIXES[index].concat(suffix);
    }
}
