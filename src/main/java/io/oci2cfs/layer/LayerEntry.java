package io.oci2cfs.layer;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.Change;
import io.oci2cfs.tree.ContentRef;
import java.util.NavigableMap;

/**
 * One tar member of a layer, dialect differences resolved.
 *
 * @param path normalized path relative to the layer root (see {@link TarPaths}); empty for the root
 * @param permissions permission bits with set-uid, set-gid and sticky ({@code 07777})
 * @param uid owner, fits 32 unsigned bits
 * @param gid group, fits 32 unsigned bits
 * @param size content size of a regular file (the expanded size of a sparse file); 0 otherwise
 * @param linkTarget raw target of a symlink, normalized target path of a hardlink, else null
 * @param xattrs from PAX {@code SCHILY.xattr.*} and {@code LIBARCHIVE.xattr.*}, sorted by name
 */
public record LayerEntry(ByteString path, EntryType type, int permissions, long uid, long gid, long mtimeSec,
        int mtimeNsec, long size, ByteString linkTarget, int devMajor, int devMinor,
        NavigableMap<ByteString, ByteString> xattrs) {

    /**
     * This member as a change for {@link io.oci2cfs.tree.LayerChanges#add}. {@code content} is required for
     * regular files and ignored otherwise.
     */
    public Change toChange(ContentRef content) {
        if (type == EntryType.HARDLINK) {
            return new Change.Hardlink(path, linkTarget);
        }
        int rdev = type == EntryType.CHAR || type == EntryType.BLOCK ? Change.encodeDevice(devMajor, devMinor) : 0;
        return new Change.Entry(path, type.fileType() | permissions, (int) uid, (int) gid, mtimeSec, mtimeNsec,
                xattrs, type == EntryType.REGULAR ? content : null, type == EntryType.SYMLINK ? linkTarget : null,
                rdev);
    }
}
