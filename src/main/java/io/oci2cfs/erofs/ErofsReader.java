package io.oci2cfs.erofs;

import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
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
    private static final ByteString PREFIX = ByteString.of("trusted.overlay.");
    private static final ByteString ESCAPE_PREFIX = ByteString.of("trusted.overlay.overlay.");
    private static final ByteString REDIRECT = ByteString.of("trusted.overlay.redirect");
    private static final ByteString METACOPY = ByteString.of("trusted.overlay.metacopy");
    private static final ByteString ESCAPED_WHITEOUT = ByteString.of("trusted.overlay.overlay.whiteout");
    private static final ByteString ESCAPED_WHITEOUTS = ByteString.of("trusted.overlay.overlay.whiteouts");
    private static final ByteString USER_WHITEOUT = ByteString.of("user.overlay.whiteout");
    private static final ByteString USER_WHITEOUTS = ByteString.of("user.overlay.whiteouts");
    private static final int BLOCK = ErofsWriter.BLOCK;
    private static final ByteString DOT = ByteString.of(".");
    private static final ByteString DOTDOT = ByteString.of("..");

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
        if (img.capacity() < BLOCK || img.getInt(0) != ErofsWriter.COMPOSEFS_MAGIC) {
            throw new CorruptImageException("not a composefs image (bad magic)");
        }
        if (img.getInt(4) != 1) {
            throw new CorruptImageException("unsupported composefs header version " + img.getInt(4));
        }
        if (img.getInt(ErofsWriter.SUPERBLOCK_OFFSET) != ErofsWriter.EROFS_MAGIC) {
            throw new CorruptImageException("not an EROFS image (bad superblock magic)");
        }
        formatVersion = img.getInt(12);
        buildTime = img.getLong(ErofsWriter.SUPERBLOCK_OFFSET + 24);
        buildTimeNsec = img.getInt(ErofsWriter.SUPERBLOCK_OFFSET + 32);
        xattrBase = Integer.toUnsignedLong(img.getInt(ErofsWriter.SUPERBLOCK_OFFSET + 44)) * BLOCK;
        if (Integer.toUnsignedLong(img.getInt(ErofsWriter.SUPERBLOCK_OFFSET + 40)) != 0) {
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
        long rootNid = Short.toUnsignedLong(r.img.getShort(ErofsWriter.SUPERBLOCK_OFFSET + 14));
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
        int sb = ErofsWriter.SUPERBLOCK_OFFSET;
        return new Superblock(r.formatVersion, (r.img.getInt(8) & 1) != 0,
                Short.toUnsignedLong(r.img.getShort(sb + 14)), r.img.getLong(sb + 16),
                Integer.toUnsignedLong(r.img.getInt(sb + 36)));
    }

    /** Reads one inode; returns null for a real overlay whiteout (char device 0/0), which is skipped. */
    private Node readInode(long nid) throws CorruptImageException {
        long off = nid * 32;
        checkRange(off, 32);
        int format = Short.toUnsignedInt(img.getShort((int) off));
        boolean extended = (format & 1) != 0;
        int layout = (format >> 1) & 7;
        int xattrCount = Short.toUnsignedInt(img.getShort((int) off + 2));
        int mode = Short.toUnsignedInt(img.getShort((int) off + 4));
        Node n = new Node(mode);
        long size;
        int iu;
        int isize;
        if (extended) {
            checkRange(off, 64);
            size = img.getLong((int) off + 8);
            iu = img.getInt((int) off + 16);
            n.uid(img.getInt((int) off + 24)).gid(img.getInt((int) off + 28))
                    .mtime(img.getLong((int) off + 32), img.getInt((int) off + 40))
                    .nlink(img.getInt((int) off + 44));
            isize = 64;
        } else {
            size = Integer.toUnsignedLong(img.getInt((int) off + 8));
            iu = img.getInt((int) off + 16);
            n.nlink(Short.toUnsignedInt(img.getShort((int) off + 6)))
                    .uid(Short.toUnsignedInt(img.getShort((int) off + 24)))
                    .gid(Short.toUnsignedInt(img.getShort((int) off + 26)))
                    .mtime(buildTime, buildTimeNsec);
            isize = 32;
        }
        if (FileMode.isDevice(mode)) {
            n.rdev(iu);
            if (FileMode.isChr(mode) && iu == 0) {
                return null;
            }
        }
        int xattrSize = xattrCount == 0 ? 0 : 12 + (xattrCount - 1) * 4;
        long tailOff = off + isize + xattrSize;
        boolean inline = layout == ErofsWriter.LAYOUT_FLAT_INLINE;
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
            long at = inline ? tailOff : data;
            n.payload(ByteString.wrap(bytes(at, (int) size)));
        } else if (FileMode.isReg(mode) && size != 0 && layout != ErofsWriter.LAYOUT_CHUNK_BASED) {
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
        int first = Short.toUnsignedInt(img.getShort((int) at + 8));
        if (first % 12 != 0 || first == 0 || first > blockSize) {
            throw new CorruptImageException("damaged directory block at offset " + at);
        }
        int count = first / 12;
        for (int i = 0; i < count; i++) {
            long e = at + 12L * i;
            long nid = img.getLong((int) e);
            int nameOff = Short.toUnsignedInt(img.getShort((int) e + 8));
            int nameEnd;
            if (i + 1 < count) {
                nameEnd = Short.toUnsignedInt(img.getShort((int) e + 12 + 8));
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
        int shared = Byte.toUnsignedInt(img.get((int) at + 4));
        long p = at + 12 + 4L * shared;
        long end = at + size;
        while (p + 4 < end) {
            p += readXattrEntry(n, p);
        }
        for (int i = 0; i < shared; i++) {
            long id = Integer.toUnsignedLong(img.getInt((int) (at + 12 + 4L * i)));
            readXattrEntry(n, xattrBase + id * 4);
        }
    }

    private int readXattrEntry(Node n, long at) throws CorruptImageException {
        checkRange(at, 4);
        int nameLen = Byte.toUnsignedInt(img.get((int) at));
        int index = Byte.toUnsignedInt(img.get((int) at + 1));
        int valueLen = Short.toUnsignedInt(img.getShort((int) at + 2));
        ByteString suffix = ByteString.wrap(bytes(at + 4, nameLen));
        ByteString value = ByteString.wrap(bytes(at + 4 + nameLen, valueLen));
        applyXattr(n, XattrName.join(index, suffix), value);
        return (4 + nameLen + valueLen + 3) & ~3;
    }

    private static void applyXattr(Node n, ByteString name, ByteString value) {
        boolean reg = FileMode.isReg(n.mode());
        if (name.equals(REDIRECT)) {
            if (reg) {
                n.payload(value.length() > 1 && value.byteAt(0) == '/' ? value.substring(1) : value);
            }
        } else if (name.equals(METACOPY)) {
            if (reg && value.length() == 36) {
                n.digest(java.util.Arrays.copyOfRange(value.unsafeArray(), 4, 36));
            }
        } else if (name.equals(ESCAPED_WHITEOUT) && reg) {
            n.mode((n.mode() & ~FileMode.S_IFMT) | FileMode.S_IFCHR).rdev(0).size(0);
        } else if (name.equals(ESCAPED_WHITEOUTS) || name.equals(USER_WHITEOUT) || name.equals(USER_WHITEOUTS)) {
            return;
        } else if (name.startsWith(PREFIX)) {
            if (name.startsWith(ESCAPE_PREFIX)) {
                n.setXattr(PREFIX.concat(name.substring(ESCAPE_PREFIX.length())), value);
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
