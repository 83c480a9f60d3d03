package io.oci2cfs.tree;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One change a layer makes, in the terms of the OCI image-spec "Representing Changes" (layer.md). Paths are
 * normalized and relative to the root: no leading or trailing {@code /}, no {@code .} or {@code ..}
 * components; the empty path is the root directory.
 */
public sealed interface Change {
    ByteString path();

    /**
     * A file, directory, symlink, device or fifo at {@code path}. {@code mode} holds the file type bits.
     * {@code content} is set for regular files only, {@code symlinkTarget} for symlinks only; {@code rdev} is
     * a Linux {@code new_encode_dev} number (see {@link #encodeDevice}).
     */
    record Entry(ByteString path, int mode, int uid, int gid, long mtimeSec, int mtimeNsec,
            NavigableMap<ByteString, ByteString> xattrs, ContentRef content, ByteString symlinkTarget, int rdev)
            implements Change {
        public Entry {
            if (!FileMode.isValidType(mode) || (mode & FileMode.S_IFMT) == FileMode.S_IFSOCK) {
                throw new IllegalArgumentException(path + ": bad file type in mode " + Integer.toOctalString(mode));
            }
            if (FileMode.isReg(mode) != (content != null)) {
                throw new IllegalArgumentException(path + ": content is for regular files, which need it");
            }
            if (FileMode.isLink(mode) != (symlinkTarget != null)) {
                throw new IllegalArgumentException(path + ": symlink target is for symlinks, which need it");
            }
            xattrs = xattrs == null || xattrs.isEmpty() ? Collections.emptyNavigableMap()
                    : Collections.unmodifiableNavigableMap(new TreeMap<>(xattrs));
        }
    }

    /** A second name {@code path} for the inode already at {@code target}. */
    record Hardlink(ByteString path, ByteString target) implements Change {
    }

    /** {@code .wh.NAME}: hides {@code path} and everything under it in the lower layers. */
    record Whiteout(ByteString path) implements Change {
    }

    /** {@code .wh..wh..opq}: hides every lower-layer child of the directory {@code path}. */
    record Opaque(ByteString path) implements Change {
    }

    /** Linux {@code new_encode_dev}: the 32-bit {@code st_rdev} that EROFS and overlayfs store. */
    static int encodeDevice(int major, int minor) {
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12);
    }
}
