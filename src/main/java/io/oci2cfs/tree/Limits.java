package io.oci2cfs.tree;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The sizes an image may hold, one set for every source (layers, directories, dumps, per-layer images): the
 * kernel's ({@code linux/limits.h}, EROFS's {@code EROFS_NAME_LEN} and its u16 xattr value size) and
 * libcomposefs's per-inode xattr space. Past any of them the kernel refuses the image, or part of it, or
 * mkcomposefs refuses the tree; the sources stop with the member and the limit named instead.
 */
public final class Limits {
    /** A file name, in bytes ({@code NAME_MAX}; the kernel reports a longer dirent as "bogus"). */
    public static final int NAME_MAX = 255;
    /** A symlink target, with its NUL, must fit {@code PATH_MAX}: at most 4095 bytes. */
    public static final int PATH_MAX = 4096;
    /** An xattr name, prefix included ({@code XATTR_NAME_MAX}). */
    public static final int XATTR_NAME_MAX = 255;
    /** An xattr value: EROFS stores its size in 16 bits. */
    public static final int XATTR_SIZE_MAX = 0xFFFF;
    /**
     * All xattrs of one inode, counted as {@code lcfs_node_set_xattr} counts them ({@link #xattrCost}): beyond
     * it mkcomposefs fails with ERANGE, and thousands of xattrs on one inode would overflow EROFS's
     * 16-bit count of xattr words.
     */
    public static final int XATTR_SPACE_MAX = 0xFFFF / 2;
    /** What libcomposefs adds to name and value for each xattr. */
    public static final int XATTR_ENTRY_OVERHEAD = 7;
    /** What libcomposefs adds once for an inode's first xattr. */
    public static final int XATTR_HEADER = 12;

    private Limits() {
    }

    /** A value past one of the limits; the message says which, e.g. "name is 300 bytes, over the 255-byte limit". */
    public static final class Exceeded extends Exception {
        private Exceeded(String message) {
            super(message);
        }
    }

    /** The space one xattr takes in libcomposefs's per-inode count (without {@link #XATTR_HEADER}). */
    public static long xattrCost(int nameLength, int valueLength) {
        return XATTR_ENTRY_OVERHEAD + (long) nameLength + valueLength;
    }

    /**
     * The per-inode counter of {@code lcfs_node_set_xattr}, one home for the dump reader and the image writer's
     * replay of the overlay rewrite (docs/composefs-erofs-format.md §12.4). Replacing an xattr subtracts its old
     * cost; the counter restarts at 0 when no other xattr is left; it is compared unsigned, so a counter that a
     * replacement took below 0 wraps and fails the next check, as in the reference (quirk Q7).
     */
    public static final class XattrSpace {
        private long counter;

        /**
         * Sets one xattr. {@code oldValueLength} is the replaced value's length, or -1 when there is none;
         * {@code othersLeft} whether the inode holds other xattrs once the old one is removed. Returns false
         * where the reference fails with ERANGE (the counter is then unchanged).
         */
        public boolean set(int nameLength, int oldValueLength, boolean othersLeft, int valueLength) {
            if (oldValueLength >= 0) {
                counter = othersLeft ? counter - xattrCost(nameLength, oldValueLength) : 0;
            }
            long entry = xattrCost(nameLength, valueLength) + (othersLeft ? 0 : XATTR_HEADER);
            if (Long.compareUnsigned(counter + entry, XATTR_SPACE_MAX) > 0) {
                return false;
            }
            counter += entry;
            return true;
        }
    }

    /** One directory entry's name. */
    public static void checkName(ByteString name) throws Exceeded {
        if (name.length() > NAME_MAX) {
            throw new Exceeded("name is " + name.length() + " bytes, over the " + NAME_MAX + "-byte limit");
        }
    }

    /** Each component of a {@code /}-separated path. */
    public static void checkPath(ByteString path) throws Exceeded {
        byte[] b = path.unsafeArray();
        int start = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == '/') {
                if (i - start > NAME_MAX) {
                    throw new Exceeded("name " + shown(ByteString.of(b, start, i - start)) + " is " + (i - start)
                            + " bytes, over the " + NAME_MAX + "-byte limit");
                }
                start = i + 1;
            }
        }
    }

    public static void checkSymlinkTarget(ByteString target) throws Exceeded {
        if (target.length() >= PATH_MAX) {
            throw new Exceeded("symlink target is " + target.length() + " bytes, over the " + (PATH_MAX - 1)
                    + "-byte limit (PATH_MAX " + PATH_MAX + " with its NUL)");
        }
    }

    /** Each xattr's name and value, and all of them together against the per-inode space. */
    public static void checkXattrs(Map<ByteString, ByteString> xattrs) throws Exceeded {
        if (xattrs.isEmpty()) {
            return;
        }
        long space = XATTR_HEADER;
        for (Map.Entry<ByteString, ByteString> x : xattrs.entrySet()) {
            int name = x.getKey().length();
            int value = x.getValue().length();
            if (name == 0) {
                throw new Exceeded("xattr with an empty name");
            }
            if (name > XATTR_NAME_MAX) {
                throw new Exceeded("xattr " + shown(x.getKey()) + ": name is " + name + " bytes, over the "
                        + XATTR_NAME_MAX + "-byte limit");
            }
            if (value > XATTR_SIZE_MAX) {
                throw new Exceeded("xattr " + shown(x.getKey()) + ": value is " + value + " bytes, over the "
                        + XATTR_SIZE_MAX + "-byte limit");
            }
            space += xattrCost(name, value);
        }
        if (space > XATTR_SPACE_MAX) {
            throw new Exceeded(xattrs.size() + " xattrs take " + space + " bytes, over the " + XATTR_SPACE_MAX
                    + "-byte space of one inode (libcomposefs counts " + XATTR_ENTRY_OVERHEAD
                    + " + name + value for each, " + XATTR_HEADER + " once)");
        }
    }

    /** Everything about one entry of a layer that has a limit: its path, symlink target and xattrs. */
    public static void check(Change change) throws Exceeded {
        checkPath(change.path());
        if (change instanceof Change.Entry e) {
            if (e.symlinkTarget() != null) {
                checkSymlinkTarget(e.symlinkTarget());
            }
            checkXattrs(e.xattrs());
        }
    }

    /** A name for a message: long names are cut, bytes that are not printable UTF-8 stay as the decoder shows them. */
    private static String shown(ByteString name) {
        String s = new String(name.unsafeArray(), StandardCharsets.UTF_8);
        return s.length() > 40 ? s.substring(0, 32) + "..." : s;
    }
}
