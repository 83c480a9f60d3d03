package io.oci2cfs.erofs;

import io.oci2cfs.erofs.Format.Compact;
import io.oci2cfs.erofs.Format.Dirent;
import io.oci2cfs.erofs.Format.Extended;
import io.oci2cfs.erofs.Format.Header;
import io.oci2cfs.erofs.Format.Inode;
import io.oci2cfs.erofs.Format.Metacopy;
import io.oci2cfs.erofs.Format.XattrEntry;
import io.oci2cfs.erofs.Format.XattrHeader;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.OverlayXattrs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a composefs image back into the tree it was written from, undoing the overlay rewriting the way
 * libcomposefs's {@code lcfs_load_node_from_image} does: redirect and metacopy become payload and digest,
 * escaped {@code trusted.overlay.overlay.*} names are unescaped, the whiteout markers are dropped, escaped
 * whiteout files become character devices 0/0 again, and the root's 00..ff whiteouts disappear.
 *
 * <p>Every offset read from the image is bounds-checked: a damaged image gives an {@link CorruptImageException},
 * never an out-of-range read.
 */
public final class ErofsReader {
    private static final int BLOCK = Format.BLOCK;
    private static final ByteString DOT = ByteString.of(".");
    private static final ByteString DOTDOT = ByteString.of("..");

    private static final int SB = Format.Superblock.OFFSET;

    private final ByteBuffer img;
    private final long buildTime;
    private final int buildTimeNsec;
    private final long xattrBase;
    private final Map<Long, Node> byNid = new HashMap<>();
    private final int formatVersion;

    /** The header facts of an image. */
    public record Superblock(int formatVersion, boolean hasAcl, long rootNid, long inodes, long blocks) {
    }

    private ErofsReader(ByteBuffer image) throws CorruptImageException {
        this.img = image.order(ByteOrder.LITTLE_ENDIAN);
        if (img.capacity() < BLOCK || img.getInt(Header.MAGIC_AT) != Header.MAGIC) {
            throw new CorruptImageException("not a composefs image (bad magic)");
        }
        if (img.getInt(Header.VERSION_AT) != Header.VERSION) {
            throw new CorruptImageException("unsupported composefs header version " + img.getInt(Header.VERSION_AT));
        }
        if (img.getInt(SB + Format.Superblock.MAGIC_AT) != Format.Superblock.MAGIC) {
            throw new CorruptImageException("not an EROFS image (bad superblock magic)");
        }
        formatVersion = img.getInt(Header.FORMAT_VERSION_AT);
        buildTime = img.getLong(SB + Format.Superblock.BUILD_TIME_AT);
        buildTimeNsec = img.getInt(SB + Format.Superblock.BUILD_TIME_NSEC_AT);
        xattrBase = Integer.toUnsignedLong(img.getInt(SB + Format.Superblock.XATTR_BLKADDR_AT)) * BLOCK;
        if (Integer.toUnsignedLong(img.getInt(SB + Format.Superblock.META_BLKADDR_AT)) != 0) {
            throw new CorruptImageException("unsupported image: meta_blkaddr is not 0");
        }
    }

    /** Maps an image file and reads its tree. */
    public static Node read(Path image) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new CorruptImageException(image + ": image larger than 2 GiB is not supported");
            }
            return read(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
        }
    }

    public static Node read(ByteBuffer image) throws CorruptImageException {
        ErofsReader r = new ErofsReader(image.duplicate());
        long rootNid = Short.toUnsignedLong(r.img.getShort(SB + Format.Superblock.ROOT_NID_AT));
        try {
            Node root = r.readInode(rootNid);
            if (root == null || !root.isDirectory()) {
                throw new CorruptImageException("the root inode is not a directory");
            }
            return root;
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            throw new CorruptImageException("damaged image: " + e.getMessage());
        }
    }

    public static Superblock superblock(ByteBuffer image) throws CorruptImageException {
        ErofsReader r = new ErofsReader(image.duplicate());
        return new Superblock(r.formatVersion, (r.img.getInt(Header.FLAGS_AT) & Header.FLAG_HAS_ACL) != 0,
                Short.toUnsignedLong(r.img.getShort(SB + Format.Superblock.ROOT_NID_AT)),
                r.img.getLong(SB + Format.Superblock.INOS_AT),
                Integer.toUnsignedLong(r.img.getInt(SB + Format.Superblock.BLOCKS_AT)));
    }

    /** Reads one inode; returns null for a real overlay whiteout (char device 0/0), which is skipped. */
    private Node readInode(long nid) throws CorruptImageException {
        long off = nid * Format.INODE_SLOT;
        checkRange(off, Compact.SIZE);
        int at = (int) off;
        int format = Short.toUnsignedInt(img.getShort(at + Inode.FORMAT_AT));
        boolean extended = Inode.isExtended(format);
        int layout = Inode.layout(format);
        int xattrCount = Short.toUnsignedInt(img.getShort(at + Inode.XATTR_ICOUNT_AT));
        int mode = Short.toUnsignedInt(img.getShort(at + Inode.MODE_AT));
        Node n = new Node(mode);
        long size;
        int iu = img.getInt(at + Inode.U_AT);
        int isize = Inode.size(extended);
        if (extended) {
            checkRange(off, Extended.SIZE);
            size = img.getLong(at + Inode.SIZE_AT);
            n.uid(img.getInt(at + Extended.UID_AT)).gid(img.getInt(at + Extended.GID_AT))
                    .mtime(img.getLong(at + Extended.MTIME_AT), img.getInt(at + Extended.MTIME_NSEC_AT))
                    .nlink(img.getInt(at + Extended.NLINK_AT));
        } else {
            size = Integer.toUnsignedLong(img.getInt(at + Inode.SIZE_AT));
            n.nlink(Short.toUnsignedInt(img.getShort(at + Compact.NLINK_AT)))
                    .uid(Short.toUnsignedInt(img.getShort(at + Compact.UID_AT)))
                    .gid(Short.toUnsignedInt(img.getShort(at + Compact.GID_AT)))
                    .mtime(buildTime, buildTimeNsec);
        }
        if (FileMode.isDevice(mode)) {
            n.rdev(iu);
            if (FileMode.isChr(mode) && iu == 0) {
                return null;
            }
        }
        int xattrSize = XattrHeader.bodySize(xattrCount);
        long tailOff = off + isize + xattrSize;
        boolean inline = layout == Inode.LAYOUT_FLAT_INLINE;
        long tailSize = inline ? size % BLOCK : 0;
        long blocks = (size + BLOCK - 1) / BLOCK;
        long oobBlocks = inline ? blocks - 1 : blocks;
        long data = Integer.toUnsignedLong(iu) * BLOCK;
        n.size(size);
        if (xattrCount > 0) {
            readXattrs(n, off + isize, xattrSize);
        }
        if (FileMode.isDir(mode)) {
            byNid.put(nid, n);
            for (long b = 0; b < oobBlocks; b++) {
                long bsize = BLOCK;
                if (!inline && b + 1 == oobBlocks && size % BLOCK != 0) {
                    bsize = size % BLOCK;
                }
                readDirBlock(n, data + b * BLOCK, bsize);
            }
            if (inline) {
                readDirBlock(n, tailOff, tailSize);
            }
        } else if (FileMode.isLink(mode)) {
            if (size >= 4096) {
                throw new CorruptImageException("symlink target of " + size + " bytes at nid " + nid);
            }
            long target = inline ? tailOff : data;
            n.payload(ByteString.wrap(bytes(target, (int) size)));
        } else if (FileMode.isReg(mode) && size != 0 && layout != Inode.LAYOUT_CHUNK_BASED) {
            if (size > 5000) {
                throw new CorruptImageException("inline file of " + size + " bytes at nid " + nid);
            }
            byte[] content = new byte[(int) size];
            int oob = (int) (inline ? oobBlocks * BLOCK : size);
            System.arraycopy(bytes(data, oob), 0, content, 0, oob);
            if (inline) {
                System.arraycopy(bytes(tailOff, (int) tailSize), 0, content, oob, (int) tailSize);
            }
            n.content(content);
        }
        byNid.put(nid, n);
        return n;
    }

    private void readDirBlock(Node dir, long at, long blockSize) throws CorruptImageException {
        checkRange(at, blockSize);
        int first = Short.toUnsignedInt(img.getShort((int) at + Dirent.NAME_OFF_AT));
        if (first % Dirent.SIZE != 0 || first == 0 || first > blockSize) {
            throw new CorruptImageException("damaged directory block at offset " + at);
        }
        int count = first / Dirent.SIZE;
        for (int i = 0; i < count; i++) {
            long e = at + (long) Dirent.SIZE * i;
            long nid = img.getLong((int) e + Dirent.NID_AT);
            int nameOff = Short.toUnsignedInt(img.getShort((int) e + Dirent.NAME_OFF_AT));
            int nameEnd;
            if (i + 1 < count) {
                nameEnd = Short.toUnsignedInt(img.getShort((int) e + Dirent.SIZE + Dirent.NAME_OFF_AT));
            } else {
                nameEnd = nameOff;
                while (nameEnd < blockSize && img.get((int) (at + nameEnd)) != 0) {
                    nameEnd++;
                }
            }
            if (nameEnd < nameOff || nameEnd > blockSize) {
                throw new CorruptImageException("damaged directory entry at offset " + e);
            }
            ByteString name = ByteString.wrap(bytes(at + nameOff, nameEnd - nameOff));
            if (name.equals(DOT) || name.equals(DOTDOT)) {
                continue;
            }
            Node seen = byNid.get(nid);
            Node child;
            if (seen != null) {
                if (seen.isDirectory()) {
                    throw new CorruptImageException("directory hardlink or loop at nid " + nid);
                }
                child = Node.hardlink(seen.mode(), seen);
            } else {
                child = readInode(nid);
                if (child == null) {
                    continue;
                }
            }
            dir.addChild(name, child);
        }
    }

    private void readXattrs(Node n, long at, int size) throws CorruptImageException {
        checkRange(at, size);
        int shared = Byte.toUnsignedInt(img.get((int) at + XattrHeader.SHARED_COUNT_AT));
        long refs = at + XattrHeader.SIZE;
        long p = refs + (long) XattrHeader.SHARED_REF_SIZE * shared;
        long end = at + size;
        while (p + XattrEntry.HEADER_SIZE < end) {
            p += readXattrEntry(n, p);
        }
        for (int i = 0; i < shared; i++) {
            long id = Integer.toUnsignedLong(img.getInt((int) (refs + (long) XattrHeader.SHARED_REF_SIZE * i)));
            readXattrEntry(n, xattrBase + id * 4);
        }
    }

    private int readXattrEntry(Node n, long at) throws CorruptImageException {
        checkRange(at, XattrEntry.HEADER_SIZE);
        int nameLen = Byte.toUnsignedInt(img.get((int) at + XattrEntry.NAME_LEN_AT));
        int index = Byte.toUnsignedInt(img.get((int) at + XattrEntry.NAME_INDEX_AT));
        int valueLen = Short.toUnsignedInt(img.getShort((int) at + XattrEntry.VALUE_SIZE_AT));
        ByteString suffix = ByteString.wrap(bytes(at + XattrEntry.HEADER_SIZE, nameLen));
        ByteString value = ByteString.wrap(bytes(at + XattrEntry.HEADER_SIZE + nameLen, valueLen));
        applyXattr(n, XattrName.join(index, suffix), value);
        return XattrEntry.size(nameLen, valueLen);
    }

    private static void applyXattr(Node n, ByteString name, ByteString value) {
        boolean reg = FileMode.isReg(n.mode());
        if (name.equals(OverlayXattrs.REDIRECT)) {
            if (reg) {
                n.payload(value.length() > 1 && value.byteAt(0) == '/' ? value.substring(1) : value);
            }
        } else if (name.equals(OverlayXattrs.METACOPY)) {
            byte[] digest = Metacopy.digest(value);
            if (reg && digest != null) {
                n.digest(digest);
            }
        } else if (name.equals(OverlayXattrs.ESCAPED_WHITEOUT) && reg) {
            n.mode((n.mode() & ~FileMode.S_IFMT) | FileMode.S_IFCHR).rdev(0).size(0);
        } else if (name.equals(OverlayXattrs.ESCAPED_WHITEOUTS) || name.equals(OverlayXattrs.USER_WHITEOUT)
                || name.equals(OverlayXattrs.USER_WHITEOUTS)) {
            return;
        } else if (name.startsWith(OverlayXattrs.PREFIX)) {
            if (name.startsWith(OverlayXattrs.ESCAPED_PREFIX)) {
                n.setXattr(OverlayXattrs.PREFIX.concat(name.substring(OverlayXattrs.ESCAPED_PREFIX.length())), value);
            }
        } else {
            n.setXattr(name, value);
        }
    }

    private byte[] bytes(long at, int len) throws CorruptImageException {
        checkRange(at, len);
        byte[] b = new byte[len];
        img.get((int) at, b);
        return b;
    }

    private void checkRange(long at, long len) throws CorruptImageException {
        if (at < 0 || len < 0 || at + len > img.capacity()) {
            throw new CorruptImageException("damaged image: offset " + at + "+" + len + " is beyond its end "
                    + img.capacity());
        }
    }
}
