package io.oci2cfs.erofs;

import io.oci2cfs.tree.ByteString;
import java.util.Arrays;

/**
 * The composefs EROFS on-disk format in one place, for the writer and the reader alike, as libcomposefs's
 * {@code erofs_fs.h} / {@code lcfs-erofs.h} and composefs-rs's {@code erofs/format.rs} hold it. Field offsets
 * are in bytes from the start of their record; every field is little-endian. Section numbers (§) refer to
 * docs/composefs-erofs-format.md.
 */
final class Format {
    /** §1: blocks are 4096 bytes whatever the host ({@code blkszbits} 12). */
    static final int BLOCK_BITS = 12;
    static final int BLOCK = 1 << BLOCK_BITS;
    /** §1: a nid is an inode's byte offset / 32; inodes are 32-byte aligned. */
    static final int INODE_SLOT = 32;
    /** §4.1: the first inode follows the superblock. */
    static final int INODES_START = Superblock.OFFSET + Superblock.SIZE;

    private Format() {
    }

    /** §4.2: the composefs header at offset 0 ({@code struct lcfs_erofs_header_s}). */
    static final class Header {
        static final int SIZE = 32;
        static final int MAGIC = 0xd078629a;
        static final int VERSION = 1;
        /** Bit 0 of the flags: some inode carries a POSIX ACL (§3). */
        static final int FLAG_HAS_ACL = 1;
        static final int MAGIC_AT = 0;
        static final int VERSION_AT = 4;
        static final int FLAGS_AT = 8;
        /** The composefs format version of §10. */
        static final int FORMAT_VERSION_AT = 12;

        private Header() {
        }
    }

    /** §4.2: the EROFS superblock ({@code struct erofs_super_block}); fields not listed stay zero. */
    static final class Superblock {
        static final int OFFSET = 1024;
        static final int SIZE = 128;
        static final int MAGIC = 0xE0F5E1E2;
        static final int FEATURE_COMPAT_MTIME = 2;
        static final int FEATURE_COMPAT_XATTR_FILTER = 4;
        static final int FEATURE_COMPAT = FEATURE_COMPAT_MTIME | FEATURE_COMPAT_XATTR_FILTER;
        static final int MAGIC_AT = 0;
        static final int FEATURE_COMPAT_AT = 8;
        static final int BLKSZBITS_AT = 12;
        static final int ROOT_NID_AT = 14;
        static final int INOS_AT = 16;
        static final int BUILD_TIME_AT = 24;
        static final int BUILD_TIME_NSEC_AT = 32;
        static final int BLOCKS_AT = 36;
        static final int META_BLKADDR_AT = 40;
        static final int XATTR_BLKADDR_AT = 44;

        private Superblock() {
        }
    }

    /** §5.2: the inode record, compact (32 bytes) or extended (64 bytes); the fields both forms share. */
    static final class Inode {
        static final int LAYOUT_FLAT_PLAIN = 0;
        static final int LAYOUT_FLAT_INLINE = 2;
        static final int LAYOUT_CHUNK_BASED = 4;
        static final int FORMAT_AT = 0;
        static final int XATTR_ICOUNT_AT = 2;
        static final int MODE_AT = 4;
        static final int SIZE_AT = 8;
        static final int U_AT = 16;
        static final int INO_AT = 20;

        private Inode() {
        }

        /** {@code i_format}: the data layout and bit 0 for the extended form. */
        static int format(int layout, boolean extended) {
            return (layout << 1) | (extended ? 1 : 0);
        }

        static boolean isExtended(int format) {
            return (format & 1) != 0;
        }

        static int layout(int format) {
            return (format >> 1) & 7;
        }

        static int size(boolean extended) {
            return extended ? Extended.SIZE : Compact.SIZE;
        }
    }

    /** §5.2: {@code struct erofs_inode_compact}; its mtime is the superblock's build time. */
    static final class Compact {
        static final int SIZE = 32;
        static final int NLINK_AT = 6;
        static final int UID_AT = 24;
        static final int GID_AT = 26;

        private Compact() {
        }
    }

    /** §5.2: {@code struct erofs_inode_extended}. */
    static final class Extended {
        static final int SIZE = 64;
        static final int UID_AT = 24;
        static final int GID_AT = 28;
        static final int MTIME_AT = 32;
        static final int MTIME_NSEC_AT = 40;
        static final int NLINK_AT = 44;

        private Extended() {
        }
    }

    /** §8.2: the chunk table of an external file; its entries are all {@code 0xFF} (no block). */
    static final class Chunks {
        static final int MAX = 1024;
        static final int ENTRY_SIZE = 4;
        static final int MIN_BITS = BLOCK_BITS;
        static final int MAX_BITS = 43;

        private Chunks() {
        }

        /** The chunk size, as a power of two, that covers {@code size} in as few chunks as allowed. */
        static int bits(long size) {
            int bits = size <= 1 ? 1 : 64 - Long.numberOfLeadingZeros(size - 1);
            return Math.max(MIN_BITS, Math.min(MAX_BITS, bits));
        }

        static long count(long size) {
            int bits = bits(size);
            return (size + (1L << bits) - 1) >>> bits;
        }

        /** {@code i_u} of a chunk-based inode: the chunk format, {@code chunkbits - 12}. */
        static int format(long size) {
            return bits(size) - BLOCK_BITS;
        }
    }

    /** §6.2: the header of an inode's xattr body ({@code struct erofs_xattr_ibody_header}). */
    static final class XattrHeader {
        static final int SIZE = 12;
        static final int NAME_FILTER_AT = 0;
        static final int SHARED_COUNT_AT = 4;
        /** Each shared reference is a u32 after the header. */
        static final int SHARED_REF_SIZE = 4;
        static final int MAX_SHARED_REFS = 128;
        /** §6.2: the bloom filter seed, plus the prefix index. */
        static final int FILTER_SEED = 0x25BBE08F;

        private XattrHeader() {
        }

        /** {@code i_xattr_icount} of an xattr body of {@code size} bytes (0 without one). */
        static int icount(int size) {
            return size == 0 ? 0 : (size - SIZE) / 4 + 1;
        }

        /** The body size an {@code i_xattr_icount} stands for. */
        static int bodySize(int icount) {
            return icount == 0 ? 0 : SIZE + (icount - 1) * 4;
        }

        /** The largest body the 16-bit {@code i_xattr_icount} can describe. */
        static final int MAX_BODY = SIZE + 4 * (0xFFFF - 1);
    }

    /** §6: one xattr entry ({@code struct erofs_xattr_entry}), inline or in the shared table (§6.3). */
    static final class XattrEntry {
        static final int HEADER_SIZE = 4;
        static final int NAME_LEN_AT = 0;
        static final int NAME_INDEX_AT = 1;
        static final int VALUE_SIZE_AT = 2;
        static final int MAX_NAME_LEN = 0xFF;
        static final int MAX_VALUE_SIZE = 0xFFFF;

        private XattrEntry() {
        }

        /** The entry's size with its padding to 4 bytes. */
        static int size(int suffixLength, int valueLength) {
            return (HEADER_SIZE + suffixLength + valueLength + 3) & ~3;
        }

        /** Puts an entry at {@code off} of a zero-filled buffer; returns the offset after its padding. */
        static int put(LeBuffer b, int off, int index, byte[] suffix, byte[] value) {
            b.putByte(off + NAME_LEN_AT, suffix.length);
            b.putByte(off + NAME_INDEX_AT, index);
            b.putShort(off + VALUE_SIZE_AT, value.length);
            b.putBytes(off + HEADER_SIZE, suffix);
            b.putBytes(off + HEADER_SIZE + suffix.length, value);
            return off + size(suffix.length, value.length);
        }

        /**
         * A shared reference (§6.2): the entry's position in 4-byte units from the start of block
         * {@code xattr_blkaddr}, for an entry {@code tableOffset} bytes into a table that starts at {@code start}.
         */
        static int sharedReference(long start, long tableOffset) {
            return (int) (((start % BLOCK) + tableOffset) / 4);
        }
    }

    /** §9: a directory entry ({@code struct erofs_dirent}); the names follow all entries of their block. */
    static final class Dirent {
        static final int SIZE = 12;
        static final int NID_AT = 0;
        static final int NAME_OFF_AT = 8;
        static final int FILE_TYPE_AT = 10;
        /** The kernel refuses longer entry names as "bogus dirent" ({@code EROFS_NAME_LEN}). */
        static final int MAX_NAME_LEN = 255;

        private Dirent() {
        }

        static void put(LeBuffer b, int off, long nid, int nameOff, int fileType) {
            b.putLong(off + NID_AT, nid);
            b.putShort(off + NAME_OFF_AT, nameOff);
            b.putByte(off + FILE_TYPE_AT, fileType);
        }
    }

    /**
     * §7.2: the value of {@code trusted.overlay.metacopy} ({@code struct ovl_metacopy}): version 0, length 36,
     * flags 0, hash algorithm 1 (SHA-256), then the fs-verity digest. Without a digest the value is empty.
     */
    static final class Metacopy {
        static final int SIZE = 36;
        static final int VERSION_AT = 0;
        static final int LENGTH_AT = 1;
        static final int FLAGS_AT = 2;
        static final int DIGEST_ALGO_AT = 3;
        static final int DIGEST_AT = 4;
        static final int DIGEST_ALGO_SHA256 = 1;
        static final int DIGEST_SIZE = 32;

        private Metacopy() {
        }

        static ByteString value(byte[] digest) {
            if (digest == null) {
                return ByteString.EMPTY;
            }
            LeBuffer v = new LeBuffer(SIZE);
            v.putByte(VERSION_AT, 0);
            v.putByte(LENGTH_AT, SIZE);
            v.putByte(FLAGS_AT, 0);
            v.putByte(DIGEST_ALGO_AT, DIGEST_ALGO_SHA256);
            v.putBytes(DIGEST_AT, digest);
            return ByteString.wrap(v.array());
        }

        /** The digest a value of this size holds (the other fields are not checked), else null. */
        static byte[] digest(ByteString value) {
            byte[] v = value.unsafeArray();
            if (v.length != SIZE) {
                return null;
            }
            return Arrays.copyOfRange(v, DIGEST_AT, DIGEST_AT + DIGEST_SIZE);
        }
    }
}
